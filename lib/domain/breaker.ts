/**
 * The per-source circuit breaker that keeps the product from fighting a person or a pipeline: if a source is
 * reverted and repaired more than `maxRepairs` times within `windowMs`, stop repairing it, notify once naming who
 * keeps reverting it, and resume when the window has passed. Pure.
 */

export interface BreakerPolicy {
  maxRepairs: number;
  windowMs: number;
}

export interface BreakerState {
  /** Repairs made, with who had caused the drift each repaired. */
  repairs: { at: string; actor?: string }[];
  /** When the open period that was notified began (one notification per open period). */
  notifiedFor?: string;
}

export interface BreakerVerdict {
  open: boolean;
  /** When repairs resume. */
  until?: string;
  /** Who caused the drifts in the window, most frequent first. */
  actors: string[];
  /** The open period's start: the oldest repair that keeps the breaker open. */
  openedBy?: string;
  /** This open period has not been notified yet. */
  notify: boolean;
}

export const emptyBreaker = (): BreakerState => ({ repairs: [] });

const inWindow = (state: BreakerState, now: Date, policy: BreakerPolicy) => state.repairs.filter((r) => Date.parse(r.at) > now.getTime() - policy.windowMs);

export function breakerVerdict(state: BreakerState, now: Date, policy: BreakerPolicy): BreakerVerdict {
  const recent = inWindow(state, now, policy);
  const counts = new Map<string, number>();
  for (const r of recent) if (r.actor) counts.set(r.actor, (counts.get(r.actor) ?? 0) + 1);
  const actors = [...counts].sort((a, b) => b[1] - a[1]).map(([a]) => a);
  if (recent.length < policy.maxRepairs) return { open: false, actors, notify: false };
  // Open while maxRepairs repairs lie within the window: it closes when the oldest of the last maxRepairs leaves it.
  const decisive = recent[recent.length - policy.maxRepairs]!;
  const until = new Date(Date.parse(decisive.at) + policy.windowMs).toISOString();
  return { open: true, until, actors, openedBy: decisive.at, notify: state.notifiedFor !== decisive.at };
}

export function recordRepair(state: BreakerState, at: Date, actor: string | undefined, policy: BreakerPolicy): BreakerState {
  return { ...state, repairs: [...inWindow(state, at, policy), { at: at.toISOString(), ...(actor && { actor }) }] };
}

export const markNotified = (state: BreakerState, verdict: BreakerVerdict): BreakerState => ({ ...state, ...(verdict.openedBy && { notifiedFor: verdict.openedBy }) });
