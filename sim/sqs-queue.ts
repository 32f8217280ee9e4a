/**
 * An in-process SQS standard queue with the semantics the sweep relies on: batches of up to 10 on send and
 * `batchSize` on receive, a visibility timeout after which an unacknowledged message is delivered again (with a higher
 * ApproximateReceiveCount), partial batch failure through ReportBatchItemFailures, and a dead-letter queue after
 * `maxReceiveCount` receives, and DelaySeconds on SendMessage. Time is the simulator's clock, so tests move it
 * instead of waiting.
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
    for (const e of entries) this.put(e.MessageBody, 0);
    return { failedIds: [] };
  }

  /** SendMessage with DelaySeconds (0 to 900): the message stays invisible that long. */
  async send(body: string, delaySeconds: number): Promise<void> {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) throw new Error(`DelaySeconds must be 0-900, got ${delaySeconds} (AWS.SimpleQueueService.InvalidParameterValue)`);
    this.put(body, delaySeconds * 1000);
  }

  private put(body: string, delayMs: number): void {
    const id = randomUUID();
    this.messages.set(id, { messageId: id, body, receiveCount: 0, visibleAt: this.clock.nowMs() + delayMs });
    this.sent++;
  }

  /** Milliseconds until the next hidden or delayed message becomes visible (0 when one is visible now). */
  msUntilVisible(): number {
    let next = Infinity;
    for (const m of this.messages.values()) next = Math.min(next, m.visibleAt);
    return next === Infinity ? 0 : Math.max(0, next - this.clock.nowMs());
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
 * The Lambda event source mapping with a maximum concurrency: `concurrency` pollers, each receiving a batch, invoking
 * the handler, deleting what succeeded (everything but batchItemFailures) and polling again at once, as Lambda keeps
 * each concurrent slot busy; failures and crashed batches return after the visibility timeout. Runs until the queue
 * is empty. When nothing is visible and nothing is in flight it moves the simulated clock to the next message's
 * visibility (a delayed or hidden one) instead of waiting.
 */
export async function runEventSourceMapping(
  queue: SimulatedQueue,
  clock: SimClock,
  handler: (event: { Records: SimSqsRecord[] }) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>,
  options: { batchSize: number; concurrency: number; maxClockMoves?: number },
): Promise<{ invocations: number; crashes: number; clockMoves: number; maxInvocationMs: number }> {
  const stats = { invocations: 0, crashes: 0, clockMoves: 0, maxInvocationMs: 0 };
  let inFlight = 0;
  let wake: () => void = () => undefined;
  let settled = new Promise<void>((r) => (wake = r));
  const invoke = async (records: SimSqsRecord[]) => {
    stats.invocations++;
    const started = performance.now();
    try {
      const res = await handler({ Records: records });
      const failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      for (const r of records) if (!failed.has(r.messageId)) queue.delete(r.messageId, r.receiptHandle);
    } catch {
      stats.crashes++; // the whole batch returns to the queue after the visibility timeout
    }
    stats.maxInvocationMs = Math.max(stats.maxInvocationMs, performance.now() - started);
  };
  const poller = async () => {
    while (queue.depth > 0) {
      const records = queue.receive(options.batchSize);
      if (records.length) {
        inFlight++;
        await invoke(records);
        inFlight--;
        const w = wake;
        settled = new Promise<void>((r) => (wake = r));
        w();
        continue;
      }
      if (inFlight > 0) {
        await settled;
        continue;
      }
      if (++stats.clockMoves > (options.maxClockMoves ?? 1000)) return;
      clock.advance(Math.max(1, queue.msUntilVisible()));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, poller));
  return stats;
}
