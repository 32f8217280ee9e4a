/**
 * The ledger: what the product remembers per source between runs. The Insights clock facts, the last drift (who,
 * what, when), the last repair, and the circuit breaker. A port with two implementations: in memory (tests, demo, CLI)
 * and DynamoDB (lib/aws/ledger-dynamodb.ts). Updates are optimistic (a version number); `withLock` serializes work on
 * one source so concurrent events never interleave its writes.
 */
import { emptyBreaker, type BreakerState } from '../domain/breaker';
import type { Channel } from '../domain/insight-channels';
import { mergeClockFacts, type ChannelFact, type ClockFacts } from '../domain/insights-clock';
import type { SourceKind } from '../domain/model';
import type { IncidentState } from '../notify/incidents';
import { requestFingerprint } from '../domain/fingerprint';

export interface SourceRecord {
  arn: string;
  kind: SourceKind;
  accountId: string;
  region: string;
  clock?: ClockFacts;
  /**
   * What the source covers and whether it analyzed, as last seen: what a deleted source or one made single-Region or
   * an account source took away (lib/pipeline/handle-event.ts).
   */
  carrier?: CarrierScope;
  /** The last call by anyone else, and whether its source carried Insights before it (for the call's redeliveries). */
  lastDrift?: { at: string; eventName: string; actor?: string; eventId?: string; carrierBefore?: boolean };
  /**
   * The last repair: its calls, and each write's time and request fingerprint (lib/domain/fingerprint.ts), so the
   * event of that very write is known for the product's own when it comes back.
   */
  lastRepair?: { at: string; operations: string[]; writes?: RecordedWrite[] };
  /**
   * When the last event-driven check of the source began reading it: an event for a call made well before that needs
   * no check of its own (the check saw what the call did), so a burst of calls costs one check.
   */
  lastCheck?: { at: string };
  breaker: BreakerState;
  /** The last incident messaged about, and repeats suppressed since (lib/notify/incidents.ts). */
  incident?: IncidentState;
  /**
   * The outbox: messages written here with the record they report, sent once the lock is released, removed when Slack
   * took them. An entry still carrying `message` was never tried (its sender crashed): the next event on the source
   * sends it. One without was refused by Slack: the next digest carries its text.
   */
  undelivered?: OutboxEntry[];
  /**
   * Writes about to be made, recorded before they are (write-ahead): if the invocation dies after CloudTrail took them
   * and before the ledger heard, the write is still known for the product's own when its event comes back, and the
   * clock already counts from it. Cleared when the outcome is recorded.
   */
  intent?: { at: string; writes: RecordedWrite[]; clock: ClockFacts };
  /** When the source was seen deleted: its record is forgotten 35 days later (the ledger's TTL), unless it comes back. */
  deletedAt?: string;
  /** Incremented by every write; a write that expects another version is refused. */
  version: number;
}

export interface OutboxEntry {
  /** Absent in entries written before the outbox had ids. */
  id?: string;
  at: string;
  text: string;
  /** The whole message, until its first delivery attempt. */
  message?: { text: string; blocks: readonly unknown[] };
}

export const outboxKey = (u: OutboxEntry): string => u.id ?? `${u.at}|${u.text}`;

export interface RecordedWrite {
  operation: string;
  at: string;
  request: string;
}

export interface CarrierScope {
  organization: boolean;
  multiRegion: boolean;
  homeRegion: string;
  analyzing: boolean;
}

export const carrierScopeOf = (c: CarrierScope): CarrierScope => ({ organization: c.organization, multiRegion: c.multiRegion, homeRegion: c.homeRegion, analyzing: c.analyzing });
/** Field by field: a record read back from DynamoDB need not keep its keys' order. */
export const sameScope = (a: CarrierScope | undefined, b: CarrierScope | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.organization === b.organization && a.multiRegion === b.multiRegion && a.homeRegion === b.homeRegion && a.analyzing === b.analyzing);

export interface Ledger {
  get(arn: string): Promise<SourceRecord | undefined>;
  /** Writes if the stored version is `record.version - 1` (or absent for version 1); false when someone else wrote first. */
  put(record: SourceRecord): Promise<boolean>;
  sourcesIn(accountId: string, region: string): Promise<SourceRecord[]>;
  withLock<T>(arn: string, work: () => Promise<T>): Promise<T>;
  /**
   * Whether this invocation may still act for the source whose lock it holds: false once the lease lapsed or is about
   * to, judged on this process's clock without a call (checked before every CloudTrail write, which no condition on
   * AWS's side can fence). Always true for a ledger without leases, and outside any lock.
   */
  mayAct?(arn: string): boolean;
  /** How long a lock holder's lease lasts without renewal (absent: no leases). */
  readonly leaseMs?: number;
  /**
   * Runs `work` outside this invocation's lock, so its writes are not fenced by a lease it lost (absent: nothing is
   * fenced). Only for writes that are safe whoever holds the lock: amendClockLater.
   */
  unfenced?<T>(work: () => Promise<T>): Promise<T>;
  /**
   * A counter shared by every invocation (the event path's writes per hour): takes n if the total then stays within
   * `cap`, else takes none and answers false. The counter is forgotten after `expiresAt`.
   */
  reserve(counter: string, n: number, cap: number, expiresAt: Date): Promise<boolean>;
  release(counter: string, n: number): Promise<void>;
}

export const newRecord = (where: { arn: string; kind: SourceKind; accountId: string; region: string }): SourceRecord => ({ ...where, breaker: emptyBreaker(), version: 0 });

/** Read-modify-write with retries on a concurrent update. */
export async function updateRecord(
  ledger: Ledger,
  where: { arn: string; kind: SourceKind; accountId: string; region: string },
  mutate: (r: SourceRecord) => SourceRecord,
): Promise<SourceRecord> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = (await ledger.get(where.arn)) ?? newRecord(where);
    const next = { ...mutate(current), version: current.version + 1 };
    if (await ledger.put(next)) return next;
  }
  throw new Error(`ledger: ${where.arn} kept changing under 10 attempts to update it`);
}

export class InMemoryLedger implements Ledger {
  private readonly records = new Map<string, SourceRecord>();
  /** The ARNs of each account-region's records, as DynamoDbLedger's partition key serves them: a sweep asks once per account-region. */
  private readonly byAccountRegion = new Map<string, Set<string>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly counters = new Map<string, number>();

  async reserve(counter: string, n: number, cap: number): Promise<boolean> {
    const used = this.counters.get(counter) ?? 0;
    if (used + n > cap) return false;
    this.counters.set(counter, used + n);
    return true;
  }

  async release(counter: string, n: number): Promise<void> {
    this.counters.set(counter, (this.counters.get(counter) ?? 0) - n);
  }

  /** A ledger holding these records (e.g. read back from a file the CLI keeps between runs). */
  static of(records: readonly SourceRecord[]): InMemoryLedger {
    const ledger = new InMemoryLedger();
    for (const r of records) ledger.store(structuredClone(r));
    return ledger;
  }

  /** Every record, for saving. */
  all(): SourceRecord[] {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  async get(arn: string): Promise<SourceRecord | undefined> {
    const r = this.records.get(arn);
    return r && structuredClone(r);
  }

  async put(record: SourceRecord): Promise<boolean> {
    const current = this.records.get(record.arn);
    if ((current?.version ?? 0) !== record.version - 1) return false;
    this.store(structuredClone(record));
    return true;
  }

  private store(record: SourceRecord): void {
    this.records.set(record.arn, record);
    const key = `${record.accountId}/${record.region}`;
    let arns = this.byAccountRegion.get(key);
    if (!arns) this.byAccountRegion.set(key, (arns = new Set()));
    arns.add(record.arn);
  }

  async sourcesIn(accountId: string, region: string): Promise<SourceRecord[]> {
    return [...(this.byAccountRegion.get(`${accountId}/${region}`) ?? [])].map((arn) => structuredClone(this.records.get(arn)!)).filter((r) => r.accountId === accountId && r.region === region);
  }

  async withLock<T>(arn: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(arn) ?? Promise.resolve();
    const run = previous.then(work, work);
    this.locks.set(arn, run.catch(() => undefined));
    return run;
  }
}

/** What the ledger keeps of a run's applied writes on one source. */
export function recordedWrites(applied: readonly { action: { operation: string; input: unknown }; at?: string }[], fallbackAt: string): RecordedWrite[] {
  return applied.map((o) => ({ operation: o.action.operation, at: o.at ?? fallbackAt, request: requestFingerprint(o.action.input) }));
}

/**
 * Write-ahead: the writes about to be made, and the clock as they will set it, recorded before they are made (under
 * the source's lock, so fenced by its lease).
 */
export async function recordIntent(
  ledger: Ledger,
  where: { arn: string; kind: SourceKind; accountId: string; region: string },
  actions: readonly { operation: string; input: unknown }[],
  clock: { from: ClockFacts; to: ClockFacts },
  at: string,
): Promise<void> {
  // If the writer dies after CloudTrail took the write, this clock is all that remains: the windows it opens are dated
  // one lease later (the write is made while the lease holds), so they may end up to a lease late, never early.
  const to = laterWindows(clock.from, clock.to, Date.parse(at) + (ledger.leaseMs ?? 0));
  await updateRecord(ledger, where, (r) => ({
    ...r,
    intent: { at, writes: actions.map((a) => ({ operation: a.operation, at, request: requestFingerprint(a.input) })), clock: to },
    clock: mergeClockFacts(clock.from, to, r.clock),
  }));
}

const channelEntries = (facts: ClockFacts) => Object.entries(facts.channels) as [Channel, ChannelFact][];

/**
 * A writer that lost its lease after CloudTrail took its writes knows when each window really began, later than its
 * intent said; it may not write the record, but moving a window's start later is safe whoever holds the lock (a later
 * start is never wrong for a window these writes began, and a window begun after them is later still). Only channels
 * the ledger holds are amended: one turned off since stays off.
 */
export async function amendClockLater(ledger: Ledger, where: { arn: string; kind: SourceKind; accountId: string; region: string }, facts: ClockFacts): Promise<void> {
  const later = (r: SourceRecord): SourceRecord => {
    if (!r.clock) return r;
    const channels = { ...r.clock.channels };
    for (const [c, f] of channelEntries(facts)) {
      const held = channels[c];
      if (held && f.since !== undefined && f.basis !== 'inferred' && (held.since === undefined || held.since < f.since)) channels[c] = { ...held, since: f.since, basis: f.basis };
    }
    return { ...r, clock: { ...r.clock, channels } };
  };
  const run = ledger.unfenced ? <T>(w: () => Promise<T>) => ledger.unfenced!(w) : <T>(w: () => Promise<T>) => w();
  await run(() => updateRecord(ledger, where, later));
}

/** `to` with every window it opens (a start `from` does not have) dated no earlier than `notBefore`. */
function laterWindows(from: ClockFacts, to: ClockFacts, notBefore: number): ClockFacts {
  const channels: ClockFacts['channels'] = {};
  for (const [c, f] of channelEntries(to)) {
    const opened = f.since !== undefined && f.since !== from.channels[c]?.since && Date.parse(f.since) < notBefore;
    channels[c] = opened ? { ...f, since: new Date(notBefore).toISOString() } : f;
  }
  return { ...to, channels };
}

/**
 * The ledger recorded this very write, made or about to be: the same operation with the same request, within a minute
 * of the event's time (CloudTrail's eventTime has whole seconds; the clocks agree to well under that).
 */
export function recordedWrite(r: SourceRecord, eventName: string, at: string, requestFingerprintOfEvent: string): boolean {
  return [...(r.lastRepair?.writes ?? []), ...(r.intent?.writes ?? [])].some((w) => w.operation === eventName && w.request === requestFingerprintOfEvent && Math.abs(Date.parse(at) - Date.parse(w.at)) <= 60_000);
}
