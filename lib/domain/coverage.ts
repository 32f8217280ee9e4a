/**
 * Account-region coverage: does anything deliver Insights for this account and region? Its own sources, or a copy
 * of an organization or multi-region trail or store seen there, count. Pure. Checked after a deleted source and in
 * sweeps, on the states projected after repairs.
 */
import { channelsOf, parseChannel } from './insight-channels';
import { isLoggingOn } from './insights-clock';
import type { SourceState } from './model';
import type { Policy } from '../policy/schema';

export type CoverageVerdict =
  | { required: false }
  | { required: true; covered: true; coveredBy: string[] }
  | { required: true; covered: false; message: string; remedy: string };

/**
 * `copies` are organization and multi-region sources seen here but read where they live: DescribeTrails tells whether
 * they have Insights (HasInsightSelectors), and their home copy's logging is checked there.
 */
export function assessCoverage(
  policy: Policy,
  where: { accountId: string; region: string },
  sources: readonly SourceState[],
  copies: readonly { arn: string; hasInsightSelectors: boolean }[] = [],
): CoverageVerdict {
  if (!policy.coverage.requireInsightsInEveryAccountRegion) return { required: false };
  const coveredBy = [
    ...sources.filter((s) => isLoggingOn(s) && [...channelsOf(s.insightSelectors)].some((c) => parseChannel(c).category === 'Management')).map((s) => s.arn),
    ...copies.filter((c) => c.hasInsightSelectors).map((c) => c.arn),
  ];
  if (coveredBy.length > 0) return { required: true, covered: true, coveredBy };
  return {
    required: true,
    covered: false,
    message: `no logging trail or event data store has Insights on management events in account ${where.accountId}, ${where.region}`,
    remedy: 'create a trail (or an organization trail from the management account) that logs management events; the next sweep enables its Insights',
  };
}
