/**
 * Coverage judged organization-wide: which in-scope account-regions Insights analyze (and through which carriers),
 * which are analyzed more than once (billed more than once), and, for the coverage objective, the carrier repairs that
 * cover every uncovered account-region it can, each exactly once. Pure.
 *
 * A plan is judged, best first, by: the account-regions it leaves uncovered; the account-regions it makes analyzed a
 * second time (each is billed again: turning the organization trail on because one account's trail broke would double
 * every other account's bill); the sources it newly bills for Insights; its writes; and the policy's ranking of the
 * carrier kinds it uses (coverage.carrierPreference: the organization trail first by default). Organization carriers
 * reach every account, so they are chosen by comparing whole plans: each small set of them (none, one, two), completed
 * account by account with the account's own carriers, greedily (a pinned carrier first, then the fewest second
 * analyses, the preferred kind, one already billed, the fewest writes, the most account-regions covered). A chosen
 * carrier covers every uncovered account-region it reaches, so none gets Insights on several.
 */
import { accountRegionKey, covers, preferenceOrder, type AccountRegion, type Carrier } from './carriers';
import { utcMinute } from './names';
import type { Policy } from '../policy/schema';

export interface JudgedAccountRegion extends AccountRegion {
  /** An active exemption for the whole account-region (exemptions matching only account and region). */
  exempt?: string;
  /** Its own sources could not be read (the member role is missing or denied): only carriers seen elsewhere tell. */
  unreadable?: boolean;
}

export type CoverageStatus = 'covered' | 'pending-first-delivery' | 'uncovered' | 'exempt' | 'unknown';

export interface CoverageJudgement extends AccountRegion {
  status: CoverageStatus;
  /** Carriers analyzing it now, preferred first. */
  analyzedBy: string[];
  /** pending-first-delivery: the earliest time one of its carriers is expected to deliver. */
  pendingUntil?: string;
  /** Analyzed by more than one carrier, so billed more than once. */
  redundant: boolean;
  /** Uncovered: the carrier whose repair covers it. */
  carrier?: string;
  /** One line for a person. */
  message: string;
  /** Uncovered with no carrier the product may repair: what a person must do. */
  remedy?: string;
}

export interface CarrierRepair {
  arn: string;
  /** Uncovered account-regions this repair covers. */
  covers: number;
  /** Account-regions already analyzed that it will analyze again. */
  duplicates: number;
  writes: number;
  newlyBilled: boolean;
  restartsClock: boolean;
  addsManagementCopy: boolean;
}

export interface Disabling {
  arn: string;
  /** The delivering carriers that keep analyzing everything it covers. */
  keptBy: string[];
}

export interface CoverageCost {
  writes: number;
  /** Sources whose Insights the plan turns on: each is billed for Insights from then on. */
  sourcesNewlyBilled: number;
  /** Trails the plan makes log management events a second time (never, under the coverage objective). */
  managementCopiesAdded: number;
  /** Insights delivery windows the plan restarts (36 hours on a trail, 7 days on an event data store). */
  clocksRestarted: number;
}

export interface CoveragePlan {
  judgements: CoverageJudgement[];
  repairs: CarrierRepair[];
  disable: Disabling[];
  cost: CoverageCost;
  /** Carriers analyzing some account-region another, preferred carrier also analyzes. */
  redundantCarriers: string[];
}

export interface CoverageInput {
  policy: Policy;
  accountRegions: readonly JudgedAccountRegion[];
  /** Every account of the organization, for what organization carriers cover. */
  organizationAccounts: readonly string[];
  carriers: readonly Carrier[];
}

interface Index {
  byAccount: Map<string, JudgedAccountRegion[]>;
  regions: string[];
  organization: Set<string>;
}

function indexOf(input: CoverageInput): Index {
  const byAccount = new Map<string, JudgedAccountRegion[]>();
  for (const ar of input.accountRegions) byAccount.set(ar.accountId, [...(byAccount.get(ar.accountId) ?? []), ar]);
  return { byAccount, regions: [...new Set(input.accountRegions.map((a) => a.region))], organization: new Set(input.organizationAccounts) };
}

/** The judged account-regions a carrier covers, without scanning all of them for a one-account carrier. */
function reach(c: Carrier, index: Index): JudgedAccountRegion[] {
  const accounts = c.organization ? [...index.byAccount.keys()].filter((a) => a === c.accountId || index.organization.has(a)) : [c.accountId];
  return accounts.flatMap((a) => (index.byAccount.get(a) ?? []).filter((ar) => covers(c, ar, index.organization)));
}

/** Coverage as it stands: each account-region's carriers, status and redundancy. */
export function judgeCoverage(input: CoverageInput): CoverageJudgement[] {
  const index = indexOf(input);
  const order = preferenceOrder(input.policy);
  const analyzing = input.carriers.filter((c) => c.analyzing).sort(order);
  const by = new Map<string, Carrier[]>();
  for (const c of analyzing) for (const ar of reach(c, index)) by.set(accountRegionKey(ar), [...(by.get(accountRegionKey(ar)) ?? []), c]);
  return input.accountRegions.map((ar) => judgement(ar, by.get(accountRegionKey(ar)) ?? []));
}

function judgement(ar: JudgedAccountRegion, carriers: Carrier[]): CoverageJudgement {
  const base = { accountId: ar.accountId, region: ar.region, analyzedBy: carriers.map((c) => c.arn), redundant: carriers.length > 1 };
  const named = carriers.map((c) => c.name).join(', ');
  if (ar.exempt) return { ...base, status: 'exempt', message: `exempt: ${ar.exempt}` };
  if (carriers.length === 0) {
    if (ar.unreadable) return { ...base, status: 'unknown', message: 'its sources could not be read, and no organization carrier analyzes it' };
    return { ...base, status: 'uncovered', message: `no trail or event data store analyzes management events with Insights in account ${ar.accountId}, ${ar.region}` };
  }
  const delivering = carriers.filter((c) => c.pendingUntil === undefined);
  const twice = base.redundant ? ` (analyzed ${carriers.length} times, each billed: ${named})` : '';
  if (delivering.length > 0) return { ...base, status: 'covered', message: `analyzed by ${delivering[0]!.name}${twice}` };
  const first = carriers.map((c) => c.pendingUntil!).sort()[0]!;
  return { ...base, status: 'pending-first-delivery', pendingUntil: first, message: `analyzed by ${carriers[0]!.name}, first delivery expected by ${utcMinute(first)}${twice}` };
}

/**
 * The coverage objective's plan: the carriers to repair (in order) so every uncovered account-region is analyzed
 * once, what it costs, and, with coverage.redundant disable, the redundant carriers to turn off.
 */
export function planCoverage(input: CoverageInput): CoveragePlan {
  const index = indexOf(input);
  const judgements = judgeCoverage(input);
  const byKey = new Map(judgements.map((j) => [accountRegionKey(j), j]));
  const covered = new Set(judgements.filter((j) => j.status === 'covered' || j.status === 'pending-first-delivery').map(accountRegionKey));
  const open = new Set(judgements.filter((j) => j.status === 'uncovered').map(accountRegionKey));
  const candidates = input.carriers.filter((c) => c.repair !== undefined).map((c) => ({ c, keys: reach(c, index).map(accountRegionKey) }));
  const rank = (c: Carrier) => input.policy.coverage.carrierPreference.indexOf(c.carrierKind);

  // Pinned carriers come first, whatever the preference; then each small set of organization carriers.
  const pinned = candidates.filter((x) => x.c.pinned && x.keys.some((k) => open.has(k))).sort((a, b) => rank(a.c) - rank(b.c) || a.c.arn.localeCompare(b.c.arn));
  const organizationWide = candidates.filter((x) => x.c.organization && !x.c.pinned && x.keys.some((k) => open.has(k)));
  const choices = subsets(organizationWide, 2).map((set) => [...pinned, ...set]);
  const local = candidates.filter((x) => !x.c.organization);
  let best: Completed | undefined;
  for (const chosen of choices) {
    const completed = complete(chosen, local, covered, open, rank);
    if (!best || compareCompleted(completed, best) < 0) best = completed;
  }
  const repairs = best?.repairs ?? [];
  for (const r of repairs) for (const k of r.reached) if (open.has(k) && !byKey.get(k)!.carrier) byKey.get(k)!.carrier = r.arn;
  for (const j of judgements) if (j.status === 'uncovered' && !j.carrier) explainUncovered(j, input.carriers, index);

  const redundantCarriers = redundant(judgements, input.carriers);
  const out = repairs.map(({ reached: _r, rank: _k, ...r }) => r);
  return {
    judgements,
    repairs: out,
    disable: input.policy.coverage.redundant === 'disable' ? disablings(input, index, judgements) : [],
    cost: {
      writes: out.reduce((n, r) => n + r.writes, 0),
      sourcesNewlyBilled: out.filter((r) => r.newlyBilled).length,
      managementCopiesAdded: out.filter((r) => r.addsManagementCopy).length,
      clocksRestarted: out.filter((r) => r.restartsClock).length,
    },
    redundantCarriers,
  };
}

interface Candidate {
  c: Carrier;
  keys: string[];
}

interface Completed {
  repairs: (CarrierRepair & { reached: string[]; rank: number })[];
  uncovered: number;
  duplicates: number;
}

const totals = (x: Completed) => ({
  newlyBilled: x.repairs.filter((r) => r.newlyBilled).length,
  writes: x.repairs.reduce((n, r) => n + r.writes, 0),
  ranks: x.repairs.map((r) => r.rank).sort((a, b) => a - b),
});

function compareCompleted(a: Completed, b: Completed): number {
  const [ta, tb] = [totals(a), totals(b)];
  if (a.uncovered !== b.uncovered) return a.uncovered - b.uncovered;
  if (a.duplicates !== b.duplicates) return a.duplicates - b.duplicates;
  if (ta.newlyBilled !== tb.newlyBilled) return ta.newlyBilled - tb.newlyBilled;
  if (ta.writes !== tb.writes) return ta.writes - tb.writes;
  for (let i = 0; i < Math.min(ta.ranks.length, tb.ranks.length); i++) if (ta.ranks[i] !== tb.ranks[i]) return ta.ranks[i]! - tb.ranks[i]!;
  return ta.ranks.length - tb.ranks.length;
}

/** The chosen organization carriers, then each account's own carriers, greedily, for what is still uncovered. */
function complete(chosen: readonly Candidate[], local: readonly Candidate[], coveredBefore: ReadonlySet<string>, openBefore: ReadonlySet<string>, rank: (c: Carrier) => number): Completed {
  const covered = new Set(coveredBefore);
  const open = new Set(openBefore);
  const repairs: Completed['repairs'] = [];
  let duplicates = 0;
  const take = (x: Candidate) => {
    const gain = x.keys.filter((k) => open.has(k));
    if (gain.length === 0) return;
    const dups = x.keys.filter((k) => covered.has(k)).length;
    duplicates += dups;
    for (const k of x.keys) {
      open.delete(k);
      covered.add(k);
    }
    const r = x.c.repair!;
    repairs.push({ arn: x.c.arn, covers: gain.length, duplicates: dups, writes: r.writes, newlyBilled: !x.c.billed, restartsClock: r.restartsClock, addsManagementCopy: r.addsManagementCopy, reached: gain, rank: rank(x.c) });
  };
  for (const x of chosen) take(x);

  type Scored = Candidate & { gain: number; duplicates: number };
  const score = (x: Candidate): Scored => ({ ...x, gain: x.keys.filter((k) => open.has(k)).length, duplicates: x.keys.filter((k) => covered.has(k)).length });
  // Lower is better; gain and duplicates only get worse as carriers are taken, so a lazily re-scored list is exact.
  const better = (a: Scored, b: Scored): number =>
    Number(b.c.pinned) - Number(a.c.pinned) ||
    a.duplicates - b.duplicates ||
    rank(a.c) - rank(b.c) ||
    Number(!a.c.billed) - Number(!b.c.billed) ||
    a.c.repair!.writes - b.c.repair!.writes ||
    b.gain - a.gain ||
    a.c.arn.localeCompare(b.c.arn);
  let pool = local.map(score).filter((x) => x.gain > 0).sort(better);
  while (pool.length > 0 && open.size > 0) {
    const top = score(pool.shift()!);
    if (top.gain === 0) continue;
    if (pool.length > 0 && better(top, pool[0]!) > 0) {
      pool = insertSorted(pool, top, better);
      continue;
    }
    take(top);
  }
  return { repairs, uncovered: open.size, duplicates };
}

/** Every subset of at most `max` items (the empty one first). */
function subsets<T>(items: readonly T[], max: number): T[][] {
  const out: T[][] = [[]];
  for (const item of items) for (const s of [...out]) if (s.length < max) out.push([...s, item]);
  return out;
}

function insertSorted<T>(list: T[], item: T, cmp: (a: T, b: T) => number): T[] {
  const at = list.findIndex((x) => cmp(item, x) <= 0);
  return at < 0 ? [...list, item] : [...list.slice(0, at), item, ...list.slice(at)];
}

/** An uncovered account-region no repairable carrier reaches: say what blocks the carriers that do reach it. */
function explainUncovered(j: CoverageJudgement, carriers: readonly Carrier[], index: Index): void {
  const blocked = carriers.filter((c) => c.blocked && covers(c, j, index.organization)).map((c) => c.blocked!);
  j.remedy = blocked.length
    ? `repair one of the sources that reach it: ${blocked.join('; ')}`
    : 'create a trail that logs management events (or an organization trail from the management account); the next sweep enables its Insights';
}

/** Carriers that analyze an account-region a preferred carrier also analyzes (the first of analyzedBy is preferred). */
function redundant(judgements: readonly CoverageJudgement[], carriers: readonly Carrier[]): string[] {
  const out = new Set<string>();
  for (const j of judgements) for (const arn of j.analyzedBy.slice(1)) out.add(arn);
  return carriers.filter((c) => out.has(c.arn)).map((c) => c.arn);
}

/**
 * Redundant carriers that may be turned off: writable, not an organization carrier (it may be the only carrier of
 * accounts outside the policy's scope), and every account-region it analyzes is also analyzed by a preferred carrier
 * past its first-delivery window. The preferred carrier of an account-region is never turned off, so no account-region
 * loses its last carrier.
 */
function disablings(input: CoverageInput, index: Index, judgements: readonly CoverageJudgement[]): Disabling[] {
  const byKey = new Map(judgements.map((j) => [accountRegionKey(j), j]));
  const carriers = new Map(input.carriers.map((c) => [c.arn, c]));
  const out: Disabling[] = [];
  for (const c of input.carriers) {
    if (!c.analyzing || !c.writable || c.organization) continue;
    const reached = reach(c, index).map((ar) => byKey.get(accountRegionKey(ar))!);
    if (reached.length === 0) continue;
    const keptBy = new Set<string>();
    const ok = reached.every((j) => {
      const preferred = carriers.get(j.analyzedBy[0]!)!;
      if (preferred.arn === c.arn || preferred.pendingUntil !== undefined) return false;
      keptBy.add(preferred.arn);
      return true;
    });
    if (ok) out.push({ arn: c.arn, keptBy: [...keptBy] });
  }
  return out;
}
