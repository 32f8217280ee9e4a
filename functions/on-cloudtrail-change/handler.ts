// EventBridge "AWS API Call via CloudTrail" (and "AWS Insight via CloudTrail") -> event-driven repair.
// Composition root only: configuration, clients, ledger, idempotency and Powertools middleware around
// lib/pipeline/handle-event.ts. `makeHandler` is the seam tests use.
import middy from '@middy/core';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { AwsClients } from '../../lib/aws/clients';
import { DynamoDbLedger, documentClient } from '../../lib/aws/ledger-dynamodb';
import type { QueuePort } from '../../lib/sweep/sweep';
import { loadConfig, type Config } from '../../lib/config';
import type { Ledger } from '../../lib/ledger/ledger';
import { usesOrganizationalUnits } from '../../lib/domain/scope';
import { once } from '../../lib/once';
import { logger } from '../../lib/observability';
import { metrics } from '../../lib/metrics';
import { slackFromSecret } from '../../lib/notify/webhook-url';
import { handleEvent, retryReason, type BreakerNotification, type EventHandlerDeps } from '../../lib/pipeline/handle-event';

export interface HandlerResult {
  decision: string;
  reason: string;
  eventName: string | null;
  target: string | null;
  writes: number;
}

/** The handler proper: never throws for a bad event (it is logged with its reason); AWS failures are rethrown for a retry. */
export const makeHandler = (deps: EventHandlerDeps) => async (event: unknown): Promise<HandlerResult> => {
  const out = await handleEvent(event, deps);
  metrics.addDimension('decision', out.decision);
  metrics.addMetric('eventsHandled', MetricUnit.Count, 1);
  if (out.writes) metrics.addMetric('remediationsApplied', MetricUnit.Count, out.writes);
  if (out.coalesced) metrics.addMetric('eventsCoalesced', MetricUnit.Count, 1);
  if (out.refusedWrites) {
    // Its own metric with the service dimension only: template.yaml RepairsFailedAlarm watches exactly that.
    const refused = metrics.singleMetric();
    refused.addMetric('repairsFailed', MetricUnit.Count, out.refusedWrites);
    logger.error('repair refused', { target: out.target?.arn, refused: out.refusedWrites, reason: out.reason });
  }
  const retry = retryReason(out);
  if (retry) throw new Error(retry);
  return { decision: out.decision, reason: out.reason, eventName: out.eventName, target: out.target?.arn ?? (out.target ? `${out.target.accountId}/${out.target.region}` : null), writes: out.writes };
};

/**
 * Asks the sweep worker, through the sweep queue, for a sweep of the account-regions a change took coverage from (the
 * worker holds the discovery permissions and the sweep table). The sweep id is new for every request.
 */
export function sweepRequester(queue: Pick<QueuePort, 'send'>, now: () => Date): NonNullable<EventHandlerDeps['startSweep']> {
  return async (targets, reason) => {
    const sweepId = `targeted-${now().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
    await queue.send(JSON.stringify({ sweepId, start: true, accounts: targets.accounts, ...(targets.regions && { regions: targets.regions }), reason: reason.slice(0, 500) }), 0);
    return sweepId;
  };
}

export function depsFromConfig(config: Config, ledger: Ledger, aws: AwsClients, notify?: (n: BreakerNotification) => Promise<void>, queue?: Pick<QueuePort, 'send'>): EventHandlerDeps {
  return {
    policy: config.policy,
    aws,
    managementAccountId: config.managementAccountId,
    ledger,
    now: () => new Date(),
    ownRoles: { functionRoleNames: config.functionRoleNames, memberRoleName: config.memberRoleName },
    notify: notify ?? (async (n) => logger.warn('circuit breaker open', { ...n })),
    // At most ~30 s of Slack per invocation (outside the lock): what is not delivered by then stays in the outbox.
    ...(config.slackWebhookSecret && { slack: slackFromSecret(config.slackWebhookSecret, { timeoutMs: 3000, totalMs: 30_000 }) }),
    log: (message, fields) => logger.info(message, fields),
    ...(queue && { startSweep: sweepRequester(queue, () => new Date()) }),
    ...(usesOrganizationalUnits(config.policy) && { ouPathOf: lazyOuPathOf(aws) }),
  };
}

/**
 * The middy wiring: idempotency on the EventBridge event id (at-least-once delivery). No schema parse in front:
 * interpretEvent validates every field it reads and answers "ignore" with the reason, and the Powertools parser
 * would pull all of zod (locales included) into the bundle for nothing (1 MB limit, README "Deploy").
 */
export function wire(config: Config, deps: EventHandlerDeps, dynamo = documentClient()) {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: config.idempotencyTable, awsSdkV3Client: dynamo as never });
  return middy(makeHandler(deps))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(makeHandlerIdempotent({ persistenceStore, config: new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 24 * 3600 }) }));
}

// Organizations (OU-scoped policies only) and SQS (a targeted sweep, when a change took coverage away) are loaded on
// first use, chunks of their own in the bundle: most events need neither, and the cold start does not pay for them.
function lazyOuPathOf(aws: AwsClients): NonNullable<EventHandlerDeps['ouPathOf']> {
  const lookup = once(async () => {
    const { organizationsClient, ouPathLookup } = await import('../../lib/aws/organization');
    return ouPathLookup(organizationsClient(aws));
  });
  return async (accountId) => (await lookup())(accountId);
}

function lazySweepQueue(url: string): Pick<QueuePort, 'send'> {
  const queue = once(async () => (await import('../../lib/aws/sweep-clients')).sweepQueue(url));
  return { send: async (body, delaySeconds) => (await queue()).send(body, delaySeconds) };
}

let wired: ReturnType<typeof wire> | undefined;

export const handler = async (event: unknown, context: Context): Promise<HandlerResult> => {
  if (!wired) {
    const config = loadConfig(process.env);
    const dynamo = documentClient();
    const aws = new AwsClients({ managementAccountId: config.managementAccountId, memberRoleName: config.memberRoleName });
    const queue = config.sweepQueueUrl ? lazySweepQueue(config.sweepQueueUrl) : undefined;
    wired = wire(config, depsFromConfig(config, new DynamoDbLedger(dynamo, config.ledgerTable), aws, undefined, queue), dynamo);
  }
  return wired(event as never, context) as Promise<HandlerResult>;
};
