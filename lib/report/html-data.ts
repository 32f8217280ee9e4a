/**
 * The data the HTML report's script renders its coverage map, findings table and account-region panels from, embedded
 * once in the page: compact (every string once in a table, rows as arrays of indexes, each account's map row as one
 * string of status digits), so that 5,000 accounts x 17 regions stay a few megabytes, and inert (the JSON sits in a
 * `<script type="application/json">`, which the browser never runs, with every `<`, `>` and `&` written as a \u escape
 * so no value can close that element, and every string's control characters already shown as placeholders, as html()
 * does). The script puts every value in the page with textContent, never as markup. Pure.
 */
import { showControls } from './escape';
import { accountRegionFinding, effectiveClock, MAP_STATUSES, organizationMap, type MapStatus, type OrganizationMap } from './organization';
import { actionVerb, clockChangeText, coverageText, outOfScopeNote, statusText } from './render-text';
import type { StoredAccountRegion, StoredSource, StoredSweepResult } from './sweep-result';
import { timelineOf } from './timeline';

// Indexes the script knows by position; a stored value that is none of them gets the last ("unknown").
export const SOURCE_CLASSES = ['compliant', 'repaired', 'pending-first-delivery', 'drifted', 'not-remediable', 'exempt', 'out-of-scope', 'not-needed', 'unknown'] as const;
export const OUTCOME_CLASSES = ['applied', 'planned', 'skipped', 'failed', 'unknown'] as const;
export const SEGMENT_STATES = ['off', 'pending', 'delivering'] as const;

/** [state, from permille, to permille] */
type Segment = [number, number, number];

export interface ReportData {
  v: 1;
  /** The sweep's end (ms), the timelines' "now"; null when the file's date does not parse. */
  now: number | null;
  S: string[];
  regions: number[];
  /** [name] per OU, in map order; accounts name their OU by index. */
  ous: number[];
  /** [id, name, ou, skipped reason or -1, map row: one digit (MAP_STATUSES index) per region] */
  accounts: [number, number, number, number, string][];
  /** [account, region, shape]: most account-regions look alike once their account and region are placeholders. */
  ars: [number, number, number][];
  /** [swept status, own finding status or -1, own finding text (t) or -1, notes[] (t), sources[] (indexes)] */
  shapes: [number, number, number, number[], number[]][];
  sources: SourceRow[];
  /** [segments, label] */
  clocks: [Segment[], number][];
  /** [outcome class, verb, operation, input JSON (t), why (t), detail (t) or -1]; a call is interned with its placeholders. */
  calls: [number, number, number, number, number, number][];
}

/** Strings marked (t) hold the account-region's account id and region as placeholders (templated()).
 * [kind 0 trail / 1 store, name (t), arn (t), status text, class, summary (t), remedies (t), clock, calls[], clock change text (t), pending until (ms) or -1] */
type SourceRow = [number, number, number, number, number, number, number, number, number[], number, number];

// Placeholders for the account id and the region a string is about: no escaped string holds a control character, so
// the script's replacing them back gives exactly the text; "regional-us-east-1 of 111111111111" is then one string for
// every account-region instead of 85,000.
export const ACCOUNT_MARK = '\u0001';
export const REGION_MARK = '\u0002';

/** `text` with its account id and region as placeholders (only ids long enough not to match by chance). */
export function templated(text: string, accountId: string, region: string): string {
  let out = text;
  if (accountId.length >= 4 && out.includes(accountId)) out = out.split(accountId).join(ACCOUNT_MARK);
  if (region.length >= 4 && out.includes(region)) out = out.split(region).join(REGION_MARK);
  return out;
}

/** The inverse of templated(), as the script does it. */
export const untemplated = (text: string, accountId: string, region: string): string => text.split(REGION_MARK).join(region).split(ACCOUNT_MARK).join(accountId);

class Interner {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  // Most values repeat (statuses, summaries, names in every account): each is escaped once.
  private readonly escaped = new Map<string, string>();
  /** The string's index; with `about`, its account id and region are placeholders (templated). */
  of(value: unknown, about?: { accountId: string; region: string }): number {
    const raw = value === undefined || value === null ? '' : String(value);
    let escaped = this.escaped.get(raw);
    if (escaped === undefined) {
      escaped = showControls(raw, '\n\t');
      if (this.escaped.size < 1_000_000) this.escaped.set(raw, escaped);
    }
    const text = about ? templated(escaped, about.accountId, about.region) : escaped;
    return indexOf(this.index, this.list, text, text);
  }
}

/** The position of `value` in `list`, added once under `key`. */
function indexOf<T>(index: Map<string, number>, list: T[], key: string, value: T): number {
  let i = index.get(key);
  if (i === undefined) {
    i = list.length;
    list.push(value);
    index.set(key, i);
  }
  return i;
}

/** Rows kept once each, by their JSON. */
class Rows<T> {
  readonly list: T[] = [];
  private readonly index = new Map<string, number>();
  of(row: T): number {
    return indexOf(this.index, this.list, JSON.stringify(row), row);
  }
}

const permille = (f: number): number => Math.round((Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0) * 1000);

export function reportData(result: StoredSweepResult, map: OrganizationMap = organizationMap(result)): ReportData {
  const S = new Interner();
  const nowMs = Date.parse(String(result.finishedAt));
  const now = new Date(Number.isFinite(nowMs) ? nowMs : 0);
  const clocks: ReportData['clocks'] = [];
  const clockIndex = new Map<string, number>();
  const calls: ReportData['calls'] = [];
  const callIndex = new Map<string, number>();

  const clockOf = (s: StoredSource): number => {
    const clock = effectiveClock(s);
    const t = timelineOf(clock, now);
    const segments: Segment[] = t.segments.map((seg) => [Math.max(0, SEGMENT_STATES.indexOf(seg.state)), permille(seg.from), permille(seg.to)]);
    const row: [Segment[], number] = [segments, S.of(`${s.clockIfRepaired ? 'if repaired: ' : ''}${t.label}`)];
    return indexOf(clockIndex, clocks, JSON.stringify(row), row);
  };
  const callOf = (a: StoredSource['actions'][number], about: { accountId: string; region: string }): number => {
    const known = (OUTCOME_CLASSES as readonly string[]).indexOf(String(a.outcome));
    const row: ReportData['calls'][number] = [known < 0 ? OUTCOME_CLASSES.length - 1 : known, S.of(actionVerb(a)), S.of(a.operation), S.of(JSON.stringify(a.input) ?? '', about), S.of(a.why, about), a.detail === undefined ? -1 : S.of(a.detail, about)];
    return indexOf(callIndex, calls, row.join(','), row);
  };
  const sourceRow = (s: StoredSource, about: { accountId: string; region: string }): SourceRow => {
    const cls = s.repaired ? 'repaired' : String(s.status);
    const known = (SOURCE_CLASSES as readonly string[]).indexOf(cls);
    const clock = effectiveClock(s);
    const until = clock.status === 'pending-first-delivery' && clock.windowEnd ? Date.parse(clock.windowEnd) : NaN;
    const remedies = s.blockers.filter((b) => !b.transient).map((b) => b.remedy);
    return [
      s.kind === 'trail' ? 0 : 1,
      S.of(s.name, about),
      S.of(s.arn, about),
      S.of(statusText(s)),
      known < 0 ? SOURCE_CLASSES.length - 1 : known,
      S.of(s.summary, about),
      remedies.length ? S.of(remedies.join('; '), about) : -1,
      clockOf(s),
      s.actions.map((a) => callOf(a, about)),
      S.of(clockChangeText(s), about),
      Number.isFinite(until) ? until : -1,
    ];
  };

  const regionIndex = new Map(map.regions.map((r, i) => [r, i]));
  const ouIndex = new Map(map.ous.map((o, i) => [o.name, i]));
  const accountIndex = new Map<string, number>();
  const accounts: ReportData['accounts'] = [];
  for (const ou of map.ous)
    for (const a of ou.accounts) {
      accountIndex.set(a.id, accounts.length);
      const row = map.regions.map((r) => MAP_STATUSES.indexOf(map.cells.get(`${a.id}/${r}`)!.status as MapStatus)).join('');
      accounts.push([S.of(a.id), S.of(a.name), ouIndex.get(a.ou)!, a.skipped === undefined ? -1 : S.of(a.skipped), row]);
    }

  const shapes = new Rows<ReportData['shapes'][number]>();
  const sources = new Rows<SourceRow>();
  const ars: ReportData['ars'] = result.accountRegions.map((ar: StoredAccountRegion) => {
    const own = accountRegionFinding(ar);
    const notes: string[] = [];
    if (ar.status !== 'done') notes.push(`${ar.status}: ${ar.error ? `${ar.error.name}: ${ar.error.message}` : 'not swept'}`);
    const coverage = coverageText(ar);
    if (coverage) notes.push(coverage);
    if (ar.shadows.length) notes.push(`Organization and multi-region copies seen here (evaluated where they live): ${ar.shadows.map((s) => s.name).join(', ')}`);
    const out = outOfScopeNote(ar);
    if (out) notes.push(out[0]!.toUpperCase() + out.slice(1));
    const about = { accountId: showControls(String(ar.accountId), '\n\t'), region: showControls(String(ar.region), '\n\t') };
    const shape = shapes.of([S.of(ar.status), own ? S.of(own.status) : -1, own ? S.of(own.text, about) : -1, notes.map((n) => S.of(n, about)), ar.sources.map((src) => sources.of(sourceRow(src, about)))]);
    return [accountIndex.get(String(ar.accountId))!, regionIndex.get(String(ar.region))!, shape];
  });

  return {
    v: 1,
    now: Number.isFinite(nowMs) ? nowMs : null,
    S: S.list,
    regions: map.regions.map((r) => S.of(r)),
    ous: map.ous.map((o) => S.of(o.name)),
    accounts,
    ars,
    shapes: shapes.list,
    sources: sources.list,
    clocks,
    calls,
  };
}

// Inside <script type="application/json">: nothing may read as "</script" or "<!--", so < > & are \u escapes; the
// line and paragraph separators too, for any reader that takes the JSON for JavaScript.
const SCRIPT_UNSAFE: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** The data as JSON safe inside a script element; JSON.parse reads it back unchanged. */
export const dataJson = (data: ReportData): string => JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_UNSAFE[c]!);
