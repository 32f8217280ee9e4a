// A sweep from the command line: the Lambda sweep's pipeline without the queue. Discover the in-scope ACTIVE accounts
// and the policy's regions (lib/aws/organization.ts), then remediate() each account-region, a bounded number at once,
// sharing one write cap; report progress; with a ledger, read and record each source's Insights clock facts there.
import type { AwsClients } from '../lib/aws/clients';
import { discoverTargets } from '../lib/aws/organization';
import type { Ledger } from '../lib/ledger/ledger';
import type { AccountRegionResult } from '../lib/pipeline/remediate';
import type { Policy } from '../lib/policy/schema';
import { storedSweepResult, type StoredSweepResult } from '../lib/report/sweep-result';
import { sweepOne } from '../lib/sweep/sweep';

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
  const targets = await discoverTargets(deps.aws.organizations(), deps.policy);
  const queue = targets.accounts.flatMap((account) => targets.regions.map((region) => ({ account, region })));
  deps.onStart?.(queue.length);
  const budget = { remaining: deps.policy.limits.maxWritesPerSweep };
  const ledger = deps.ledger;
  const results: AccountRegionResult[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { account, region } = next;
      const { result: r } = await sweepOne(
        { accountId: account.id, region, ouPath: account.ouPath },
        { policy: deps.policy, aws: deps.aws, managementAccountId: deps.managementAccountId, now: deps.now, budget, concurrency: 1, ledger },
      );
      results.push(r);
      deps.onAccountRegion?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 8, queue.length)) }, worker));
  results.sort((a, b) => `${a.accountId}/${a.region}`.localeCompare(`${b.accountId}/${b.region}`));
  const finishedAt = deps.now();
  return storedSweepResult(
    {
      sweepId: deps.sweepId ?? `cli-${startedAt.toISOString().replace(/[:.]/g, '-')}`,
      startedAt,
      finishedAt,
      endpoint: deps.endpoint,
      managementAccountId: deps.managementAccountId,
      accounts: targets.accounts.map(({ id, name }) => ({ id, name })),
      skipped: targets.skipped,
      regions: targets.regions,
    },
    {
      mode: deps.policy.mode,
      results,
      writesApplied: results.reduce((n, r) => n + r.outcomes.filter((o) => o.status === 'applied').length, 0),
      writeBudgetLeft: budget.remaining,
    },
  );
}
