// SQS -> one account of a drift sweep per message (its regions on the container's lanes, one session), a coverage
// repair, or the sweep's finalize message. Partial batch failures (ReportBatchItemFailures): only the failed records come
// back, and an account's failed regions are retried as a message of their own (lib/sweep/worker.ts).
// Composition root only.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AwsClients } from '../../lib/aws/clients';
import { DynamoDbLedger, documentClient } from '../../lib/aws/ledger-dynamodb';
import { sweepInfrastructure } from '../../lib/aws/sweep-clients';
import { slackFromSecret } from '../../lib/notify/webhook-url';
import { logger } from '../../lib/observability';
import { loadSweepConfig } from '../../lib/sweep/config';
import type { WorkerDeps } from '../../lib/sweep/sweep';
import { sweepBatch } from '../../lib/sweep/worker';

export const makeWorkerHandler =
  (deps: WorkerDeps) =>
  async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const failed = await sweepBatch(event.Records, deps, context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {});
    // Every record failed: the invocation fails with their reasons (Lambda then returns the whole batch), as the
    // Powertools batch utility did, so the error and its causes reach the logs and the error metric.
    if (failed.length > 0 && failed.length === event.Records.length) throw new Error(`All records failed processing: ${failed.map((f) => f.reason).join('; ')}`);
    return { batchItemFailures: failed.map((f) => ({ itemIdentifier: f.messageId })) };
  };

let wired: ReturnType<typeof makeWorkerHandler> | undefined;

export const handler = async (event: SQSEvent, context: Context) => {
  if (!wired) {
    const config = loadSweepConfig(process.env);
    const { store, queue } = sweepInfrastructure(config);
    const aws = new AwsClients({ managementAccountId: config.managementAccountId, memberRoleName: config.memberRoleName });
    const ledger = new DynamoDbLedger(documentClient(), config.ledgerTable);
    const slack = config.slackWebhookSecret ? slackFromSecret(config.slackWebhookSecret, { timeoutMs: 3000 }) : undefined;
    wired = makeWorkerHandler({
      policy: config.policy,
      aws,
      managementAccountId: config.managementAccountId,
      regionLanes: config.sweepRegionLanes,
      now: () => new Date(),
      store,
      queue,
      ledger,
      // The digest is sent once per sweep, by the worker that completes it: loaded then, not at cold start.
      ...(slack && { digest: async (summary, accountRegions) => (await (await import('../../lib/notify/digest')).sendSweepDigest(summary, accountRegions, { ledger, slack })).delivered }),
      log: (m, f) => logger.info(m, f),
    });
  }
  return wired(event, context);
};
