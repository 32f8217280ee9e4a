/**
 * Reading a stored sweep result back (`insights-remediator report FILE`): the shape checked on load, and the one-line
 * error that names what is wrong with a file that is not one. CLI only: the schema uses full zod, which the Lambda
 * functions do not bundle.
 */
import * as z from 'zod';
import { SWEEP_RESULT_FORMAT, type StoredSweepResult } from './sweep-result';

export class SweepResultFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepResultFileError';
  }
}

// The shape checked on load: every field the renderers (render-text.ts, render-html.ts, timeline.ts) and the sweep
// digest (lib/notify/slack-message.ts, from `summary`) read, with the type they use it as, so that a truncated,
// garbled or hand-edited file is refused here in one line instead of failing half-way through a page. Objects stay
// loose (a newer writer may add fields); fields added after version 1 was first written (objective, coveragePlan,
// spend, summary.notNeeded / coverage / spend) are optional; a field not read is checked only when present.
const text = z.string();
const count = z.number();
const texts = z.array(z.string());
const isoTime = z.iso.datetime({ offset: true });
const clockShape = z.looseObject({
  status: z.enum(['off', 'pending-first-delivery', 'delivering']),
  windowStart: text.optional(),
  windowEnd: isoTime.optional(),
  channels: z.array(z.looseObject({ channel: text, status: z.enum(['off', 'pending-first-delivery', 'delivering']) })),
});
const actionShape = z.looseObject({ operation: text, outcome: z.enum(['applied', 'planned', 'skipped', 'failed']), why: text, input: z.unknown(), detail: text.optional() });
const sourceShape = z.looseObject({
  arn: text,
  kind: z.enum(['trail', 'eventDataStore']),
  name: text,
  accountId: text,
  region: text,
  status: z.enum(['compliant', 'pending-first-delivery', 'drifted', 'exempt', 'not-remediable', 'out-of-scope', 'not-needed']),
  summary: text,
  reasons: z.array(z.looseObject({ code: text, message: text })).optional(),
  blockers: z.array(z.looseObject({ code: text.optional(), message: text.optional(), remedy: text, transient: z.boolean() })),
  clockBefore: clockShape,
  clockAfter: clockShape,
  clockIfRepaired: clockShape.optional(),
  actions: z.array(actionShape),
  repaired: z.boolean(),
  driftLeft: z.boolean(),
});
const coverageShape = z.looseObject({
  status: z.enum(['covered', 'pending-first-delivery', 'uncovered', 'exempt', 'unknown']),
  analyzedBy: texts.optional(),
  pendingUntil: isoTime.optional(),
  redundant: z.boolean().optional(),
  carrier: text.optional(),
  message: text,
  remedy: text.optional(),
});
const accountRegionShape = z.looseObject({
  accountId: text,
  accountName: text.optional(),
  region: text,
  status: z.enum(['done', 'unreachable', 'failed']),
  error: z.looseObject({ class: text.optional(), name: text, message: text }).optional(),
  coverage: coverageShape.optional(),
  sources: z.array(sourceShape),
  notSelected: z.array(z.looseObject({ name: text })).optional(),
  shadows: z.array(z.looseObject({ name: text })),
});
const coverageCountsShape = z.looseObject({ covered: count, pendingFirstDelivery: count, uncovered: count, exempt: count, unknown: count, redundant: count });
const summarySpendShape = z.looseObject({
  status: z.enum(['known', 'unknown']),
  reason: text.optional(),
  period: z.looseObject({ start: text, end: text }),
  currency: text.optional(),
  total: count,
  redundantTotal: count,
  redundantAccountRegions: count,
});
const summaryShape = z.looseObject({
  sweepId: text,
  complete: z.boolean(),
  timedOut: z.boolean(),
  expected: count,
  reported: count,
  compliant: count,
  repaired: count,
  pendingFirstDelivery: count,
  latestPending: isoTime.optional(),
  exempt: count,
  drifted: count,
  notRemediable: count,
  unreachable: texts,
  failed: texts,
  neverReported: texts,
  writes: count,
  notNeeded: count.optional(),
  coverage: coverageCountsShape.optional(),
  spend: summarySpendShape.optional(),
  topProblems: z.array(z.tuple([text, count])),
  needsPerson: texts,
});
const coveragePlanShape = z.looseObject({
  repairs: z.array(z.looseObject({ arn: text, covers: count, duplicates: count, writes: count })),
  disable: z.array(z.looseObject({ arn: text, keptBy: texts })),
  cost: z.looseObject({ writes: count, sourcesNewlyBilled: count, managementCopiesAdded: count, clocksRestarted: count }),
  redundantCarriers: texts,
});
const spendShape = z.looseObject({
  status: z.enum(['known', 'unknown']),
  reason: text.optional(),
  period: z.looseObject({ start: text, end: text }),
  currency: text.optional(),
  total: count,
  byAccountRegion: z.array(z.looseObject({ accountId: text, region: text, amount: count })),
  redundant: z.looseObject({ total: count, accountRegions: z.array(z.looseObject({ accountId: text, region: text, amount: count, carriers: texts })) }),
});
const storedShape = z.looseObject({
  format: z.literal(SWEEP_RESULT_FORMAT),
  version: z.literal(1),
  sweepId: text,
  mode: z.enum(['enforce', 'report']),
  objective: z.enum(['coverage', 'everySource']).optional(),
  coveragePlan: coveragePlanShape.optional(),
  spend: spendShape.optional(),
  startedAt: text.optional(),
  finishedAt: isoTime,
  endpoint: text,
  organization: z.looseObject({
    managementAccountId: text,
    accounts: z.array(z.looseObject({ id: text, name: text, ou: z.looseObject({ id: text, name: text.optional() }).optional() })),
    skipped: z.array(z.looseObject({ id: text, reason: text })),
    regions: texts,
  }),
  writesApplied: count,
  writeBudgetLeft: count.optional(),
  summary: summaryShape,
  accountRegions: z.array(accountRegionShape),
});

/** Reads a stored result, or says in one line why the text is not one. */
export function parseStoredSweepResult(text: string, origin: string): StoredSweepResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SweepResultFileError(`${origin} is not JSON: ${(e as Error).message}`);
  }
  const r = storedShape.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.map(String).join('.') || '(top level)';
    throw new SweepResultFileError(`${origin} is not a stored sweep result (insights-remediator sweep --output FILE): ${where}: ${issue.message}`);
  }
  return data as StoredSweepResult;
}
