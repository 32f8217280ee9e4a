/**
 * A stored sweep result as text people read: a terminal table (per account-region, each source's finding, the calls
 * planned or made with their outcome, and the Insights clock before -> after) and the same as Markdown (a pull
 * request, a ticket, a wiki page). The helpers compose plain text; each renderer escapes for its sink where it
 * writes (lib/report/escape.ts): every table line for the terminal, every Markdown piece for Markdown. Pure.
 */
import type { InsightsClock } from '../domain/insights-clock';
import { utcMinute } from '../domain/names';
import { markdown, markdownCell, markdownCodeCell, markdownParagraph, terminal } from './escape';
import { driftLeft, type StoredAccountRegion, type StoredAction, type StoredSource, type StoredSweepResult } from './sweep-result';

export function clockText(c: InsightsClock): string {
  if (c.status === 'pending-first-delivery') return `pending first delivery until ${c.windowEnd ? utcMinute(c.windowEnd) : 'unknown'}`;
  return c.status === 'delivering' ? 'delivering' : 'off';
}

export const kindText = (s: { kind: string }): string => (s.kind === 'trail' ? 'trail' : 'store');

export function statusText(s: StoredSource): string {
  return s.repaired ? 'REPAIRED' : s.status.toUpperCase();
}

const VERBS = new Map<string, string>([
  ['applied', 'applied'],
  ['planned', 'would call'],
  ['skipped', 'skipped'],
  ['failed', 'failed'],
]);
// A Map, not an object literal: an outcome read from a file may be "constructor" or "__proto__".
export const actionVerb = (a: StoredAction): string => VERBS.get(a.outcome) ?? String(a.outcome);

export function actionText(a: StoredAction): string {
  return `${actionVerb(a)}: ${a.operation} ${JSON.stringify(a.input)}${a.detail ? ` (${a.detail})` : ''}`;
}

/**
 * Why a pending clock waits and until when, for trails and event data stores alike, in the AWS user guide's terms:
 * "CloudTrail may take up to 36 hours to begin delivering Insights events" on a trail, and "up to 7 days" on an event
 * data store, after Insights are first enabled, re-enabled, or logging (ingestion) is stopped and restarted
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-understanding.html). Undefined when
 * the clock is not pending.
 */
export function deliveryWindowText(kind: string, clock: InsightsClock): string | undefined {
  if (clock.status !== 'pending-first-delivery') return undefined;
  const by = clock.windowEnd ? utcMinute(clock.windowEnd) : 'unknown';
  return kind === 'trail'
    ? `CloudTrail may take up to 36 hours to deliver Insights on a trail after they are enabled or logging restarts: expected by ${by}`
    : `CloudTrail may take up to 7 days to deliver Insights on an event data store after they are enabled or ingestion restarts: expected by ${by}`;
}

/** "off -> pending first delivery until T", or just the clock when it did not move. */
export function clockChangeText(s: StoredSource): string {
  const before = clockText(s.clockBefore);
  if (s.clockIfRepaired) return `${before} (if repaired: ${clockText(s.clockIfRepaired)})`;
  const after = clockText(s.clockAfter);
  return before === after ? before : `${before} -> ${after}`;
}

/** Sources the policy judges here; the rest (Insights destinations, shadow copies, unselected) get one line. */
export const judged = (ar: StoredAccountRegion): StoredSource[] => ar.sources.filter((s) => s.status !== 'out-of-scope');
export const outOfScopeNote = (ar: StoredAccountRegion): string | undefined => {
  const out = ar.sources.filter((s) => s.status === 'out-of-scope');
  return out.length ? `out of scope: ${out.map((s) => `${s.name} (${s.summary})`).join('; ')}` : undefined;
};

export const accountRegionTitle = (ar: StoredAccountRegion): string => `${ar.accountId}${ar.accountName ? ` (${ar.accountName})` : ''} ${ar.region}`;

/** The account-region's coverage in one line: who analyzes it, or what would, or what a person must do. */
export function coverageText(ar: StoredAccountRegion): string | undefined {
  const c = ar.coverage;
  if (!c) return undefined;
  const redundant = c.redundant ? 'REDUNDANT, ' : '';
  switch (c.status) {
    case 'covered':
      return `${redundant}COVERED: ${c.message}`;
    case 'pending-first-delivery':
      return `${redundant}PENDING FIRST DELIVERY until ${c.pendingUntil ? utcMinute(c.pendingUntil) : 'unknown'}: ${c.message}`;
    case 'uncovered':
      return `NO INSIGHTS IN THIS ACCOUNT-REGION: ${c.message}${c.carrier ? `; the plan repairs ${nameOf(c.carrier)}` : ''}${c.remedy ? `; a person must: ${c.remedy}` : ''}`;
    case 'exempt':
      return `EXEMPT: ${c.message}`;
    case 'unknown':
      return `COVERAGE UNKNOWN: ${c.message}`;
  }
}

const nameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

function accountRegionNote(ar: StoredAccountRegion): string | undefined {
  if (ar.status !== 'done' && ar.coverage?.status !== 'covered' && ar.coverage?.status !== 'pending-first-delivery')
    return `${ar.status.toUpperCase()}: ${ar.error ? `${ar.error.name}: ${ar.error.message}` : 'not swept'}`;
  const coverage = coverageText(ar);
  if (coverage) return coverage;
  if (judged(ar).length === 0) return ar.shadows.length ? `no sources of its own; organization and multi-region copies: ${ar.shadows.map((s) => s.name).join(', ')}` : 'no trails or event data stores';
  return undefined;
}

/** Account-regions by coverage, for a summary: "12 covered (12 pending first delivery), 0 uncovered, 3 redundant". */
export function coverageLine(result: StoredSweepResult): string | undefined {
  const c = result.summary.coverage;
  if (!c) return undefined;
  return [
    `${c.covered + c.pendingFirstDelivery} covered${c.pendingFirstDelivery ? ` (${c.pendingFirstDelivery} pending first delivery)` : ''}`,
    `${c.uncovered} uncovered`,
    ...(c.exempt ? [`${c.exempt} exempt`] : []),
    ...(c.unknown ? [`${c.unknown} unknown`] : []),
    `${c.redundant} analyzed more than once`,
  ].join(', ');
}

export function summaryLine(result: StoredSweepResult): string {
  const s = result.summary;
  const coverage = coverageLine(result);
  const sources = [
    `${s.compliant} compliant`,
    `${s.repaired} repaired`,
    `${s.pendingFirstDelivery} pending first delivery${s.latestPending ? ` (latest expected by ${utcMinute(s.latestPending)})` : ''}`,
    `${s.exempt} exempt`,
    `${s.drifted} drifted`,
    `${s.notRemediable} not remediable`,
    ...(s.notNeeded ? [`${s.notNeeded} not needed for coverage`] : []),
    `${s.unreachable.length + s.failed.length} account-region(s) unreachable or failed`,
    `${result.writesApplied} write(s)`,
  ].join(', ');
  return coverage ? `account-regions: ${coverage}; sources: ${sources}` : sources;
}

/** What the coverage plan chose and what it costs, in a few lines. */
export function planLines(result: StoredSweepResult): string[] {
  const p = result.coveragePlan;
  if (!p) return [];
  const made = result.mode === 'report' ? 'would make' : 'made';
  const lines = [
    p.repairs.length
      ? `coverage plan: ${p.repairs.map((r) => `${nameOf(r.arn)} (${r.writes} write(s), covers ${r.covers} account-region(s)${r.duplicates ? `, ${r.duplicates} analyzed twice` : ''})`).join('; ')}`
      : 'coverage plan: no carrier to repair',
    `plan cost: ${made} ${p.cost.writes} write(s); sources newly billed for Insights: ${p.cost.sourcesNewlyBilled}; management-event copies added: ${p.cost.managementCopiesAdded}; Insights clocks restarted: ${p.cost.clocksRestarted}`,
  ];
  if (p.redundantCarriers.length) lines.push(`redundant Insights (billed again for what a preferred carrier analyzes): ${p.redundantCarriers.map(nameOf).join(', ')}`);
  if (p.disable.length) lines.push(`turned off as redundant: ${p.disable.map((d) => `${nameOf(d.arn)} (kept by ${d.keptBy.map(nameOf).join(', ')})`).join('; ')}`);
  return lines;
}

const money = (currency: string | undefined, n: number): string => `${currency ?? 'USD'} ${n.toFixed(2)}`;

/** Last month's measured Insights spend, and what is billed where redundant carriers live; or why it is unknown. */
export function spendLines(result: StoredSweepResult): string[] {
  const s = result.spend;
  if (!s) return [];
  if (s.status === 'unknown') return [`Insights spend unknown (Cost Explorer): ${s.reason ?? 'no reason given'}`];
  const lines = [`Insights spend ${s.period.start} to ${s.period.end} (Cost Explorer, as billed): ${money(s.currency, s.total)} in ${s.byAccountRegion.filter((x) => x.amount > 0).length} account-region(s)`];
  if (s.redundant.accountRegions.length)
    lines.push(
      `billed where redundant carriers live: up to ${money(s.currency, s.redundant.total)} (${s.redundant.accountRegions.map((x) => `${x.accountId} ${x.region} ${money(s.currency, x.amount)}: ${x.carriers.map(nameOf).join(', ')}`).join('; ')})`,
    );
  return lines;
}

export function renderTable(result: StoredSweepResult): string {
  const lines = [
    `Insights sweep ${result.sweepId}: mode ${result.mode}, objective ${result.objective ?? 'everySource'}, ${result.accountRegions.length} account-region(s) of ${result.organization.accounts.length} account(s) x ${result.organization.regions.length} region(s), ${result.endpoint}`,
    `finished ${utcMinute(result.finishedAt)}`,
  ];
  for (const sk of result.organization.skipped) lines.push(`skipped account ${sk.id}: ${sk.reason}`);
  lines.push(...planLines(result), ...spendLines(result));
  // Names as the terminal will show them, so the columns line up after escaping.
  const width = Math.max(8, ...result.accountRegions.flatMap((ar) => ar.sources.map((s) => terminal(s.name).length)));
  for (const ar of result.accountRegions) {
    lines.push('', accountRegionTitle(ar));
    const note = accountRegionNote(ar);
    if (note) lines.push(`  ${note}`);
    for (const s of judged(ar)) {
      lines.push(`  ${kindText(s).padEnd(5)} ${terminal(s.name).padEnd(width)}  ${statusText(s)}: ${s.summary}`);
      const indent = ' '.repeat(9 + width);
      for (const a of s.actions) lines.push(`${indent}${actionText(a)}`);
      for (const b of s.blockers.filter((x) => !x.transient)) lines.push(`${indent}a person must: ${b.remedy}`);
      lines.push(`${indent}Insights clock: ${clockChangeText(s)}`);
      const wait = deliveryWindowText(s.kind, s.clockIfRepaired ?? s.clockAfter);
      if (wait) lines.push(`${indent}${wait}`);
    }
    const out = outOfScopeNote(ar);
    if (out) lines.push(`  ${out}`);
  }
  const left = driftLeft(result);
  lines.push('', `summary: ${summaryLine(result)}`, left.length ? `drift left (${left.length}): exit 1` : 'no drift left: exit 0');
  // Each line escaped whole: a line break inside a name shows as ^J, and only the joins below break lines.
  return lines.map(terminal).join('\n');
}

export function renderMarkdown(result: StoredSweepResult): string {
  const lines = [
    `# Insights sweep ${markdown(result.sweepId)}`,
    '',
    `Mode **${markdown(result.mode)}**, objective **${markdown(result.objective ?? 'everySource')}**, ${result.accountRegions.length} account-region(s), finished ${markdown(utcMinute(result.finishedAt))}, against ${markdown(result.endpoint)}.`,
    '',
    `**Summary**: ${markdown(summaryLine(result))}.`,
  ];
  const plan = [...planLines(result), ...spendLines(result)];
  if (plan.length) lines.push('', ...plan.map((l) => `- ${markdown(l)}`));
  const left = driftLeft(result);
  if (left.length) lines.push('', `**Drift left** (${left.length}):`, '', ...left.map((l) => `- ${markdown(l)}`));
  for (const ar of result.accountRegions) {
    lines.push('', `## ${markdown(accountRegionTitle(ar))}`, '');
    const note = accountRegionNote(ar);
    if (note) lines.push(markdownParagraph(note), '');
    const out = outOfScopeNote(ar);
    if (out) lines.push(markdownParagraph(out), '');
    if (judged(ar).length === 0) continue;
    lines.push('| source | kind | status | finding | calls | Insights clock |', '|---|---|---|---|---|---|');
    for (const s of judged(ar)) lines.push(markdownRow(s));
  }
  return lines.join('\n');
}

function markdownRow(s: StoredSource): string {
  const calls = s.actions.map((a) => `${markdownCell(a.outcome)} ${markdownCodeCell(a.operation)}`).join('<br>') || '-';
  return `| ${markdownCodeCell(s.name)} | ${kindText(s)} | ${markdownCell(statusText(s))} | ${markdownCell(s.summary)} | ${calls} | ${markdownCell(clockChangeText(s))} |`;
}
