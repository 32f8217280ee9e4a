// Generated stored results, hostile text in every string field, unknown values where a status or an outcome goes,
// any number where a count goes, optional fields present or not: every renderer takes them without throwing, and each
// sink holds (no markup, link, ping or control character that is not the product's own). 10,000 results, each
// rendered as a table, Markdown, HTML, a sweep digest and a digest: 10,000 runs of one property.
import fc from 'fast-check';
import type { InsightsClock } from '../../../lib/domain/insights-clock';
import { digestMessage, sweepDigestMessage } from '../../../lib/notify/slack-message';
import type { RemediationResult } from '../../../lib/pipeline/remediate';
import { renderHtml } from '../../../lib/report/render-html';
import { renderMarkdown, renderTable } from '../../../lib/report/render-text';
import { SWEEP_RESULT_FORMAT, type StoredAccountRegion, type StoredSource, type StoredSweepResult } from '../../../lib/report/sweep-result';
import type { SweepSummary } from '../../../lib/report/summary';
import { slackProblems } from '../lib/notify/slack-structure';
import { reportData } from '../../../lib/report/html-data';
import { embeddedData, foreignMarkup } from './html-structure';
import { foreignMarkdown } from './markdown-structure';
import { HOSTILE_TEXTS } from './stored-results';

const RUNS = 10_000;

// Fragments that mean something to some sink, glued together and with random text (any code point) in between.
const FRAGMENTS = [
  ...HOSTILE_TEXTS,
  ...['<img src=x onerror="window.__pwned=2">', 'javascript:alert(1)', '](javascript:alert(1))', '![x](https://evil/x.png)', '<br>', '</style>', '</title>'],
  ...['&lt;script&gt;', '&amp;', '&', '<', '>', '"', "'", '`', '``', '\\', '|', '*', '_', '~~', '#', '- ', '1. ', '[', ']', '(', ')', '!'],
  ...['\n', '\r\n', '\t', '\x00', '\x7f', '\u009b2J', '\u2028', '\u2066', '\u200f', '\u061c', 'constructor', '__proto__', 'toString'],
];
const text = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 5 }), fc.string({ maxLength: 5 })), { maxLength: 4 }).map((parts) => parts.join(''));
const oneOf = <T extends string>(...known: T[]) => fc.oneof(fc.constantFrom(...known), text) as fc.Arbitrary<T>;
const number = fc.oneof(fc.integer({ min: -3, max: 1_000_000 }), fc.double());
const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const time = fc.oneof(iso, text);
const few = <T>(arb: fc.Arbitrary<T>, maxLength = 2) => fc.array(arb, { maxLength });

const clock: fc.Arbitrary<InsightsClock> = fc.record(
  { status: oneOf('off', 'pending-first-delivery', 'delivering'), windowStart: time, windowEnd: time, channels: fc.constant([]) },
  { requiredKeys: ['status', 'channels'] },
);

const source: fc.Arbitrary<StoredSource> = fc.record(
  {
    arn: text,
    kind: oneOf('trail', 'eventDataStore'),
    name: text,
    accountId: text,
    region: text,
    status: oneOf('compliant', 'pending-first-delivery', 'drifted', 'exempt', 'not-remediable', 'out-of-scope', 'not-needed'),
    summary: text,
    reasons: few(fc.record({ code: text, message: text })),
    blockers: few(fc.record({ code: text, message: text, remedy: text, transient: fc.boolean() })),
    exemption: fc.record({ reason: text, expiresAt: time }),
    clockBefore: clock,
    clockAfter: clock,
    clockIfRepaired: clock,
    actions: few(fc.record({ operation: text, input: fc.dictionary(text, text, { maxKeys: 2 }), why: text, outcome: oneOf('applied', 'planned', 'skipped', 'failed'), detail: text }, { requiredKeys: ['operation', 'input', 'why', 'outcome'] })),
    repaired: fc.boolean(),
    driftLeft: fc.boolean(),
  },
  { requiredKeys: ['arn', 'kind', 'name', 'accountId', 'region', 'status', 'summary', 'reasons', 'blockers', 'clockBefore', 'clockAfter', 'actions', 'repaired', 'driftLeft'] },
) as fc.Arbitrary<StoredSource>;

const coverage = fc.record(
  { accountId: text, region: text, status: oneOf('covered', 'pending-first-delivery', 'uncovered', 'exempt', 'unknown'), analyzedBy: few(text), pendingUntil: time, redundant: fc.boolean(), carrier: text, message: text, remedy: text },
  { requiredKeys: ['accountId', 'region', 'status', 'analyzedBy', 'redundant', 'message'] },
);

const accountRegion: fc.Arbitrary<StoredAccountRegion> = fc.record(
  {
    accountId: text,
    accountName: text,
    region: text,
    status: oneOf('done', 'unreachable', 'failed'),
    error: fc.record({ class: text, name: text, message: text }),
    coverage,
    sources: few(source, 3),
    notSelected: fc.constant([]),
    shadows: few(fc.record({ kind: oneOf('trail', 'eventDataStore'), arn: text, name: text, ownerAccountId: text, homeRegion: text })),
  },
  { requiredKeys: ['accountId', 'region', 'status', 'sources', 'notSelected', 'shadows'] },
) as fc.Arbitrary<StoredAccountRegion>;

const summary: fc.Arbitrary<SweepSummary> = fc.record(
  {
    sweepId: text,
    complete: fc.boolean(),
    timedOut: fc.boolean(),
    expected: number,
    reported: number,
    compliant: number,
    repaired: number,
    pendingFirstDelivery: number,
    latestPending: time,
    exempt: number,
    drifted: number,
    notRemediable: number,
    unreachable: few(text),
    failed: few(text),
    neverReported: few(text),
    writes: number,
    notNeeded: number,
    coverage: fc.record({ covered: number, pendingFirstDelivery: number, uncovered: number, exempt: number, unknown: number, redundant: number }),
    spend: fc.record(
      { status: oneOf('known', 'unknown'), reason: text, period: fc.record({ start: text, end: text }), currency: text, total: number, redundantTotal: number, redundantAccountRegions: number },
      { requiredKeys: ['status', 'period', 'total', 'redundantTotal', 'redundantAccountRegions'] },
    ),
    topProblems: few(fc.tuple(text, number)),
    needsPerson: few(text),
  },
  { requiredKeys: ['sweepId', 'complete', 'timedOut', 'expected', 'reported', 'compliant', 'repaired', 'pendingFirstDelivery', 'exempt', 'drifted', 'notRemediable', 'unreachable', 'failed', 'neverReported', 'writes', 'notNeeded', 'topProblems', 'needsPerson'] },
);

const coveragePlan = fc.record({
  repairs: few(fc.record({ arn: text, covers: number, duplicates: number, writes: number, newlyBilled: fc.boolean(), restartsClock: fc.boolean() })),
  disable: few(fc.record({ arn: text, keptBy: few(text) })),
  cost: fc.record({ writes: number, sourcesNewlyBilled: number, managementCopiesAdded: number, clocksRestarted: number }),
  redundantCarriers: few(text),
});

const spend = fc.record(
  {
    status: oneOf('known', 'unknown'),
    reason: text,
    period: fc.record({ start: text, end: text }),
    currency: text,
    total: number,
    byAccountRegion: few(fc.record({ accountId: text, region: text, amount: number })),
    redundant: fc.record({ total: number, accountRegions: few(fc.record({ accountId: text, region: text, amount: number, carriers: few(text) })) }),
  },
  { requiredKeys: ['status', 'period', 'total', 'byAccountRegion', 'redundant'] },
);

const storedResult: fc.Arbitrary<StoredSweepResult> = fc.record(
  {
    format: fc.constant(SWEEP_RESULT_FORMAT),
    version: fc.constant(1 as const),
    sweepId: text,
    mode: oneOf('enforce', 'report'),
    objective: oneOf('coverage', 'everySource'),
    coveragePlan,
    spend,
    startedAt: time,
    finishedAt: time,
    endpoint: text,
    organization: fc.record({ managementAccountId: text, accounts: few(fc.record({ id: text, name: text })), skipped: few(fc.record({ id: text, reason: text })), regions: few(text) }),
    writesApplied: number,
    writeBudgetLeft: number,
    summary,
    accountRegions: few(accountRegion, 3),
  },
  { requiredKeys: ['format', 'version', 'sweepId', 'mode', 'startedAt', 'finishedAt', 'endpoint', 'organization', 'writesApplied', 'writeBudgetLeft', 'summary', 'accountRegions'] },
) as fc.Arbitrary<StoredSweepResult>;

/** The same run as the remediation result the Lambda digest reads: decisions and outcomes from the stored sources. */
function remediationOf(r: StoredSweepResult): RemediationResult {
  const decisionOf = (s: StoredSource) => ({
    source: { arn: s.arn, kind: s.kind, name: s.name, accountId: s.accountId, homeRegion: s.region },
    finding: { status: s.status, summary: s.summary, reasons: s.reasons, blockers: s.blockers },
    clock: s.clockBefore,
    projectedClock: s.clockIfRepaired ?? s.clockAfter,
    actions: [],
  });
  const outcomesOf = (s: StoredSource) => s.actions.map((a) => ({ action: { sourceArn: s.arn, operation: a.operation, why: a.why }, status: a.outcome, error: { name: a.detail, message: a.detail } }));
  return {
    mode: r.mode,
    writesApplied: r.writesApplied,
    writeBudgetLeft: r.writeBudgetLeft,
    results: r.accountRegions.map((ar) => ({ ...ar, decisions: ar.sources.map(decisionOf), outcomes: ar.sources.flatMap(outcomesOf), verified: [], clockUpdates: [], carriers: [] })),
  } as unknown as RemediationResult;
}

// What a terminal acts on: C0 but the renderer's own line breaks, DEL, C1, and bidi controls.
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HTML_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Every way a rendering of `result` breaks its sink, one line each: [] when all hold (one expect per run keeps it fast). */
function problemsRendering(result: StoredSweepResult, undelivered: string[], title: string): string[] {
  const table = renderTable(result);
  const md = renderMarkdown(result);
  const page = renderHtml(result);
  // Attribute names are the product's own: no event handler in any tag once the quoted values are set aside, and no
  // javascript: where a browser would follow it (a URL attribute, of which the page has none, or a style).
  const tags = page.match(/<[^>]*>/g)!.map((tag) => tag.replace(/="[^"]*"/g, '=""'));
  return [
    ...(TERMINAL_CONTROL.test(table) ? ['table: a control character'] : []),
    ...foreignMarkdown(md).map((p) => `markdown: ${p}`),
    ...(TERMINAL_CONTROL.test(md) ? ['markdown: a control character'] : []),
    // The product's two script elements aside (foreignMarkup checks them), no <script of theirs.
    ...((page.match(/<script/gi)?.length ?? 0) !== 2 ? ['html: a <script that is not the product\'s'] : []),
    ...(JSON.stringify(embeddedData(page).data) !== JSON.stringify(reportData(result)) ? ['html: the embedded data does not read back as the data rendered'] : []),
    ...tags.filter((tag) => /\son[a-z]+=/i.test(tag)).map((tag) => `html: an event handler in ${tag}`),
    ...(/\s(?:href|src|action|formaction|style)="[^"]*javascript:/i.test(page) ? ['html: a javascript: URL'] : []),
    ...foreignMarkup(page).map((p) => `html: ${p}`),
    ...(HTML_CONTROL.test(page) ? ['html: a control character'] : []),
    ...slackProblems(sweepDigestMessage(result.summary, undelivered)).map((p) => `sweep digest: ${p}`),
    ...slackProblems(digestMessage(remediationOf(result), title, undelivered)).map((p) => `digest: ${p}`),
  ];
}

describe(`rendering ${RUNS.toLocaleString('en')} generated stored results with hostile text everywhere`, () => {
  it('never throws, and no sink gets markup, a link, a ping or a control character that is not the product\'s own', () => {
    fc.assert(
      fc.property(storedResult, fc.array(text, { maxLength: 2 }), text, (result, undelivered, title) => {
        expect(problemsRendering(result, undelivered, title)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
