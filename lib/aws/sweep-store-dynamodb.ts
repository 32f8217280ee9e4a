/**
 * The sweep store in DynamoDB (partition key `pk` = sweep id, sort key `sk`): a `#meta` item with the deadline, the
 * number of account-regions expected and a counter of distinct reports; the expected account-regions in chunks
 * (`#expected#0000`, ...: 85,000 keys do not fit one 400 KB item); one `ar#<account>/<region>` item per report (a
 * redelivery overwrites its own and is not counted again); and `#summary`, written once by a conditional put, with
 * its lists cut to fit the item. A coverage sweep adds `#scope#0000`, ... (the account-regions surveyed only, and the
 * organization's accounts, chunked), `#plan#0000`, ... (its repair account-regions, written once: the chunks are the
 * same for every writer, and the `#plan` item's conditional put picks the stored count) and one `rep#<account>/<region>`
 * item per repair report, counted on `#meta` like the others. Every item expires (`expiresAt`, the table's TTL
 * attribute) 35 days after the deadline.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InsightsSpend } from './cost-explorer';
import type { SweepRecord, SweepScope, SweepStore } from '../sweep/store';
import { boundedSummary, type AccountRegionReport, type SweepSummary } from '../report/summary';

const CHUNK = 5000;
const SUMMARY_LIST_MAX = 1000;
const KEEP_AFTER_DEADLINE_S = 35 * 24 * 3600;

export class DynamoDbSweepStore implements SweepStore {
  private readonly expiry = new Map<string, number>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async start(sweepId: string, expected: string[], startedAt: string, deadline: string, scope?: SweepScope): Promise<void> {
    const expiresAt = this.expiresAt(sweepId, deadline);
    const items: Record<string, unknown>[] = [{ pk: sweepId, sk: '#meta', startedAt, deadline, chunks: Math.ceil(expected.length / CHUNK), expectedCount: expected.length, reported: 0, repaired: 0, expiresAt }];
    items.push(...chunked('#expected', expected).map(({ sk, keys }) => ({ pk: sweepId, sk, keys, expiresAt })));
    if (scope) {
      items.push({ pk: sweepId, sk: '#scope#extras', keys: scope.extras, expiresAt });
      items.push(...chunked('#scope#org', scope.organizationAccounts).map(({ sk, keys }) => ({ pk: sweepId, sk, keys, expiresAt })));
      if (scope.spend) {
        // Thousands of account-regions may be billed: the amounts go in chunks like the keys.
        const { byAccountRegion, ...rest } = scope.spend;
        items.push({ pk: sweepId, sk: '#scope#spend', spend: rest, expiresAt });
        for (let i = 0; i < byAccountRegion.length; i += CHUNK) items.push({ pk: sweepId, sk: `#scope#billed#${String(i / CHUNK).padStart(4, '0')}`, amounts: byAccountRegion.slice(i, i + CHUNK), expiresAt });
      }
    }
    await this.putAll(items);
  }

  private async putAll(items: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length; attempt++) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
        if (pending.length && attempt > 8) throw new Error(`sweep store: DynamoDB left ${pending.length} item(s) unprocessed`);
      }
    }
  }

  async record(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean; unplanned: boolean }> {
    const expiresAt = await this.expiryOf(sweepId);
    const put = await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: sweepId, sk: `ar#${report.key}`, report, expiresAt }, ReturnValues: 'ALL_OLD' }));
    const state = (m: Record<string, unknown> | undefined) => ({ all: m?.reported === m?.expectedCount, planned: m?.repairsExpected !== undefined });
    if (put.Attributes) {
      const meta = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: sweepId, sk: '#meta' }, ConsistentRead: true }));
      const s = state(meta.Item);
      return { completed: false, unplanned: s.all && !s.planned };
    }
    // A crash between the two writes leaves the counter one short: the finalize message ends that sweep at its deadline.
    const meta = await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: sweepId, sk: '#meta' }, UpdateExpression: 'ADD reported :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'ALL_NEW' }));
    const s = state(meta.Attributes);
    return { completed: s.all, unplanned: s.all && !s.planned };
  }

  async reserveWrites(sweepId: string, n: number, cap: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: sweepId, sk: '#meta' },
          UpdateExpression: 'ADD writesReserved :n',
          // One counter for every worker: the condition and the addition are one atomic write.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(writesReserved) OR writesReserved <= :most)',
          ExpressionAttributeValues: { ':n': n, ':most': cap - n },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async releaseWrites(sweepId: string, n: number): Promise<void> {
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: sweepId, sk: '#meta' }, UpdateExpression: 'ADD writesReserved :n', ExpressionAttributeValues: { ':n': -n } }));
  }

  async savePlan(sweepId: string, repairKeys: string[]): Promise<string[]> {
    const expiresAt = await this.expiryOf(sweepId);
    // The chunks are the same whoever writes them (the plan is a pure function of the survey): only the count races.
    await this.putAll(chunked('#plan', repairKeys).map(({ sk, keys }) => ({ pk: sweepId, sk, keys, expiresAt })));
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: sweepId, sk: '#meta' }, UpdateExpression: 'SET repairsExpected = :n', ConditionExpression: 'attribute_not_exists(repairsExpected)', ExpressionAttributeValues: { ':n': repairKeys.length } }));
      return repairKeys;
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      return (await this.load(sweepId))?.repairsExpected ?? repairKeys;
    }
  }

  async recordRepair(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean }> {
    const expiresAt = await this.expiryOf(sweepId);
    try {
      // A duplicate that wrote nothing never replaces a report that wrote (see the port).
      const put = await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: sweepId, sk: `rep#${report.key}`, report, writes: report.writes, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR writes <= :w',
          ExpressionAttributeValues: { ':w': report.writes },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (put.Attributes) return { completed: false };
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return { completed: false };
      throw e;
    }
    const meta = await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: sweepId, sk: '#meta' }, UpdateExpression: 'ADD repaired :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'ALL_NEW' }));
    return { completed: meta.Attributes?.repairsExpected !== undefined && meta.Attributes.repaired === meta.Attributes.repairsExpected };
  }

  async load(sweepId: string): Promise<SweepRecord | undefined> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :id', ExpressionAttributeValues: { ':id': sweepId }, ConsistentRead: true, ...(start && { ExclusiveStartKey: start }) }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const meta = items.find((i) => i.sk === '#meta');
    if (!meta) return undefined;
    const summary = items.find((i) => i.sk === '#summary');
    const keysOf = (prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix)).sort((a, b) => String(a.sk).localeCompare(String(b.sk))).flatMap((i) => i.keys as string[]);
    const extras = items.find((i) => i.sk === '#scope#extras');
    const spendItem = items.find((i) => i.sk === '#scope#spend');
    const billed = items.filter((i) => String(i.sk).startsWith('#scope#billed#')).sort((a, b) => String(a.sk).localeCompare(String(b.sk))).flatMap((i) => i.amounts as InsightsSpend['byAccountRegion']);
    return {
      sweepId,
      expected: keysOf('#expected#'),
      startedAt: String(meta.startedAt),
      deadline: String(meta.deadline),
      reports: items.filter((i) => String(i.sk).startsWith('ar#')).map((i) => i.report as AccountRegionReport),
      repairs: items.filter((i) => String(i.sk).startsWith('rep#')).map((i) => i.report as AccountRegionReport),
      ...(extras && { scope: { extras: extras.keys as string[], organizationAccounts: keysOf('#scope#org#'), ...(spendItem && { spend: { ...(spendItem.spend as Omit<InsightsSpend, 'byAccountRegion'>), byAccountRegion: billed } }) } }),
      ...(typeof meta.repairsExpected === 'number' && { repairsExpected: keysOf('#plan#').slice(0, meta.repairsExpected) }),
      ...(summary && { summary: summary.summary as SweepSummary }),
      ...(typeof summary?.digestSentAt === 'string' && { digestSentAt: summary.digestSentAt }),
    };
  }

  async saveSummary(sweepId: string, summary: SweepSummary): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: sweepId, sk: '#summary', summary: boundedSummary(summary, SUMMARY_LIST_MAX), expiresAt: await this.expiryOf(sweepId) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async markDigestSent(sweepId: string, at: string): Promise<void> {
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: sweepId, sk: '#summary' }, UpdateExpression: 'SET digestSentAt = :at', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': at } }));
  }

  private expiresAt(sweepId: string, deadline: string): number {
    const at = Math.floor(Date.parse(deadline) / 1000) + KEEP_AFTER_DEADLINE_S;
    this.expiry.set(sweepId, at);
    return at;
  }

  /** The sweep's expiry, read from its meta item once per sweep and container. */
  async known(sweepId: string): Promise<boolean> {
    if (this.expiry.has(sweepId)) return true;
    try {
      await this.expiryOf(sweepId);
      return true;
    } catch (e) {
      if (e instanceof UnknownSweepError) return false;
      throw e;
    }
  }

  private async expiryOf(sweepId: string): Promise<number> {
    const known = this.expiry.get(sweepId);
    if (known !== undefined) return known;
    const page = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :id AND sk = :meta', ExpressionAttributeValues: { ':id': sweepId, ':meta': '#meta' }, ProjectionExpression: 'deadline' }));
    const deadline = page.Items?.[0]?.deadline;
    if (typeof deadline !== 'string') throw new UnknownSweepError(sweepId);
    return this.expiresAt(sweepId, deadline);
  }
}

/** A long list in items of CHUNK keys each, sorted by their sort keys (`<prefix>#0000`, ...). */
function chunked(prefix: string, keys: readonly string[]): { sk: string; keys: string[] }[] {
  const out: { sk: string; keys: string[] }[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) out.push({ sk: `${prefix}#${String(i / CHUNK).padStart(4, '0')}`, keys: keys.slice(i, i + CHUNK) });
  return out;
}

class UnknownSweepError extends Error {
  constructor(sweepId: string) {
    super(`sweep ${sweepId} was never started`);
    this.name = 'UnknownSweepError';
  }
}
