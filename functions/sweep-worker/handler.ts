// SQS -> one account-region of a drift sweep each, or the sweep's finalize message. Partial batch failures
// (ReportBatchItemFailures) through the Powertools batch utility: only the failed account-regions come back.
// Composition root only.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { AwsClients } from '../../lib/aws/clients';
import { DynamoDbLedger, documentClient } from '../../lib/aws/ledger-dynamodb';
import { sweepInfrastructure } from '../../lib/aws/sweep-clients';
import { sendSweepDigest } from '../../lib/notify/digest';
import { SlackSender } from '../../lib/notify/slack-webhook';
import { webhookUrlFromSecret } from '../../lib/notify/webhook-url';
import { logger } from '../../lib/observability';
import { loadSweepConfig } from '../../lib/sweep/config';
import type { WorkerDeps } from '../../lib/sweep/sweep';
import { sweepAccountRegion } from '../../lib/sweep/worker';

export const makeWorkerHandler = (deps: WorkerDeps) => {
  const recordHandler = async (record: SQSRecord) => sweepAccountRegion(record.body, deps);
  // One record after another: a duplicate of an account-region in the same batch then finds it already repaired, and
  // the account-region's CloudTrail budget is not shared by parallel records.
  return async (event: SQSEvent) => processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { processInParallel: false });
};

let wired: ReturnType<typeof makeWorkerHandler> | undefined;

export const handler = async (event: SQSEvent) => {
  if (!wired) {
    const config = loadSweepConfig(process.env);
    const { store, queue } = sweepInfrastructure(config);
    const aws = new AwsClients({ managementAccountId: config.managementAccountId, memberRoleName: config.memberRoleName });
    const ledger = new DynamoDbLedger(documentClient(), config.ledgerTable);
    const slack = config.slackWebhookSecret ? new SlackSender({ url: webhookUrlFromSecret(config.slackWebhookSecret), timeoutMs: 3000 }) : undefined;
    wired = makeWorkerHandler({
      policy: config.policy,
      aws,
      managementAccountId: config.managementAccountId,
      now: () => new Date(),
      store,
      queue,
      ledger,
      ...(slack && { digest: async (summary, accountRegions) => (await sendSweepDigest(summary, accountRegions, { ledger, slack })).delivered }),
      log: (m, f) => logger.info(m, f),
    });
  }
  return wired(event);
};
