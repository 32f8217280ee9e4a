/**
 * The ledger in DynamoDB: one item per source (partition key `pk` = the source ARN) carrying the record and a version
 * for optimistic writes, a GSI `byAccountRegion` for "the sources of this account-region", and lease locks
 * (`pk` = `lock#<arn>`, with an expiry) so that concurrent Lambda invocations never interleave writes to one source.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { InMemoryLedger, type Ledger, type SourceRecord } from '../ledger/ledger';

export const LEDGER_GSI = 'byAccountRegion';
const LEASE_MS = 60_000;

export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
}

export class DynamoDbLedger implements Ledger {
  /** Serializes this process's own work on a source before it competes for the table's lease. */
  private readonly local = new InMemoryLedger();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async get(arn: string): Promise<SourceRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: arn }, ConsistentRead: true }));
    return out.Item?.record as SourceRecord | undefined;
  }

  async put(record: SourceRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: record.arn, accountRegion: `${record.accountId}/${record.region}`, version: record.version, record },
          ...(record.version === 1
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#v = :previous', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':previous': record.version - 1 } }),
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async sourcesIn(accountId: string, region: string): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, IndexName: LEDGER_GSI, KeyConditionExpression: 'accountRegion = :ar', ExpressionAttributeValues: { ':ar': `${accountId}/${region}` }, ...(start && { ExclusiveStartKey: start }) }),
      );
      for (const item of page.Items ?? []) out.push(item.record as SourceRecord);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  withLock<T>(arn: string, work: () => Promise<T>): Promise<T> {
    return this.local.withLock(arn, async () => {
      const owner = randomUUID();
      await this.acquire(arn, owner);
      try {
        return await work();
      } finally {
        await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `lock#${arn}` }, ConditionExpression: '#o = :me', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':me': owner } })).catch(() => undefined);
      }
    });
  }

  /** A lease: taken when absent or expired (a crashed holder cannot block a source for longer than LEASE_MS). */
  private async acquire(arn: string, owner: string): Promise<void> {
    for (let attempt = 0, wait = 50; ; attempt++, wait = Math.min(wait * 2, 2000)) {
      const now = Date.now();
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: `lock#${arn}`, owner, expiresAt: now + LEASE_MS },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return;
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
        if (attempt > 100) throw new Error(`ledger: could not lock ${arn}: another invocation holds it`);
        await this.sleep(wait);
      }
    }
  }
}
