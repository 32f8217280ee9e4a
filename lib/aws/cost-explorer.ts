/**
 * Measured CloudTrail Insights spend from AWS Cost Explorer: last month's actual charges per account and region, read
 * with one GetCostAndUsage request (plus its NextPageToken pages) from the management account, which sees every linked
 * account's costs ("Management account in an organization in Organizations have access to all member accounts",
 * `com.amazonaws.costexplorer#GetCostAndUsage`). Optional by design: without permission, without Cost Explorer, or
 * without data yet, the spend is "unknown" with the reason, never a failure of the sweep.
 *
 * The query, and why:
 * - Charges for Insights are the usage types `<region code>-InsightsEvents` (management events analyzed) and
 *   `<region code>-DataInsightsEvents` (data events analyzed, trails only): "You can identify the charges for Insights
 *   for management and data events on your bill by looking for the InsightsEvents and DataInsightsEvents usage type
 *   respectively" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-costs.html), and "Each
 *   Usage type begins with the code for the AWS Region where the charge was incurred"
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-costs.html). Bills in the wild read
 *   `USE1-InsightsEvents`, `EU-InsightsEvents`, `APS3-InsightsEvents` under the service "AWS CloudTrail".
 * - A filter cannot say "usage type contains InsightsEvents": "Valid values for MatchOptions for Dimensions are EQUALS
 *   and CASE_SENSITIVE" (`com.amazonaws.costexplorer#GetCostAndUsageRequest$Filter`). So the filter is SERVICE =
 *   "AWS CloudTrail" AND USAGE_TYPE = one of the explicit `<code>-InsightsEvents` / `<code>-DataInsightsEvents` names
 *   of the regions asked, with the region codes of https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html.
 * - Grouped by LINKED_ACCOUNT and USAGE_TYPE, both in the GroupBy member's documented list of DIMENSION keys
 *   (`com.amazonaws.costexplorer#GetCostAndUsageRequest$GroupBy`); REGION is not in that list, so the region is read
 *   back from the usage type's code, with the same table.
 * - UnblendedCost: the charge as billed on each line item; blended rates average Reserved Instance rates across an
 *   organization, which CloudTrail does not have (the Metrics member's documentation). Granularity MONTHLY, TimePeriod
 *   the last full calendar month in UTC, Start inclusive and End exclusive
 *   (`com.amazonaws.costexplorer#GetCostAndUsageRequest$TimePeriod`; that billing months are UTC months is
 *   UNVERIFIED).
 */
import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandInput, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import type { AwsConfig } from './clients';

/**
 * The one Cost Explorer permission, for the management account's role. `Resource: "*"`: the service authorization
 * reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscostexplorerservice.html) gives
 * GetCostAndUsage no resource type beyond a billing view, and this request names none (no BillingViewArn).
 */
export const COST_PERMISSIONS = { GetCostAndUsage: { action: 'ce:GetCostAndUsage', scope: ['*'] } } as const;

/** CloudTrail's SERVICE dimension value in Cost Explorer. */
export const CLOUDTRAIL_SERVICE = 'AWS CloudTrail';
/** The Insights usage types, after the region code (see the header). */
export const INSIGHTS_USAGE_TYPES = ['InsightsEvents', 'DataInsightsEvents'] as const;

/**
 * Region short codes of billing usage types
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html). The Europe,
 * Israel, Middle East, South America and GovCloud rows could not be read on that page here: EU, EUC1, EUN1, EUW2,
 * EUW3, MES1 and SAE1 are confirmed by CloudTrail bills in public code, EUS1 and UGW1 by public region lists; EUC2,
 * EUS2, ILC1, MEC1 and UGE1 are UNVERIFIED (the same naming scheme).
 */
export const REGION_BILLING_CODES: Readonly<Record<string, string>> = {
  'us-east-1': 'USE1',
  'us-east-2': 'USE2',
  'us-west-1': 'USW1',
  'us-west-2': 'USW2',
  'ca-central-1': 'CAN1',
  'ca-west-1': 'CAN2',
  'mx-central-1': 'MXC1',
  'af-south-1': 'AFS1',
  'ap-east-1': 'APE1',
  'ap-east-2': 'APE2',
  'ap-northeast-1': 'APN1',
  'ap-northeast-2': 'APN2',
  'ap-northeast-3': 'APN3',
  'ap-southeast-1': 'APS1',
  'ap-southeast-2': 'APS2',
  'ap-south-1': 'APS3',
  'ap-southeast-3': 'APS4',
  'ap-south-2': 'APS5',
  'ap-southeast-4': 'APS6',
  'ap-southeast-5': 'APS7',
  'ap-southeast-6': 'APS8',
  'ap-southeast-7': 'APS9',
  'eu-west-1': 'EU',
  'eu-west-2': 'EUW2',
  'eu-west-3': 'EUW3',
  'eu-central-1': 'EUC1',
  'eu-central-2': 'EUC2',
  'eu-north-1': 'EUN1',
  'eu-south-1': 'EUS1',
  'eu-south-2': 'EUS2',
  'il-central-1': 'ILC1',
  'me-central-1': 'MEC1',
  'me-south-1': 'MES1',
  'sa-east-1': 'SAE1',
  'us-gov-east-1': 'UGE1',
  'us-gov-west-1': 'UGW1',
};
const REGION_OF_CODE = new Map(Object.entries(REGION_BILLING_CODES).map(([region, code]) => [code, region]));

export interface InsightsSpend {
  status: 'known' | 'unknown';
  /** unknown: one line naming the cause. */
  reason?: string;
  /** The last full calendar month before `now`, Start inclusive, End exclusive (YYYY-MM-DD). */
  period: { start: string; end: string };
  currency?: string;
  /** Sorted by account, then region; amounts as numbers (the service sends decimal strings). */
  byAccountRegion: { accountId: string; region: string; amount: number }[];
  total: number;
  /** GetCostAndUsage requests made (pages), failed ones included. */
  calls: number;
  /** Cost Explorer marked the month's figures as estimated (`com.amazonaws.costexplorer#ResultByTime$Estimated`). */
  estimated?: boolean;
  /** Regions asked for whose billing code is unknown here: their spend is not in the query. */
  regionsWithoutBillingCode?: string[];
}

/** Pages followed at most: a guard against a token that never ends, far above any organization's group count. */
const MAX_PAGES = 50;

/**
 * The Cost Explorer client, built like lib/aws/clients.ts builds the others: the management account's credentials,
 * the endpoint override (the simulator), adaptive retries. Cost Explorer has one endpoint per partition, which the
 * endpoint rules of `com.amazonaws.costexplorer#AWSInsightsIndexService` pick from any region of it: ce.us-east-1
 * (aws), ce.cn-northwest-1 (aws-cn), ce.us-gov-west-1 (aws-us-gov), ce.eusc-de-east-1 (aws-eusc); so the home region
 * is given, not us-east-1. Few attempts: the API charges per request (pricing linked from the service's
 * documentation), and the spend is only informational.
 */
export function costExplorerClient(config: Pick<AwsConfig, 'credentials' | 'endpoint' | 'maxAttempts' | 'homeRegion'>): CostExplorerClient {
  return new CostExplorerClient({
    region: config.homeRegion ?? 'us-east-1',
    retryMode: 'adaptive',
    maxAttempts: Math.min(config.maxAttempts ?? 3, 3),
    ...(config.credentials && { credentials: config.credentials }),
    ...(config.endpoint && { endpoint: config.endpoint }),
  });
}

/** The last full calendar month before `now` (UTC): for any day of January 2027, 2026-12-01 to 2027-01-01. */
export function lastFullMonth(now: Date): { start: string; end: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { start: day(Date.UTC(y, m - 1, 1)), end: day(Date.UTC(y, m, 1)) };
}

/** The GetCostAndUsage request for Insights spend in `period` and the regions with a billing code (see the header). */
export function insightsSpendQuery(period: { start: string; end: string }, regions: readonly string[]): GetCostAndUsageCommandInput {
  const usageTypes = regions.flatMap((r) => INSIGHTS_USAGE_TYPES.map((t) => `${REGION_BILLING_CODES[r]}-${t}`));
  return {
    TimePeriod: { Start: period.start, End: period.end },
    Granularity: 'MONTHLY',
    Metrics: ['UnblendedCost'],
    Filter: {
      And: [{ Dimensions: { Key: 'SERVICE', Values: [CLOUDTRAIL_SERVICE] } }, { Dimensions: { Key: 'USAGE_TYPE', Values: usageTypes } }],
    },
    GroupBy: [
      { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
      { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
    ],
  };
}

/** The region a `<code>-InsightsEvents` / `<code>-DataInsightsEvents` usage type was charged in, if the code is known. */
export function regionOfUsageType(usageType: string): string | undefined {
  const m = /^([A-Z0-9]+)-(?:Data)?InsightsEvents$/.exec(usageType);
  return m ? REGION_OF_CODE.get(m[1]!) : undefined;
}

/**
 * Last month's Insights spend per account-region. Never throws: every failure of the request is "unknown" with a
 * one-line reason naming the error (AccessDeniedException without the permission or without Cost Explorer,
 * DataUnavailableException, LimitExceededException after the SDK's retries, a paging error, a network fault...),
 * because the figure is informational and the next sweep asks again. A failure on a later page discards the earlier
 * pages: a partial sum would understate the spend.
 */
export async function lastMonthInsightsSpend(client: CostExplorerClient, now: Date, options: { regions?: readonly string[] } = {}): Promise<InsightsSpend> {
  const period = lastFullMonth(now);
  const asked = [...new Set(options.regions ?? Object.keys(REGION_BILLING_CODES))];
  const regions = asked.filter((r) => REGION_BILLING_CODES[r] !== undefined);
  const missing = asked.filter((r) => REGION_BILLING_CODES[r] === undefined);
  const base = { period, byAccountRegion: [], total: 0, ...(missing.length > 0 && { regionsWithoutBillingCode: missing }) };
  if (regions.length === 0)
    return asked.length === 0 ? { ...base, status: 'known', calls: 0 } : { ...base, status: 'unknown', reason: `no billing region code is known for ${missing.join(', ')}`, calls: 0 };

  const query = insightsSpendQuery(period, regions);
  const sums = new Map<string, { accountId: string; region: string; amount: number }>();
  let currency: string | undefined;
  let estimated = false;
  let calls = 0;
  let token: string | undefined;
  do {
    if (calls === MAX_PAGES) return { ...base, status: 'unknown', reason: `GetCostAndUsage returned more than ${MAX_PAGES} pages`, calls };
    let page: GetCostAndUsageCommandOutput;
    calls++;
    try {
      page = await client.send(new GetCostAndUsageCommand({ ...query, ...(token && { NextPageToken: token }) }));
    } catch (error) {
      return { ...base, status: 'unknown', reason: reasonFor(error), calls };
    }
    for (const result of page?.ResultsByTime ?? []) {
      if (result.Estimated) estimated = true;
      for (const group of result.Groups ?? []) {
        // Keys follow the GroupBy order: LINKED_ACCOUNT, USAGE_TYPE.
        const [accountId, usageType] = group.Keys ?? [];
        const region = usageType === undefined ? undefined : regionOfUsageType(usageType);
        const metric = group.Metrics?.UnblendedCost;
        const amount = Number(metric?.Amount);
        if (!accountId || !region || !Number.isFinite(amount)) continue;
        if (metric?.Unit && currency && metric.Unit !== currency) return { ...base, status: 'unknown', reason: `Cost Explorer answered in two currencies, ${currency} and ${metric.Unit}`, calls };
        currency ??= metric?.Unit;
        const key = `${accountId}/${region}`;
        const entry = sums.get(key) ?? { accountId, region, amount: 0 };
        entry.amount += amount;
        sums.set(key, entry);
      }
    }
    token = page?.NextPageToken || undefined;
  } while (token);

  const byAccountRegion = [...sums.values()]
    .map((e) => ({ ...e, amount: round(e.amount) }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  return {
    ...base,
    status: 'known',
    ...(currency && { currency }),
    byAccountRegion,
    total: round(byAccountRegion.reduce((t, e) => t + e.amount, 0)),
    calls,
    ...(estimated && { estimated }),
  };
}

/** Cost Explorer sends amounts with up to 10 decimals: sums keep that precision, without binary noise. */
const round = (x: number) => Math.round(x * 1e10) / 1e10;

/**
 * One line: the error, AWS's message, and what it means here. AccessDeniedException is not in the operation's model
 * (the SDK raises an unmodeled error by that name); Cost Explorer never enabled answers it too, with "User not enabled
 * for cost explorer access" (https://github.com/aws-samples/aws-cost-explorer-report/issues/15), and it can be
 * enabled only from the console (https://docs.aws.amazon.com/cost-management/latest/userguide/ce-enable.html). The
 * other explanations are the modeled errors' documentation (`com.amazonaws.costexplorer#DataUnavailableException`,
 * `#BillExpirationException`, `#LimitExceededException`, `#InvalidNextTokenException`, `#RequestChangedException`).
 */
export function reasonFor(error: unknown): string {
  const e = error as { name?: string; message?: string };
  const name = e?.name ?? 'Error';
  const message = (e?.message ?? String(error)).replace(/\s+/g, ' ').trim();
  const meaning: Record<string, string> = {
    AccessDeniedException: /not enabled for cost explorer/i.test(message)
      ? 'Cost Explorer is not enabled: the management account enables it once in the Billing and Cost Management console'
      : 'the management account may not call ce:GetCostAndUsage',
    DataUnavailableException: 'Cost Explorer has no data for the month yet',
    BillExpirationException: 'Cost Explorer no longer has the month',
    LimitExceededException: 'Cost Explorer throttled the request; the next sweep asks again',
    InvalidNextTokenException: 'paging failed; the next sweep asks again',
    RequestChangedException: 'paging failed; the next sweep asks again',
  };
  return `${name}: ${message} (${meaning[name] ?? 'the next sweep asks again'})`;
}
