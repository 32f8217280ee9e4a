/**
 * The ledger in DynamoDB: one item per source (partition key `pk` = the source ARN) carrying the record and a version
 * for optimistic writes, a GSI `byAccountRegion` for "the sources of this account-region", and counters.
 *
 * The lock is a lease on the source's own item (`leaseOwner`, `leaseUntil`): 180 s, longer than the event function's
 * 120 s timeout, and renewed every minute while its holder works, so it lapses only when its holder died. Every write
 * of the record made under the lock is fenced by it: the same conditional write checks the version and that the lease
 * is still this holder's, so a holder that lost its lease (frozen past its lapse) cannot overwrite what the next holder
 * wrote; it fails loudly instead (LeaseLostError).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InMemoryLedger, type Ledger, type SourceRecord } from '../ledger/ledger';

export const LEDGER_GSI = 'byAccountRegion';
/** Longer than any function's work on one source (the event function times out at 120 s). */
export const LEASE_MS = 180_000;
const RENEW_EVERY_MS = 60_000;
const DELETED_KEPT_S = 35 * 24 * 3600;

export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
}

/** The lease of a source was lost while its holder still worked: what it would write is refused. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(arn: string) {
    super(`ledger: the lock on ${arn} lapsed while this invocation held it; another may hold it now, so nothing more is written`);
  }
}

interface Held {
  arn: string;
  owner: string;
  lost: boolean;
  /** This process's view of the lease's end (from its own clock when taken or renewed). */
  until: number;
}

export interface DynamoDbLedgerOptions {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  leaseMs?: number;
  renewEveryMs?: number;
}

export class DynamoDbLedger implements Ledger {
  /** Serializes this process's own work on a source before it competes for the table's lease. */
  private readonly local = new InMemoryLedger();
  private readonly held = new AsyncLocalStorage<Held>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  readonly leaseMs: number;
  private readonly renewEveryMs: number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoDbLedgerOptions | ((ms: number) => Promise<void>) = {},
  ) {
    const o = typeof options === 'function' ? { sleep: options } : options;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = o.now ?? Date.now;
    this.leaseMs = o.leaseMs ?? LEASE_MS;
    this.renewEveryMs = o.renewEveryMs ?? RENEW_EVERY_MS;
  }

  unfenced<T>(work: () => Promise<T>): Promise<T> {
    return this.held.exit(work);
  }

  async get(arn: string): Promise<SourceRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: arn }, ConsistentRead: true }));
    return out.Item?.record as SourceRecord | undefined;
  }

  async put(record: SourceRecord): Promise<boolean> {
    const held = this.held.getStore();
    const fenced = held?.arn === record.arn ? held : undefined;
    if (fenced?.lost) throw new LeaseLostError(record.arn);
    const versioned = record.version === 1 ? 'attribute_not_exists(#v)' : '#v = :previous';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: record.arn },
          // An update, not a put: the item also carries the lease, which only its holder changes.
          UpdateExpression: `SET #r = :record, #v = :version, accountRegion = :ar${record.deletedAt ? ', expiresAt = :expires' : ' REMOVE expiresAt'}`,
          ConditionExpression: fenced ? `${versioned} AND leaseOwner = :me AND leaseUntil > :now` : versioned,
          ExpressionAttributeNames: { '#r': 'record', '#v': 'version' },
          ExpressionAttributeValues: {
            ':record': record,
            ':version': record.version,
            ':ar': `${record.accountId}/${record.region}`,
            ...(record.version !== 1 && { ':previous': record.version - 1 }),
            // Live sources' clock facts never expire; a deleted source's record goes 35 days after (the table's TTL).
            ...(record.deletedAt && { ':expires': Math.floor(Date.parse(record.deletedAt) / 1000) + DELETED_KEPT_S }),
            ...(fenced && { ':me': fenced.owner, ':now': this.now() }),
          },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      if (fenced && !(await this.stillHolds(fenced))) throw new LeaseLostError(record.arn);
      return false;
    }
  }

  async sourcesIn(accountId: string, region: string): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, IndexName: LEDGER_GSI, KeyConditionExpression: 'accountRegion = :ar', ExpressionAttributeValues: { ':ar': `${accountId}/${region}` }, ...(start && { ExclusiveStartKey: start }) }),
      );
      for (const item of page.Items ?? []) if (item.record) out.push(item.record as SourceRecord);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async reserve(counter: string, n: number, cap: number, expiresAt: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `counter#${counter}` },
          UpdateExpression: 'ADD used :n SET expiresAt = if_not_exists(expiresAt, :exp)',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :most',
          ExpressionAttributeValues: { ':n': n, ':most': cap - n, ':exp': Math.floor(expiresAt.getTime() / 1000) },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async release(counter: string, n: number): Promise<void> {
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: `counter#${counter}` }, UpdateExpression: 'ADD used :n', ExpressionAttributeValues: { ':n': -n } }));
  }

  withLock<T>(arn: string, work: () => Promise<T>): Promise<T> {
    return this.local.withLock(arn, async () => {
      const held: Held = { arn, owner: randomUUID(), lost: false, until: 0 };
      await this.acquire(held);
      const renewal = setInterval(() => void this.renew(held), this.renewEveryMs);
      renewal.unref();
      try {
        return await this.held.run(held, work);
      } finally {
        clearInterval(renewal);
        await this.db
          .send(new UpdateCommand({ TableName: this.tableName, Key: { pk: arn }, UpdateExpression: 'REMOVE leaseOwner, leaseUntil', ConditionExpression: 'leaseOwner = :me', ExpressionAttributeValues: { ':me': held.owner } }))
          .catch(() => undefined);
      }
    });
  }

  mayAct(arn: string): boolean {
    const held = this.held.getStore();
    if (held?.arn !== arn) return true;
    // A margin of a tenth of the lease: time for the write about to be sent to reach AWS.
    return !held.lost && this.now() < held.until - this.leaseMs / 10;
  }

  /** Taken when free or lapsed: a crashed holder blocks its source for at most the lease. */
  private async acquire(held: Held): Promise<void> {
    for (let attempt = 0, wait = 50; ; attempt++, wait = Math.min(wait * 2, 2000)) {
      const now = this.now();
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: held.arn },
            UpdateExpression: 'SET leaseOwner = :me, leaseUntil = :until',
            ConditionExpression: 'attribute_not_exists(leaseOwner) OR leaseUntil < :now',
            ExpressionAttributeValues: { ':me': held.owner, ':until': now + this.leaseMs, ':now': now },
          }),
        );
        held.until = now + this.leaseMs;
        return;
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
        if (attempt > 100) throw new Error(`ledger: could not lock ${held.arn}: another invocation holds it`);
        await this.sleep(wait);
      }
    }
  }

  private async renew(held: Held): Promise<void> {
    if (held.lost) return;
    const now = this.now();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: held.arn },
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: 'leaseOwner = :me AND leaseUntil > :now',
          ExpressionAttributeValues: { ':me': held.owner, ':until': now + this.leaseMs, ':now': now },
        }),
      );
      held.until = now + this.leaseMs;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') held.lost = true;
      // Any other failure: the next renewal tries again; the fenced writes decide.
    }
  }

  private async stillHolds(held: Held): Promise<boolean> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: held.arn }, ConsistentRead: true, ProjectionExpression: 'leaseOwner, leaseUntil' }));
    const ok = out.Item?.leaseOwner === held.owner && Number(out.Item?.leaseUntil) > this.now();
    if (!ok) held.lost = true;
    return ok;
  }
}
