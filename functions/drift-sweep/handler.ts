// EventBridge Scheduler -> start a drift sweep: enumerate the in-scope accounts x regions and enqueue one SQS message
// per account, its regions in it. Composition root only.
import type { Context } from 'aws-lambda';
import { AwsClients } from '../../lib/aws/clients';
import { costExplorerClient, lastMonthInsightsSpend } from '../../lib/aws/cost-explorer';
import { defaultHomeRegion } from '../../lib/domain/partitions';
import { sweepInfrastructure } from '../../lib/aws/sweep-clients';
import { logger } from '../../lib/observability';
import { loadSweepConfig } from '../../lib/sweep/config';
import { startSweep, type SchedulerDeps } from '../../lib/sweep/sweep';

export const makeSchedulerHandler = (deps: SchedulerDeps) => async (_event: unknown, context?: Pick<Context, 'awsRequestId'>) => {
  const sweepId = `sweep-${deps.now().toISOString().replace(/[:.]/g, '-')}-${(context?.awsRequestId ?? 'local').slice(0, 8)}`;
  const out = await startSweep(sweepId, deps);
  logger.info('sweep started', { ...out, skipped: out.skipped.length });
  return out;
};

let wired: ReturnType<typeof makeSchedulerHandler> | undefined;

export const handler = async (event: unknown, context: Context) => {
  if (!wired) {
    const config = loadSweepConfig(process.env);
    const { queue, store } = sweepInfrastructure(config);
    const aws = new AwsClients({ managementAccountId: config.managementAccountId, memberRoleName: config.memberRoleName });
    const costs = costExplorerClient({ homeRegion: defaultHomeRegion(process.env.AWS_REGION) });
    wired = makeSchedulerHandler({
      aws,
      policy: config.policy,
      queue,
      store,
      now: () => new Date(),
      timeoutMs: config.sweepTimeoutMinutes * 60_000,
      spend: () => lastMonthInsightsSpend(costs, new Date(), { regions: config.policy.scope.regions.include }),
    });
  }
  return wired(event, context);
};
