/**
 * What a trail's or event data store's event selectors log, and the smallest selector change that makes them log the
 * management events Insights need. Pure. Field rules:
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html and
 * `com.amazonaws.cloudtrail#EventSelector`; how they add up to "logs write management events" is INFERRED (AWS
 * documents no such rule; see docs/rules.md for the choices made where the documentation is silent).
 */
import type { AdvancedEventSelector, AdvancedFieldSelector, BasicEventSelector, TrailEventSelectors } from './model';

export interface EventCoverage {
  /** Read management events logged by at least one selector without positive narrowing filters. */
  managementRead: boolean;
  managementWrite: boolean;
  /** Management events logged only through selectors that filter positively (eventName, userIdentity.arn, ...). */
  narrowedRead: boolean;
  narrowedWrite: boolean;
  /** Any selector logs management events at all (narrowed or not). */
  anyManagement: boolean;
  /**
   * Read or write data events are logged (needed for Data-category Insights,
   * `com.amazonaws.cloudtrail#PutInsightSelectors`).
   */
  dataEvents: boolean;
  /** The eventCategory values the selectors name, e.g. ['Insight'] for an Insights destination store. */
  categories: string[];
}

export type ManagementNeed = 'none' | 'readOrWrite' | 'write';

const POSITIVE_OPERATORS = ['Equals', 'StartsWith', 'EndsWith'] as const;
const ALL_OPERATORS = [...POSITIVE_OPERATORS, 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;
/** Fields whose conditions decide category and direction, not which events of them are logged. */
const STRUCTURAL_FIELDS = new Set(['eventCategory', 'readOnly']);

const field = (s: AdvancedEventSelector, name: string): AdvancedFieldSelector | undefined => s.FieldSelectors.find((f) => f.Field === name);
const categoriesOf = (s: AdvancedEventSelector): string[] => field(s, 'eventCategory')?.Equals ?? [];

/**
 * `readOnly` takes only Equals "true" / "false"; absent means both directions
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html).
 */
function directions(s: AdvancedEventSelector): { read: boolean; write: boolean } {
  const ro = field(s, 'readOnly');
  if (!ro) return { read: true, write: true };
  const eq = ro.Equals ?? [];
  return { read: eq.includes('true'), write: eq.includes('false') };
}

/**
 * A selector is narrowed when another field filters positively (logs only some management events). Exclusions
 * (NotEquals, NotStartsWith, NotEndsWith), e.g. eventSource NotEquals kms.amazonaws.com, still count as logging
 * management events (on trails the only eventSource condition allowed is such an exclusion:
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html; that it still counts is
 * INFERRED).
 */
const isNarrowed = (s: AdvancedEventSelector): boolean =>
  s.FieldSelectors.some((f) => !STRUCTURAL_FIELDS.has(f.Field) && POSITIVE_OPERATORS.some((op) => (f[op]?.length ?? 0) > 0));

export function advancedCoverage(selectors: readonly AdvancedEventSelector[]): EventCoverage {
  const cov = emptyCoverage();
  for (const s of selectors) {
    const cats = categoriesOf(s);
    for (const c of cats) if (!cov.categories.includes(c)) cov.categories.push(c);
    if (cats.includes('Data')) cov.dataEvents = true;
    if (!cats.includes('Management')) continue;
    const { read, write } = directions(s);
    if (!read && !write) continue;
    cov.anyManagement = true;
    if (isNarrowed(s)) {
      cov.narrowedRead ||= read;
      cov.narrowedWrite ||= write;
    } else {
      cov.managementRead ||= read;
      cov.managementWrite ||= write;
    }
  }
  return cov;
}

const logsManagement = (s: BasicEventSelector): boolean => s.IncludeManagementEvents !== false;
const rw = (s: BasicEventSelector) => ({
  read: (s.ReadWriteType ?? 'All') !== 'WriteOnly',
  write: (s.ReadWriteType ?? 'All') !== 'ReadOnly',
});

export function basicCoverage(selectors: readonly BasicEventSelector[]): EventCoverage {
  const cov = emptyCoverage();
  for (const s of selectors) {
    if ((s.DataResources?.length ?? 0) > 0) cov.dataEvents = true;
    if (!logsManagement(s)) continue;
    const { read, write } = rw(s);
    cov.anyManagement = true;
    cov.managementRead ||= read;
    cov.managementWrite ||= write;
  }
  cov.categories = [...(cov.anyManagement ? ['Management'] : []), ...(cov.dataEvents ? ['Data'] : [])];
  return cov;
}

export const trailCoverage = (sel: TrailEventSelectors): EventCoverage =>
  sel.kind === 'basic' ? basicCoverage(sel.selectors) : advancedCoverage(sel.selectors);

export function satisfies(cov: EventCoverage, need: ManagementNeed): boolean {
  if (need === 'write') return cov.managementWrite;
  if (need === 'readOrWrite') return cov.managementRead || cov.managementWrite;
  return true;
}

function emptyCoverage(): EventCoverage {
  return { managementRead: false, managementWrite: false, narrowedRead: false, narrowedWrite: false, anyManagement: false, dataEvents: false, categories: [] };
}

export type SelectorRepair<T> =
  | { ok: true; changed: false }
  | { ok: true; changed: true; selectors: T; summary: string }
  | { ok: false; code: 'managementEventsNarrowed' | 'selectorLimitReached'; message: string; remedy: string };

/** "By default ... log all read and write management events" (`com.amazonaws.cloudtrail#PutEventSelectors`). */
export const DEFAULT_MANAGEMENT_SELECTOR_NAME = 'Management events';
// "A trail can have up to 5 event selectors" and "500 total values for all conditions"
// (`com.amazonaws.cloudtrail#InvalidEventSelectorsException`); "up to five advanced event selectors for each event data
// store" (`com.amazonaws.cloudtrail#CreateEventDataStoreRequest$AdvancedEventSelectors`).
const MAX_BASIC_SELECTORS = 5;
const MAX_EDS_ADVANCED_SELECTORS = 5;
const MAX_ADVANCED_CONDITION_VALUES = 500;

/**
 * Basic selectors: the smallest change that logs the needed management events while every data resource keeps
 * being logged exactly as before.
 * - a management-only selector is widened to ReadWriteType All;
 * - a selector that mixes management and data events is split: it keeps its data resources with management
 *   events off, and a management-only All selector is added (widening it in place would also start logging the
 *   other direction of its data events: a cost nobody asked for);
 * - otherwise a management-only All selector is added, if the trail has fewer than 5 selectors.
 */
export function repairBasicSelectors(selectors: readonly BasicEventSelector[], need: ManagementNeed): SelectorRepair<BasicEventSelector[]> {
  if (satisfies(basicCoverage(selectors), need)) return { ok: true, changed: false };
  const mgmtOnly = selectors.findIndex((s) => logsManagement(s) && (s.DataResources?.length ?? 0) === 0);
  if (mgmtOnly >= 0) {
    const next = selectors.map((s, i) => (i === mgmtOnly ? { ...s, ReadWriteType: 'All' as const } : s));
    return { ok: true, changed: true, selectors: next, summary: `event selector ${mgmtOnly + 1}: ReadWriteType ${selectors[mgmtOnly]!.ReadWriteType ?? 'All'} -> All` };
  }
  const mixed = selectors.findIndex(logsManagement);
  const added: BasicEventSelector = { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] };
  if (mixed >= 0) {
    if (selectors.length >= MAX_BASIC_SELECTORS) return limitReached('5 event selectors');
    const mixedSel = selectors[mixed]!;
    added.ExcludeManagementEventSources = [...(mixedSel.ExcludeManagementEventSources ?? [])];
    const next = [...selectors.map((s, i) => (i === mixed ? { ...s, IncludeManagementEvents: false } : s)), added];
    return { ok: true, changed: true, selectors: next, summary: `management events moved from event selector ${mixed + 1} (data resources kept) to a new All selector` };
  }
  if (selectors.length >= MAX_BASIC_SELECTORS) return limitReached('5 event selectors');
  return { ok: true, changed: true, selectors: [...selectors, added], summary: 'added an event selector logging all management events' };
}

/**
 * Advanced selectors (trails and event data stores): drop a `readOnly` restriction from an unnarrowed management
 * selector, or add `{eventCategory Equals Management}`. Data-event selectors are never touched. Selectors that log
 * management events only through positive filters are left to a person: widening them changes what the source
 * ingests and bills.
 */
export function repairAdvancedSelectors(
  selectors: readonly AdvancedEventSelector[],
  need: ManagementNeed,
  kind: 'trail' | 'eventDataStore',
): SelectorRepair<AdvancedEventSelector[]> {
  const cov = advancedCoverage(selectors);
  if (satisfies(cov, need)) return { ok: true, changed: false };
  const full = selectors.findIndex((s) => categoriesOf(s).includes('Management') && !isNarrowed(s));
  if (full >= 0) {
    const s = selectors[full]!;
    const next = selectors.map((x, i) => (i === full ? { ...x, FieldSelectors: x.FieldSelectors.filter((f) => f.Field !== 'readOnly') } : x));
    return { ok: true, changed: true, selectors: next, summary: `selector "${s.Name ?? full + 1}": removed the readOnly condition so read and write management events are logged` };
  }
  if (cov.narrowedRead || cov.narrowedWrite) {
    return {
      ok: false,
      code: 'managementEventsNarrowed',
      message: 'management events are logged only through selectors that filter them (eventName, eventSource, userIdentity.arn, ...)',
      remedy: 'widen the management-event selector to all management events (or the needed read/write direction), or exempt this source',
    };
  }
  const values = selectors.flatMap((s) => s.FieldSelectors).reduce((n, f) => n + ALL_OPERATORS.reduce((k, op) => k + (f[op]?.length ?? 0), 0), 0);
  if (kind === 'eventDataStore' && selectors.length >= MAX_EDS_ADVANCED_SELECTORS) return limitReached('5 advanced event selectors');
  if (values + 1 > MAX_ADVANCED_CONDITION_VALUES) return limitReached('500 condition values');
  const added: AdvancedEventSelector = { Name: DEFAULT_MANAGEMENT_SELECTOR_NAME, FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };
  return { ok: true, changed: true, selectors: [...selectors, added], summary: 'added an advanced selector logging all management events' };
}

function limitReached(limit: string): SelectorRepair<never> {
  return {
    ok: false,
    code: 'selectorLimitReached',
    message: `no selector logs the needed management events and the source already has ${limit} (CloudTrail's limit)`,
    remedy: 'merge or remove an event selector, then let the next sweep add management events',
  };
}
