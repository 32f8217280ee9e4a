/**
 * The AWS-side parts of a sweep, built from configuration: the SQS queue and the DynamoDB sweep store.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from './ledger-dynamodb';
import { SqsQueue } from './sqs-queue';
import { DynamoDbSweepStore } from './sweep-store-dynamodb';

export function sweepInfrastructure(config: { sweepQueueUrl: string; sweepTable: string }) {
  return { queue: sweepQueue(config.sweepQueueUrl), store: new DynamoDbSweepStore(documentClient(), config.sweepTable) };
}

export const sweepQueue = (url: string): SqsQueue => new SqsQueue(new SQSClient({}), url);
