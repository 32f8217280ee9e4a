// Stored sweep results for the renderer tests, built in memory: a plausible default, overridden per test, and the
// hostile text a member-account admin (or anyone who can edit the file) may put in any string field.
import type { InsightsClock } from '../../../lib/domain/insights-clock';
import { SWEEP_RESULT_FORMAT, type StoredAccountRegion, type StoredAction, type StoredSource, type StoredSweepResult } from '../../../lib/report/sweep-result';
import type { SweepSummary } from '../../../lib/report/summary';

export const HOSTILE = {
  script: '<script>alert(1)</script>',
  attribute: '" onmouseover=alert(1) x="',
  markdownLink: '[click](https://evil)',
  slackPing: '<!channel>',
  slackLink: '<https://evil|click>',
  terminal: '\x1b[2J\x1b]0;pwned\x07',
  bidi: '\u202Eexe.txt',
} as const;

export const HOSTILE_TEXTS: readonly string[] = Object.values(HOSTILE);

export const FINISHED = '2026-11-21T12:00:00.000Z';

const pending: InsightsClock = {
  status: 'pending-first-delivery',
  windowStart: FINISHED,
  windowEnd: '2026-11-23T00:00:00.000Z',
  channels: [{ channel: 'ApiCallRateInsight:Management', status: 'pending-first-delivery', basis: 'enabled', since: FINISHED, until: '2026-11-23T00:00:00.000Z' }],
};
const off: InsightsClock = { status: 'off', channels: [] };

export function aStoredAction(overrides: Partial<StoredAction> = {}): StoredAction {
  return { operation: 'PutInsightSelectors', input: { TrailName: 'audit' }, why: 'Insights are off', outcome: 'applied', ...overrides };
}

export function aStoredSource(overrides: Partial<StoredSource> = {}): StoredSource {
  const name = overrides.name ?? 'audit';
  return {
    arn: `arn:aws:cloudtrail:us-east-1:222222222222:trail/${name}`,
    kind: 'trail',
    name,
    accountId: '222222222222',
    region: 'us-east-1',
    status: 'drifted',
    summary: 'Insights are off',
    reasons: [{ code: 'insightsOff', message: 'Insights are off' }],
    blockers: [],
    clockBefore: off,
    clockAfter: pending,
    actions: [aStoredAction()],
    repaired: false,
    driftLeft: true,
    ...overrides,
  };
}

export function aStoredAccountRegion(overrides: Partial<StoredAccountRegion> = {}): StoredAccountRegion {
  return { accountId: '222222222222', accountName: 'payments', region: 'us-east-1', status: 'done', sources: [aStoredSource()], notSelected: [], shadows: [], ...overrides };
}

export function aSummary(overrides: Partial<SweepSummary> = {}): SweepSummary {
  return {
    sweepId: 'sweep-1',
    complete: true,
    timedOut: false,
    expected: 1,
    reported: 1,
    compliant: 0,
    repaired: 0,
    pendingFirstDelivery: 0,
    exempt: 0,
    drifted: 1,
    notRemediable: 0,
    unreachable: [],
    failed: [],
    neverReported: [],
    writes: 1,
    notNeeded: 0,
    topProblems: [['insightsOff', 1]],
    needsPerson: [],
    ...overrides,
  };
}

export function aStoredResult(overrides: Partial<StoredSweepResult> = {}): StoredSweepResult {
  return {
    format: SWEEP_RESULT_FORMAT,
    version: 1,
    sweepId: 'sweep-1',
    mode: 'enforce',
    objective: 'everySource',
    startedAt: '2026-11-21T11:58:00.000Z',
    finishedAt: FINISHED,
    endpoint: 'aws',
    organization: { managementAccountId: '111111111111', accounts: [{ id: '222222222222', name: 'payments' }], skipped: [], regions: ['us-east-1'] },
    writesApplied: 1,
    writeBudgetLeft: 99,
    summary: aSummary(),
    accountRegions: [aStoredAccountRegion()],
    ...overrides,
  };
}

/** One account-region whose account name, source names, summaries, remedies, calls and errors all hold `text`. */
export function everywhere(text: string): StoredSweepResult {
  const source = aStoredSource({
    name: text,
    arn: `arn:aws:cloudtrail:us-east-1:222222222222:trail/${text}`,
    summary: text,
    reasons: [{ code: 'insightsOff', message: text }],
    blockers: [{ code: 'destinationMissing', message: text, remedy: text, transient: false }],
    actions: [aStoredAction({ operation: text, why: text, detail: text, outcome: 'failed', input: { TrailName: text } })],
  });
  return aStoredResult({
    sweepId: text,
    endpoint: text,
    organization: { managementAccountId: text, accounts: [{ id: '222222222222', name: text }], skipped: [{ id: text, reason: text }], regions: ['us-east-1'] },
    summary: aSummary({ sweepId: text, needsPerson: [text], unreachable: [text], neverReported: [text], topProblems: [[text, 1]] }),
    accountRegions: [
      aStoredAccountRegion({ accountName: text, sources: [source, aStoredSource({ name: `${text}-shadowed`, status: 'out-of-scope', summary: text })], shadows: [{ kind: 'trail', arn: text, name: text, ownerAccountId: text, homeRegion: text }] }),
      aStoredAccountRegion({ accountId: text, accountName: text, region: text, status: 'unreachable', error: { class: 'accessDenied', name: text, message: text }, sources: [] }),
    ],
  });
}
