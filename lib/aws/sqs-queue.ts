/**
 * The sweep queue on Amazon SQS: SendMessageBatch (at most 10 entries), reporting the entries SQS refused so the
 * scheduler retries exactly those; SendMessage with a delay for the sweep's finalize message.
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueuePort } from '../sweep/sweep';

export class SqsQueue implements QueuePort {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendBatch(entries: { Id: string; MessageBody: string }[]): Promise<{ failedIds: string[] }> {
    const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
    return { failedIds: (out.Failed ?? []).map((f) => f.Id!).filter(Boolean) };
  }

  async send(body: string, delaySeconds: number): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body, DelaySeconds: delaySeconds }));
  }
}
