/**
 * The ledger: what the product remembers per source between runs. The Insights clock facts, the last drift (who,
 * what, when), the last repair, and the circuit breaker. A port with two implementations: in memory (tests, demo, CLI)
 * and DynamoDB (lib/aws/ledger-dynamodb.ts). Updates are optimistic (a version number); `withLock` serializes work on
 * one source so concurrent events never interleave its writes.
 */
import { emptyBreaker, type BreakerState } from '../domain/breaker';
import type { ClockFacts } from '../domain/insights-clock';
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
  lastDrift?: { at: string; eventName: string; actor?: string; eventId?: string };
  /**
   * The last repair: its calls, and each write's time and request fingerprint (lib/domain/fingerprint.ts), so the
   * event of that very write is known for the product's own when it comes back.
   */
  lastRepair?: { at: string; operations: string[]; writes?: RecordedWrite[] };
  breaker: BreakerState;
  /** The last incident messaged about, and repeats suppressed since (lib/notify/incidents.ts). */
  incident?: IncidentState;
  /** Messages Slack did not take: the next digest carries them. */
  undelivered?: { at: string; text: string }[];
  /** Incremented by every write; a write that expects another version is refused. */
  version: number;
}

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
  private readonly locks = new Map<string, Promise<unknown>>();

  /** A ledger holding these records (e.g. read back from a file the CLI keeps between runs). */
  static of(records: readonly SourceRecord[]): InMemoryLedger {
    const ledger = new InMemoryLedger();
    for (const r of records) ledger.records.set(r.arn, structuredClone(r));
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
    this.records.set(record.arn, structuredClone(record));
    return true;
  }

  async sourcesIn(accountId: string, region: string): Promise<SourceRecord[]> {
    return [...this.records.values()].filter((r) => r.accountId === accountId && r.region === region).map((r) => structuredClone(r));
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
