/**
 * An in-process SQS standard queue with the semantics the sweep relies on: batches of up to 10 on send and
 * `batchSize` on receive, a visibility timeout after which an unacknowledged message is delivered again (with a higher
 * ApproximateReceiveCount), partial batch failure through ReportBatchItemFailures, and a dead-letter queue after
 * `maxReceiveCount` receives. Time is the simulator's clock, so tests move it instead of waiting.
 */
import { randomUUID } from 'node:crypto';
import type { SimClock } from './clock';

export interface QueueMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
}

/** The Lambda SQS event shape (aws-lambda SQSRecord), as much of it as handlers read. */
export interface SimSqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string; SenderId: string; ApproximateFirstReceiveTimestamp: string };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export class SimulatedQueue {
  private readonly messages = new Map<string, QueueMessage>();
  readonly deadLetters: QueueMessage[] = [];
  sent = 0;

  constructor(
    private readonly clock: SimClock,
    readonly options: { visibilityTimeoutMs: number; maxReceiveCount: number; arn?: string } = { visibilityTimeoutMs: 30_000, maxReceiveCount: 3 },
  ) {}

  async sendBatch(entries: { Id: string; MessageBody: string }[]): Promise<{ failedIds: string[] }> {
    if (entries.length > 10) throw new Error('SendMessageBatch takes at most 10 entries (AWS.SimpleQueueService.TooManyEntriesInBatchRequest)');
    for (const e of entries) {
      const id = randomUUID();
      this.messages.set(id, { messageId: id, body: e.MessageBody, receiveCount: 0, visibleAt: this.clock.nowMs() });
      this.sent++;
    }
    return { failedIds: [] };
  }

  /** Receives up to `max` visible messages and hides them for the visibility timeout. */
  receive(max: number): SimSqsRecord[] {
    const now = this.clock.nowMs();
    const out: SimSqsRecord[] = [];
    for (const m of this.messages.values()) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (m.receiveCount >= this.options.maxReceiveCount) {
        // The redrive policy moves a message received maxReceiveCount times to the dead-letter queue.
        this.messages.delete(m.messageId);
        this.deadLetters.push(m);
        continue;
      }
      m.receiveCount++;
      m.visibleAt = now + this.options.visibilityTimeoutMs;
      m.receiptHandle = randomUUID();
      out.push({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(now), SenderId: 'sim', ApproximateFirstReceiveTimestamp: String(now) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: this.options.arn ?? 'arn:aws:sqs:us-east-1:111111111111:insights-sweep',
        awsRegion: 'us-east-1',
      });
    }
    return out;
  }

  /** Deletes a received message; a stale receipt handle (the message was redelivered meanwhile) deletes nothing. */
  delete(messageId: string, receiptHandle: string): void {
    const m = this.messages.get(messageId);
    if (m && m.receiptHandle === receiptHandle) this.messages.delete(messageId);
  }

  get depth(): number {
    return this.messages.size;
  }

  get visible(): number {
    const now = this.clock.nowMs();
    return [...this.messages.values()].filter((m) => m.visibleAt <= now).length;
  }
}

/**
 * The Lambda event source mapping: receive batches, invoke the handler with at most `concurrency` batches at once,
 * delete what succeeded (everything but batchItemFailures), leave failures and crashed batches to the visibility
 * timeout. Runs until the queue is empty, moving the simulated clock past visibility timeouts when only invisible
 * messages remain.
 */
export async function runEventSourceMapping(
  queue: SimulatedQueue,
  clock: SimClock,
  handler: (event: { Records: SimSqsRecord[] }) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>,
  options: { batchSize: number; concurrency: number; maxRounds?: number },
): Promise<{ invocations: number; crashes: number }> {
  let invocations = 0;
  let crashes = 0;
  for (let round = 0; queue.depth > 0 && round < (options.maxRounds ?? 1000); round++) {
    const batches: SimSqsRecord[][] = [];
    for (let i = 0; i < options.concurrency; i++) {
      const b = queue.receive(options.batchSize);
      if (b.length) batches.push(b);
    }
    if (!batches.length) {
      clock.advance(queue.options.visibilityTimeoutMs);
      continue;
    }
    await Promise.all(
      batches.map(async (records) => {
        invocations++;
        try {
          const res = await handler({ Records: records });
          const failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
          for (const r of records) if (!failed.has(r.messageId)) queue.delete(r.messageId, r.receiptHandle);
        } catch {
          crashes++; // the whole batch returns to the queue after the visibility timeout
        }
      }),
    );
  }
  return { invocations, crashes };
}
