// SQS -> one account-region of a drift sweep each. Partial batch failures (ReportBatchItemFailures) through the
// Powertools batch utility: only the failed account-regions come back. Composition root only.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { sweepAccountRegion, type WorkerDeps } from '../../lib/sweep/sweep';

export const makeWorkerHandler = (deps: WorkerDeps) => {
  const recordHandler = async (record: SQSRecord) => sweepAccountRegion(record.body, deps);
  // One record after another: a duplicate of an account-region in the same batch then finds it already repaired, and
  // the account-region's CloudTrail budget is not shared by parallel records.
  return async (event: SQSEvent) => processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { processInParallel: false });
};
