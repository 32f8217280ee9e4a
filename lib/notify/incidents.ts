/**
 * No noise: one Slack message per incident. An incident is a source in a given kind of trouble (its finding status
 * and reason codes); the same incident again within the window is suppressed and counted, and the count rides on the
 * next message. Pure: state comes from and goes back to the ledger.
 */
import type { Decision } from '../domain/decide';

export interface IncidentState {
  key: string;
  firstAt: string;
  lastSentAt: string;
  /** Repeats suppressed since the last message. */
  suppressed: number;
}

export const incidentKey = (d: Decision, kind: string): string => `${kind}:${d.source.arn}:${d.finding.status}:${[...new Set(d.finding.reasons.map((r) => r.code))].sort().join(',')}`;

export function nextIncident(state: IncidentState | undefined, key: string, now: Date, windowMs: number): { send: boolean; state: IncidentState; suppressedBefore: number } {
  const at = now.toISOString();
  if (state && state.key === key && now.getTime() - Date.parse(state.lastSentAt) < windowMs) return { send: false, state: { ...state, suppressed: state.suppressed + 1 }, suppressedBefore: state.suppressed };
  const suppressedBefore = state?.key === key ? state.suppressed : 0;
  return { send: true, state: { key, firstAt: state?.key === key ? state.firstAt : at, lastSentAt: at, suppressed: 0 }, suppressedBefore };
}
