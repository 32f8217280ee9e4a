// A sweep from the command line: the Lambda sweep's pipeline without the queue. Discover the in-scope ACTIVE accounts
// and the policy's regions (lib/aws/organization.ts), then run the organization (lib/sweep/organization-run.ts: survey,
// plan, repair and judge under the coverage objective; repair where it stands under everySource), a bounded number of
// account-regions at once, sharing one write cap; report progress; with a ledger, read and record each source's
// Insights clock facts there.
import type { AwsClients } from '../lib/aws/clients';
import { costExplorerClient, lastMonthInsightsSpend } from '../lib/aws/cost-explorer';
import { discoverTargets, organizationsClient } from '../lib/aws/organization';
import type { Ledger } from '../lib/ledger/ledger';
import type { AccountRegionResult } from '../lib/pipeline/remediate';
import type { Policy } from '../lib/policy/schema';
import { storedSweepResult, type StoredSweepResult } from '../lib/report/sweep-result';
import { runOrganization } from '../lib/sweep/organization-run';

export interface SweepRunDeps {
  aws: AwsClients;
  policy: Policy;
  managementAccountId: string;
  now: () => Date;
  /** "aws" or the simulator's URL, for the record. */
  endpoint: string;
  concurrency?: number;
  ledger?: Ledger;
  sweepId?: string;
  onStart?: (total: number) => void;
  onAccountRegion?: (r: AccountRegionResult) => void;
}

export async function runSweep(deps: SweepRunDeps): Promise<StoredSweepResult> {
  const startedAt = deps.now();
  const targets = await discoverTargets(organizationsClient(deps.aws), deps.policy);
  const run = await runOrganization(targets, {
    policy: deps.policy,
    aws: deps.aws,
    managementAccountId: deps.managementAccountId,
    now: deps.now,
    ...(deps.ledger && { ledger: deps.ledger }),
    ...(deps.concurrency !== undefined && { concurrency: deps.concurrency }),
    ...(deps.onStart && { onStart: deps.onStart }),
    ...(deps.onAccountRegion && { onAccountRegion: deps.onAccountRegion }),
    // One Cost Explorer request with the management account's credentials; a refusal is "spend unknown", not a failure.
    spend: () => lastMonthInsightsSpend(costExplorerClient(deps.aws.config), deps.now(), { regions: targets.regions }),
  });
  const finishedAt = deps.now();
  return storedSweepResult(
    {
      sweepId: deps.sweepId ?? `cli-${startedAt.toISOString().replace(/[:.]/g, '-')}`,
      startedAt,
      finishedAt,
      endpoint: deps.endpoint,
      managementAccountId: deps.managementAccountId,
      // The parent OU when discovery read OU paths (a policy scoping by OU); the report groups accounts by it.
      accounts: targets.accounts.map(({ id, name, ouPath, ouName }) => ({ id, name, ...(ouPath && ouPath.length > 0 && { ou: { id: ouPath.at(-1)!, ...(ouName && { name: ouName }) } }) })),
      skipped: targets.skipped,
      regions: targets.regions,
      objective: deps.policy.objective,
    },
    run,
  );
}
