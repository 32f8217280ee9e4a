/**
 * The sweep store in DynamoDB (partition key `pk` = sweep id, sort key `sk`): a `#meta` item with the deadline, the
 * expected account-regions in chunks (`#expected#0000`, ...: 85,000 keys do not fit one 400 KB item), and one
 * `ar#<account>/<region>` item per report (a redelivery overwrites its own: duplicates are harmless).
 */
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SweepRecord, SweepStore } from '../sweep/store';
import type { AccountRegionReport } from '../sweep/summary';

const CHUNK = 5000;

export class DynamoDbSweepStore implements SweepStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async start(sweepId: string, expected: string[], startedAt: string, deadline: string): Promise<void> {
    const items: Record<string, unknown>[] = [{ pk: sweepId, sk: '#meta', startedAt, deadline, chunks: Math.ceil(expected.length / CHUNK) }];
    for (let i = 0; i < expected.length; i += CHUNK) items.push({ pk: sweepId, sk: `#expected#${String(i / CHUNK).padStart(4, '0')}`, keys: expected.slice(i, i + CHUNK) });
    for (let i = 0; i < items.length; i += 25) {
      let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length; attempt++) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
        if (pending.length && attempt > 8) throw new Error(`sweep store: DynamoDB left ${pending.length} item(s) unprocessed`);
      }
    }
  }

  async record(sweepId: string, report: AccountRegionReport): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: sweepId, sk: `ar#${report.key}`, report } }));
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
    const expected = items.filter((i) => String(i.sk).startsWith('#expected#')).sort((a, b) => String(a.sk).localeCompare(String(b.sk))).flatMap((i) => i.keys as string[]);
    return { sweepId, expected, startedAt: String(meta.startedAt), deadline: String(meta.deadline), reports: items.filter((i) => String(i.sk).startsWith('ar#')).map((i) => i.report as AccountRegionReport) };
  }
}
