import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SqsQueue } from '../../../../lib/aws/sqs-queue';

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

describe('SqsQueue', () => {
  it('sends one SendMessageBatch and reports the entries SQS refused', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: 'a', MessageId: '1', MD5OfMessageBody: 'x' }], Failed: [{ Id: 'b', SenderFault: false, Code: 'InternalError' }] });
    const q = new SqsQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs.us-east-1.amazonaws.com/111111111111/insights-sweep');
    const out = await q.sendBatch([{ Id: 'a', MessageBody: '{}' }, { Id: 'b', MessageBody: '{}' }]);
    expect(out).toEqual({ failedIds: ['b'] });
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/insights-sweep', Entries: [{ Id: 'a', MessageBody: '{}' }, { Id: 'b', MessageBody: '{}' }] });
  });

  it('sends the finalize message with its delay', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: '1' });
    const q = new SqsQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs.us-east-1.amazonaws.com/111111111111/insights-sweep');
    await q.send('{"sweepId":"s","finalize":true}', 900);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/insights-sweep', MessageBody: '{"sweepId":"s","finalize":true}', DelaySeconds: 900 });
  });
});
