/**
 * Carriers: the trails and event data stores whose Insights can analyze an account-region's management events, what
 * each covers as AWS documents it, and how far each is from analyzing. Pure.
 *
 * What a source covers:
 * - an organization trail: every account of the organization, in every region when multi-Region, else its home
 *   region (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html; "You can
 *   create either a single-Region or multi-Region organization trail");
 * - an organization event data store: every account of the organization
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake-organizations.html), in every region
 *   when multi-Region (`com.amazonaws.cloudtrail#EventDataStore$MultiRegionEnabled`), else its home region;
 * - any other source: its own account, in every region when multi-Region, else its home region.
 * CloudTrail bills Insights separately for each trail and event data store that has them on
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-costs.html), so an account-region
 * analyzed by two carriers is paid for twice.
 */
import type { Decision } from './decide';
import { driftReasons } from './decide';
import { trailCoverage, advancedCoverage } from './event-selectors';
import type { DecisionContext, SourceKind, SourceState } from './model';
import type { CarrierKind, Policy } from '../policy/schema';
import { matchesAnyGlob } from './glob';

export interface AccountRegion {
  accountId: string;
  region: string;
}

export const accountRegionKey = (a: AccountRegion): string => `${a.accountId}/${a.region}`;

export interface Carrier {
  arn: string;
  kind: SourceKind;
  name: string;
  /** Owner account (the management account for organization sources) and home region: where it is written. */
  accountId: string;
  homeRegion: string;
  multiRegion: boolean;
  organization: boolean;
  carrierKind: CarrierKind;
  /** Insights analyze the management events it logs with the policy's types, and it is logging or ingesting. */
  analyzing: boolean;
  /** Analyzing but still inside its first-delivery window: delivery is expected by then. */
  pendingUntil?: string;
  /** Insights are on at all: CloudTrail bills this source for Insights. */
  billed: boolean;
  /** The product may write it: in scope, selected and not exempt. */
  writable: boolean;
  /** The writes that make it analyze, when it does not and the product may make them. */
  repair?: { writes: number; restartsClock: boolean; addsManagementCopy: boolean };
  /** Why it neither analyzes nor can be repaired: one line. */
  blocked?: string;
  /** Named by coverage.pin: used first for an uncovered account-region it covers. */
  pinned: boolean;
}

export function carrierKindOf(s: { kind: SourceKind; organization: boolean; multiRegion: boolean }): CarrierKind {
  if (s.kind === 'trail') return s.organization ? 'organizationTrail' : s.multiRegion ? 'multiRegionTrail' : 'regionalTrail';
  return s.organization ? 'organizationEventDataStore' : s.multiRegion ? 'multiRegionEventDataStore' : 'regionalEventDataStore';
}

const logsManagement = (s: SourceState): boolean => (s.kind === 'trail' ? trailCoverage(s.eventSelectors) : advancedCoverage(s.advancedEventSelectors)).anyManagement;

/**
 * The carrier a home copy is, from its decision; undefined for what can never analyze management events for anyone:
 * a shadow copy (its home copy is the carrier), an Insights destination store, a store pending deletion, and a source
 * that logs no management events (making it log them would make it a billed second copy; only everySource with
 * trails.managementEventsOnDataOnlyTrails add does that, and then its decision carries the repair).
 */
export function carrierOf(policy: Policy, source: SourceState, decision: Decision, context: DecisionContext): Carrier | undefined {
  if (source.observedFromAccountId !== source.accountId || source.region !== source.homeRegion) return undefined;
  if (source.kind === 'eventDataStore') {
    if (advancedCoverage(source.advancedEventSelectors).categories.includes('Insight') || source.status === 'PENDING_DELETION') return undefined;
  }
  const status = decision.finding.status;
  const repairable = status === 'drifted' && decision.actions.length > 0;
  if (!logsManagement(source) && !repairable) return undefined;
  const analyzing = source.insightSelectors.length > 0 && driftReasons(policy, source, context).length === 0;
  const writable = status !== 'out-of-scope' && status !== 'exempt';
  const carrier: Carrier = {
    arn: source.arn,
    kind: source.kind,
    name: source.name,
    accountId: source.accountId,
    homeRegion: source.homeRegion,
    multiRegion: source.multiRegion,
    organization: source.organizationOwned,
    carrierKind: carrierKindOf({ kind: source.kind, organization: source.organizationOwned, multiRegion: source.multiRegion }),
    analyzing,
    billed: source.insightSelectors.length > 0,
    writable,
    pinned: matchesAnyGlob(source.name, policy.coverage.pin) || matchesAnyGlob(source.arn, policy.coverage.pin),
  };
  if (analyzing && decision.clock.status === 'pending-first-delivery' && decision.clock.windowEnd) carrier.pendingUntil = decision.clock.windowEnd;
  if (!analyzing && repairable && writable)
    carrier.repair = {
      writes: decision.actions.length,
      restartsClock: decision.projectedClock.windowStart !== decision.clock.windowStart,
      addsManagementCopy: !logsManagement(source),
    };
  if (!analyzing && !carrier.repair) carrier.blocked = `${source.kind === 'trail' ? 'trail' : 'event data store'} ${source.name}: ${decision.finding.summary}`;
  return carrier;
}

/** Whether the carrier's Insights analyze this account-region's management events. */
export function covers(c: Carrier, ar: AccountRegion, organizationAccounts: ReadonlySet<string>): boolean {
  const account = c.organization ? ar.accountId === c.accountId || organizationAccounts.has(ar.accountId) : ar.accountId === c.accountId;
  return account && (c.multiRegion || ar.region === c.homeRegion);
}

/** Preference among carriers: pinned first, then the policy's ranking of kinds, then the ARN (stable). */
export function preferenceOrder(policy: Policy): (a: Carrier, b: Carrier) => number {
  const rank = (c: Carrier) => policy.coverage.carrierPreference.indexOf(c.carrierKind);
  return (a, b) => Number(b.pinned) - Number(a.pinned) || rank(a) - rank(b) || a.arn.localeCompare(b.arn);
}
