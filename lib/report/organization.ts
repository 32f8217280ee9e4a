/**
 * A stored sweep result seen organization-wide, as the HTML report's overview, coverage map and findings table and the
 * CSV and ASFF exports read it: each account-region's status on the map (one of seven, worst first), the
 * organizational unit each account sits in, the pending Insights windows grouped by when they end, and the findings:
 * one per source, and one per account-region whose coverage (or whose failure to be swept) is itself the finding.
 * Pure; text is returned as stored, each sink escapes it.
 */
import { coverageText, judged, statusText } from './render-text';
import type { StoredAccountRegion, StoredSource, StoredSweepResult } from './sweep-result';

/** Map statuses, in the order the legend lists them; worst-first precedence is MAP_PRECEDENCE. */
export const MAP_STATUSES = ['covered', 'pending', 'drifted', 'not-remediable', 'exempt', 'unreachable', 'out-of-scope'] as const;
export type MapStatus = (typeof MAP_STATUSES)[number];

export const MAP_STATUS_LABEL: Record<MapStatus, string> = {
  covered: 'covered',
  pending: 'pending first delivery',
  drifted: 'drifted',
  'not-remediable': 'not remediable',
  exempt: 'exempt',
  unreachable: 'unreachable',
  'out-of-scope': 'out of scope',
};

/** What each status means on the map, for the legend's tooltip and docs/cli.md. */
export const MAP_STATUS_MEANING: Record<MapStatus, string> = {
  covered: 'Insights analyze this account-region and are delivering',
  pending: 'Insights are on; CloudTrail may take up to 36 hours (trail) or 7 days (event data store) to deliver the first ones',
  drifted: 'nothing analyzes it, or a source drifted: the planned calls repair it (report mode, or a write skipped or failed)',
  'not-remediable': 'a person must act: the product cannot repair what is wrong here',
  exempt: 'the policy exempts it (or every source in it)',
  unreachable: 'not swept: the member role could not be assumed, or the sweep failed here',
  'out-of-scope': 'the policy does not name it (account skipped), or nothing here is judged',
};

const needsWork = (s: StoredSource) => s.driftLeft === true;

/** The clock that matters for a source: what report mode's calls would start, else what the run left. */
export const effectiveClock = (s: StoredSource) => s.clockIfRepaired ?? s.clockAfter;

/**
 * One account-region's status on the map. Worst first: not swept, a person must act, drift left (a source, or nothing
 * analyzing it), pending first delivery, covered; exempt when the policy exempts it; out of scope when nothing here is
 * judged and no coverage was assessed.
 */
export function mapStatusOf(ar: StoredAccountRegion): MapStatus {
  if (ar.status !== 'done') return 'unreachable';
  const sources = judged(ar);
  const c = ar.coverage;
  if (sources.some((s) => needsWork(s) && s.status === 'not-remediable') || (c?.status === 'uncovered' && c.remedy && !c.carrier)) return 'not-remediable';
  if (c?.status === 'uncovered' || sources.some(needsWork)) return 'drifted';
  if (c) {
    if (c.status === 'pending-first-delivery') return 'pending';
    if (c.status === 'covered') return 'covered';
    if (c.status === 'exempt') return 'exempt';
  }
  const counted = sources.filter((s) => s.status !== 'not-needed');
  if (counted.some((s) => effectiveClock(s).status === 'pending-first-delivery')) return 'pending';
  if (counted.some((s) => s.status === 'compliant' || s.repaired || s.status === 'pending-first-delivery')) return 'covered';
  if (counted.length > 0 && counted.every((s) => s.status === 'exempt')) return 'exempt';
  return 'out-of-scope';
}

export interface MapAccount {
  id: string;
  name: string;
  ou: string;
  /** Why the policy left it out; its cells are out of scope. */
  skipped?: string;
}

export interface MapCell {
  accountId: string;
  region: string;
  status: MapStatus;
  /** Absent for an account-region not swept (skipped account, or never reported). */
  accountRegion?: StoredAccountRegion;
}

export interface OrganizationMap {
  regions: string[];
  accounts: MapAccount[];
  /** Organizational units by name, each with its accounts in id order. */
  ous: { name: string; accounts: MapAccount[] }[];
  cells: Map<string, MapCell>;
  counts: Record<MapStatus, number>;
}

export const NO_OU = '(OU not recorded)';

export const cellKey = (accountId: string, region: string): string => `${accountId}/${region}`;

/** The OU label an account is grouped under: its name, else its id, else NO_OU. */
export const ouLabel = (a: { ou?: { id?: unknown; name?: unknown } } | undefined): string => {
  const name = a?.ou?.name;
  const id = a?.ou?.id;
  return typeof name === 'string' && name ? name : typeof id === 'string' && id ? id : NO_OU;
};

/**
 * The grid: every account the run names (swept, skipped, or only seen in an account-region) x every region it names.
 * A swept account with no stored account-region for a region was never reported: unreachable.
 */
export function organizationMap(result: StoredSweepResult): OrganizationMap {
  const regions = [...new Set([...result.organization.regions.map(String), ...result.accountRegions.map((ar) => String(ar.region))])];
  const accounts = new Map<string, MapAccount>();
  for (const a of result.organization.accounts) accounts.set(String(a.id), { id: String(a.id), name: String(a.name ?? ''), ou: ouLabel(a) });
  for (const sk of result.organization.skipped) if (!accounts.has(String(sk.id))) accounts.set(String(sk.id), { id: String(sk.id), name: '', ou: NO_OU, skipped: String(sk.reason) });
  for (const ar of result.accountRegions)
    if (!accounts.has(String(ar.accountId))) accounts.set(String(ar.accountId), { id: String(ar.accountId), name: String(ar.accountName ?? ''), ou: NO_OU });
  const cells = new Map<string, MapCell>();
  for (const ar of result.accountRegions) cells.set(cellKey(String(ar.accountId), String(ar.region)), { accountId: String(ar.accountId), region: String(ar.region), status: mapStatusOf(ar), accountRegion: ar });
  const counts = Object.fromEntries(MAP_STATUSES.map((s) => [s, 0])) as Record<MapStatus, number>;
  for (const a of accounts.values())
    for (const region of regions) {
      const key = cellKey(a.id, region);
      let cell = cells.get(key);
      if (!cell) {
        cell = { accountId: a.id, region, status: a.skipped !== undefined ? 'out-of-scope' : 'unreachable' };
        cells.set(key, cell);
      }
      counts[cell.status]++;
    }
  const byId = (x: MapAccount, y: MapAccount) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const list = [...accounts.values()].sort(byId);
  const ous = new Map<string, MapAccount[]>();
  for (const a of list) {
    const members = ous.get(a.ou);
    if (members) members.push(a);
    else ous.set(a.ou, [a]);
  }
  const ouList = [...ous.entries()].map(([name, accs]) => ({ name, accounts: accs })).sort((x, y) => (x.name === NO_OU ? 1 : y.name === NO_OU ? -1 : x.name.localeCompare(y.name)));
  return { regions, accounts: list, ous: ouList, cells, counts };
}

/** Pending first deliveries grouped by the hour their window ends: what will deliver by when. */
export interface PendingWindow {
  /** The window's end, rounded up to the hour (ISO). */
  by: string;
  trails: number;
  stores: number;
}

export function pendingWindows(result: StoredSweepResult): PendingWindow[] {
  const byHour = new Map<number, PendingWindow>();
  for (const ar of result.accountRegions)
    for (const s of judged(ar)) {
      const clock = effectiveClock(s);
      if (clock.status !== 'pending-first-delivery' || !clock.windowEnd) continue;
      const end = Date.parse(clock.windowEnd);
      if (!Number.isFinite(end)) continue;
      const hour = Math.ceil(end / 3_600_000) * 3_600_000;
      const w = byHour.get(hour) ?? { by: new Date(hour).toISOString(), trails: 0, stores: 0 };
      if (s.kind === 'trail') w.trails++;
      else w.stores++;
      byHour.set(hour, w);
    }
  return [...byHour.entries()].sort(([a], [b]) => a - b).map(([, w]) => w);
}

/** A finding of the report: a source, or an account-region whose coverage or sweep is itself what is found. */
export type Finding =
  | { record: 'source'; accountRegion: StoredAccountRegion; source: StoredSource; status: string }
  | { record: 'account-region'; accountRegion: StoredAccountRegion; status: string; text: string };

/** The account-region's own finding: its coverage under the coverage objective, or why it was not swept. */
export function accountRegionFinding(ar: StoredAccountRegion): { status: string; text: string } | undefined {
  if (ar.status !== 'done') return { status: String(ar.status).toUpperCase(), text: ar.error ? `${ar.error.name}: ${ar.error.message}` : 'not swept' };
  if (!ar.coverage) return undefined;
  const status = ar.coverage.status === 'uncovered' ? 'UNCOVERED' : ar.coverage.status === 'unknown' ? 'COVERAGE UNKNOWN' : String(ar.coverage.status).toUpperCase().replace(/-/g, ' ');
  return { status, text: coverageText(ar) ?? ar.coverage.message };
}

/** Every finding, account-region by account-region: the account-region's own first, then each of its sources. */
export function findings(result: StoredSweepResult): Finding[] {
  return result.accountRegions.flatMap((ar): Finding[] => {
    const own = accountRegionFinding(ar);
    return [...(own ? [{ record: 'account-region' as const, accountRegion: ar, ...own }] : []), ...ar.sources.map((source) => ({ record: 'source' as const, accountRegion: ar, source, status: statusText(source) }))];
  });
}
