/**
 * AWS Cost Explorer, GetCostAndUsage only (Smithy model `com.amazonaws.costexplorer#AWSInsightsIndexService`,
 * awsJson1_1, target prefix AWSInsightsIndexService, one endpoint signed for us-east-1): the world's billed line items
 * (`costs` in the world file) aggregated per calendar month, filtered by dimension expressions and grouped by up to two
 * dimensions, with the access rules of an organization: the management account sees every linked account's costs, a
 * member account only its own. Each rule cites its source; what AWS does not document is marked UNVERIFIED.
 * Sources: API Reference https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html
 * (the model's documentation of `GetCostAndUsageRequest` and its members is that page's text).
 */
import { createHash } from 'node:crypto';
import type { SimClock } from './clock';
import { SimError, fail } from './errors';
import type { Caller, SimState } from './state';

type Input = Record<string, unknown>;
export interface CostExplorerContext {
  state: SimState;
  caller: Caller;
  region: string;
  clock: SimClock;
}
type Op = (input: Input, ctx: CostExplorerContext) => Record<string, unknown>;

interface LineItem {
  account: string;
  service: string;
  usageType: string;
  region: string;
  amount: number;
}

/** The dimensions the simulator filters and groups by, and the line item field each one reads. */
const DIMENSIONS = { LINKED_ACCOUNT: 'account', SERVICE: 'service', USAGE_TYPE: 'usageType', REGION: 'region' } as const;
type DimensionKey = keyof typeof DIMENSIONS;
const isDimension = (k: unknown): k is DimensionKey => typeof k === 'string' && k in DIMENSIONS;

/** Valid metric names (`com.amazonaws.costexplorer#GetCostAndUsageRequest$Metrics`). */
const METRICS = ['AmortizedCost', 'BlendedCost', 'NetAmortizedCost', 'NetUnblendedCost', 'NormalizedUsageAmount', 'UnblendedCost', 'UsageQuantity'];
/**
 * The cost metrics the simulator computes. The world has no Reserved Instances, Savings Plans or discounts, so the
 * blended, amortized and net costs all equal the unblended cost (a simplification, UNVERIFIED for real bills);
 * usage quantities are not in the world.
 */
const COST_METRICS = new Set(['AmortizedCost', 'BlendedCost', 'NetAmortizedCost', 'NetUnblendedCost', 'UnblendedCost']);

const invalid = (message: string) => new SimError('ValidationException', message);
const notImplemented = (what: string) => invalid(`${what} is not implemented by this simulator`);

export function costExplorerOperations(options: { pageSize: number }): Record<string, Op> {
  return { GetCostAndUsage: (input, ctx) => getCostAndUsage(input, ctx, options.pageSize) };
}

function getCostAndUsage(input: Input, ctx: CostExplorerContext, pageSize: number): Record<string, unknown> {
  const { state, caller } = ctx;
  const costs = state.world.costs;
  // The service's one endpoint, ce.us-east-1.amazonaws.com, is signed for us-east-1 (the endpoint rules of
  // `com.amazonaws.costexplorer#AWSInsightsIndexService`); another region in the credential scope is refused. The code
  // and message are UNVERIFIED (SigV4's scope check).
  if (ctx.region !== 'us-east-1') fail('InvalidSignatureException', `Credential should be scoped to a valid region, not '${ctx.region}'.`, 403);
  // IAM first: the caller's policies must allow ce:GetCostAndUsage (an identity-based policy denial; the message is the
  // IAM format, https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). The model lists no
  // AccessDeniedException for the operation: clients get an unmodeled error by that name.
  if (costs?.deniedCallers.some((d) => d === caller.account || d === caller.accessKeyId))
    fail('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: ce:GetCostAndUsage because no identity-based policy allows the ce:GetCostAndUsage action`);
  // Never enabled: Cost Explorer is enabled by opening it once in the console, never by API
  // (https://docs.aws.amazon.com/cost-management/latest/userguide/ce-enable.html); the API then answers
  // AccessDeniedException "User not enabled for cost explorer access" (observed by users:
  // https://github.com/aws-samples/aws-cost-explorer-report/issues/15).
  const notEnabled = 'User not enabled for cost explorer access';
  if (costs && !costs.enabled) fail('AccessDeniedException', notEnabled);
  // The management account grants Cost Explorer to all member accounts or none
  // (https://docs.aws.amazon.com/cost-management/latest/userguide/ce-access.html); a member refused it gets the same
  // answer as an account without Cost Explorer (UNVERIFIED).
  const management = state.isManagement(caller.account);
  if (!management && !(costs?.memberAccess ?? false)) fail('AccessDeniedException', notEnabled);

  const period = timePeriod(input.TimePeriod as { Start: string; End: string }, ctx.clock);
  if (input.Granularity !== 'MONTHLY') throw notImplemented(`Granularity ${String(input.Granularity)} (only MONTHLY)`);
  const metrics = metricNames(input.Metrics as string[]);
  const groupBy = groupDefinitions(input.GroupBy as { Type?: string; Key?: string }[] | undefined);
  const matches = input.Filter === undefined ? () => true : expression(input.Filter as Input, 'Filter');
  if (input.BillingViewArn !== undefined) throw notImplemented('BillingViewArn');
  // "The requested data is unavailable." (`com.amazonaws.costexplorer#DataUnavailableException`): here, while the
  // world says the data is not prepared yet (after enabling, the current month takes about 24 hours and the rest a few
  // days longer: ce-enable above).
  if (costs && !costs.dataAvailable) fail('DataUnavailableException', 'Data is not available. Please try to adjust the time period.');

  // LINKED_ACCOUNT visibility: "Management account in an organization in Organizations have access to all member
  // accounts" (`com.amazonaws.costexplorer#GetCostAndUsage`); member accounts see only their own costs
  // (https://repost.aws/knowledge-center/organization-cost-explorer-iam: "Member account owners can't view Cost
  // Explorer information for other accounts").
  const visible = (i: LineItem) => management || i.account === caller.account;
  const unit = costs?.currency ?? 'USD';
  const nowMonth = monthKey(new Date(ctx.clock.nowMs()));

  const results = months(period).map(({ key, start, end, fraction }) => {
    const items = (costs?.months[key] ?? []).filter((i) => visible(i) && matches(i));
    // A part of a month counts its share of days: the world holds monthly totals (real bills hold line items per day
    // or hour; proration is the simulator's simplification).
    const amounts = items.map((i) => ({ item: i, amount: i.amount * fraction }));
    // The current month is still estimated (`com.amazonaws.costexplorer#ResultByTime$Estimated`); when a closed month
    // stops being estimated is UNVERIFIED: here, as soon as it is over.
    const base = { TimePeriod: { Start: start, End: end }, Estimated: key === nowMonth };
    if (groupBy.length === 0) return { ...base, Total: metricValues(metrics, sum(amounts.map((a) => a.amount)), unit), groups: [] as Group[] };
    const byKeys = new Map<string, { keys: string[]; amount: number }>();
    for (const { item, amount } of amounts) {
      const keys = groupBy.map((g) => item[DIMENSIONS[g]]);
      const id = JSON.stringify(keys);
      const g = byKeys.get(id) ?? { keys, amount: 0 };
      g.amount += amount;
      byKeys.set(id, g);
    }
    // With GroupBy, Total is empty and the amounts are in Groups (the CLI's example output:
    // https://docs.aws.amazon.com/cli/latest/reference/ce/get-cost-and-usage.html). Group order is UNVERIFIED: sorted.
    const groups = [...byKeys.values()].sort((a, b) => compareKeys(a.keys, b.keys)).map((g) => ({ Keys: g.keys, Metrics: metricValues(metrics, g.amount, unit) }));
    return { ...base, Total: {}, groups };
  });

  // Pages hold up to `pageSize` groups across all periods; every page repeats the periods (UNVERIFIED: AWS documents
  // only that a NextPageToken comes "when the response from a previous call has more results than the maximum page
  // size", `com.amazonaws.costexplorer#GetCostAndUsageResponse$NextPageToken`).
  const requestHash = hashOf(input, caller);
  const offset = input.NextPageToken === undefined ? 0 : pageOffset(String(input.NextPageToken), requestHash);
  const flat = results.flatMap((r, p) => r.groups.map((g) => ({ p, g })));
  const page = flat.slice(offset, offset + pageSize);
  const next = offset + pageSize < flat.length ? Buffer.from(JSON.stringify({ o: offset + pageSize, h: requestHash })).toString('base64') : undefined;
  const resultsByTime = results.map(({ groups: _all, ...r }, p) => ({ ...r, Groups: page.filter((x) => x.p === p).map((x) => x.g) }));

  // "if the value is a linked account, the attribute is that account name"
  // (`com.amazonaws.costexplorer#GetCostAndUsageResponse$DimensionValueAttributes`; the attribute key `description`:
  // the LINKED_ACCOUNT entry of `com.amazonaws.costexplorer#GetDimensionValuesRequest$Context`).
  const accountAt = groupBy.indexOf('LINKED_ACCOUNT');
  const accounts = accountAt < 0 ? [] : [...new Set(page.map((x) => x.g.Keys[accountAt]!))].sort();
  return {
    ...(groupBy.length > 0 && { GroupDefinitions: groupBy.map((Key) => ({ Type: 'DIMENSION', Key })) }),
    ResultsByTime: resultsByTime,
    DimensionValueAttributes: accounts.map((Value) => ({ Value, Attributes: { description: state.account(Value)?.name ?? Value } })),
    ...(next && { NextPageToken: next }),
  };
}

type Group = { Keys: string[]; Metrics: Record<string, { Amount: string; Unit: string }> };

/**
 * TimePeriod: YYYY-MM-DD dates, "The start date is inclusive, but the end date is exclusive"
 * (`com.amazonaws.costexplorer#GetCostAndUsageRequest$TimePeriod`), the start "no later than the current date to avoid
 * a validation error" (`com.amazonaws.costexplorer#DateInterval$Start`). Start before End; the messages are
 * UNVERIFIED. The model's pattern also allows a time (for HOURLY), which the simulator does not serve.
 */
function timePeriod(tp: { Start: string; End: string }, clock: SimClock): { start: number; end: number } {
  const day = (s: string, what: string): number => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
    if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s) throw invalid(`${what} ${s} is not a valid date (YYYY-MM-DD; times are for HOURLY granularity, which this simulator does not serve)`);
    return ms;
  };
  const start = day(tp.Start, 'Start');
  const end = day(tp.End, 'End');
  if (start >= end) throw invalid('Start date (and hour) should be before end date (and hour)');
  if (start > clock.nowMs()) throw invalid(`Start date ${tp.Start} is after the current date`);
  return { start, end };
}

function metricNames(metrics: string[]): string[] {
  // "Metrics is required for GetCostAndUsage requests" (`com.amazonaws.costexplorer#GetCostAndUsageRequest$Metrics`).
  if (metrics.length === 0) throw invalid('Metrics must name at least one metric');
  for (const m of metrics) {
    if (!METRICS.includes(m)) throw invalid(`Invalid metric "${m}": valid values are ${METRICS.join(', ')}`);
    if (!COST_METRICS.has(m)) throw notImplemented(`Metric ${m}`);
  }
  return [...new Set(metrics)];
}

/**
 * "You can group Amazon Web Services costs using up to two different groups"
 * (`com.amazonaws.costexplorer#GetCostAndUsageRequest$GroupBy`). The simulator groups by the DIMENSION type only, on
 * LINKED_ACCOUNT, SERVICE, USAGE_TYPE (in that member's documented list) and REGION (a dimension of
 * `com.amazonaws.costexplorer#GetDimensionValuesRequest$Context` for COST_AND_USAGE, but missing from the GroupBy
 * list: accepted, UNVERIFIED).
 */
function groupDefinitions(groupBy: { Type?: string; Key?: string }[] | undefined): DimensionKey[] {
  const out: DimensionKey[] = [];
  if (!groupBy) return out;
  if (groupBy.length > 2) throw invalid('You can group by up to two different groups');
  for (const g of groupBy) {
    if (g.Type !== 'DIMENSION') throw notImplemented(`GroupBy type ${String(g.Type)} (only DIMENSION)`);
    if (!isDimension(g.Key)) throw notImplemented(`GroupBy dimension ${String(g.Key)} (only ${Object.keys(DIMENSIONS).join(', ')})`);
    if (out.includes(g.Key)) throw invalid(`GroupBy names ${g.Key} twice`); // UNVERIFIED
    out.push(g.Key);
  }
  return out;
}

/**
 * A filter Expression as a predicate on line items (`com.amazonaws.costexplorer#Expression`): exactly one root
 * operator, with the model's documented message when there are more; Dimensions values are ORed ("lists of dimension
 * values are combined with OR"); And, Or, Not nest. "Valid values for MatchOptions for Dimensions are EQUALS and
 * CASE_SENSITIVE" (`com.amazonaws.costexplorer#GetCostAndUsageRequest$Filter`), which are also the defaults
 * (`com.amazonaws.costexplorer#DimensionValues$MatchOptions`): exact, case-sensitive matches. Tags and cost categories
 * are not in the world.
 */
function expression(e: Input, path: string): (i: LineItem) => boolean {
  const roots = ['And', 'Or', 'Not', 'Dimensions', 'Tags', 'CostCategories'].filter((k) => e[k] !== undefined);
  if (roots.length > 1) throw invalid('Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories');
  if (roots.length === 0) throw invalid(`${path}: an Expression needs one of And, Or, Not, Dimensions, Tags, CostCategories`); // message UNVERIFIED
  const [root] = roots as [string];
  if (root === 'And' || root === 'Or') {
    const parts = (e[root] as Input[]).map((x, i) => expression(x, `${path}.${root}.${i + 1}`));
    if (parts.length === 0) throw invalid(`${path}.${root} needs at least one Expression`); // UNVERIFIED
    return root === 'And' ? (i) => parts.every((p) => p(i)) : (i) => parts.some((p) => p(i));
  }
  if (root === 'Not') {
    const inner = expression(e.Not as Input, `${path}.Not`);
    return (i) => !inner(i);
  }
  if (root !== 'Dimensions') throw notImplemented(`Filter on ${root}`);
  const d = e.Dimensions as { Key?: string; Values?: string[]; MatchOptions?: string[] };
  const bad = (d.MatchOptions ?? []).find((m) => m !== 'EQUALS' && m !== 'CASE_SENSITIVE');
  if (bad) throw invalid(`${path}.Dimensions: MatchOptions ${bad} is not supported for Dimensions: valid values are EQUALS and CASE_SENSITIVE`);
  if (!isDimension(d.Key)) throw notImplemented(`Filter on dimension ${String(d.Key)} (only ${Object.keys(DIMENSIONS).join(', ')})`);
  if (!d.Values || d.Values.length === 0) throw invalid(`${path}.Dimensions: Values must name at least one value`); // UNVERIFIED
  const field = DIMENSIONS[d.Key];
  const values = new Set(d.Values);
  return (i) => values.has(i[field]);
}

/** The calendar months the period touches, each clipped to it, with the share of the month's days it covers. */
function months(period: { start: number; end: number }): { key: string; start: string; end: string; fraction: number }[] {
  const out: { key: string; start: string; end: string; fraction: number }[] = [];
  const first = new Date(period.start);
  for (let y = first.getUTCFullYear(), m = first.getUTCMonth(); ; m++) {
    const monthStart = Date.UTC(y, m, 1);
    if (monthStart >= period.end) break;
    const monthEnd = Date.UTC(y, m + 1, 1);
    const from = Math.max(monthStart, period.start);
    const to = Math.min(monthEnd, period.end);
    out.push({ key: monthKey(new Date(monthStart)), start: isoDay(from), end: isoDay(to), fraction: (to - from) / (monthEnd - monthStart) });
  }
  return out;
}

/** Amounts as decimal strings, as the service returns them (e.g. "40.3543773134", the CLI example above). */
function metricValues(metrics: string[], amount: number, unit: string): Record<string, { Amount: string; Unit: string }> {
  const text = String(Number(amount.toFixed(10)) || 0);
  return Object.fromEntries(metrics.map((m) => [m, { Amount: text, Unit: unit }]));
}

/** "Try again with the old parameters or without a pagination token" (`com.amazonaws.costexplorer#RequestChangedException`). */
function pageOffset(token: string, requestHash: string): number {
  let parsed: { o?: unknown; h?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown; h?: unknown };
  } catch {
    parsed = {};
  }
  if (typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0 || typeof parsed.h !== 'string')
    throw new SimError('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');
  if (parsed.h !== requestHash) throw new SimError('RequestChangedException', 'Your request parameters changed between pages. Try again with the old parameters or without a pagination token.');
  return parsed.o;
}

function hashOf(input: Input, caller: Caller): string {
  const { NextPageToken: _token, ...request } = input;
  return createHash('sha256').update(`${caller.account}\n${JSON.stringify(request)}`).digest('hex').slice(0, 16);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const monthKey = (d: Date) => d.toISOString().slice(0, 7);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const compareKeys = (a: string[], b: string[]) => a.join('\u0000').localeCompare(b.join('\u0000'));
