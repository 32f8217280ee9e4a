/**
 * Carries out plans: one SDK call per action, in order. Report mode writes nothing and returns the exact calls. A
 * shared write cap is reserved per source, all of a source's actions or none, so the cap never leaves a source
 * half-repaired; after a failure the source's later actions are skipped (they depend on it). Every action gets an
 * outcome: applied, planned (report mode), skipped with the reason, or failed with the classified error.
 * A plan that creates the Insights destination names it in its PutInsightSelectors by reference
 * (lib/domain/actions.ts createdDestinationRef): the ARN CreateEventDataStore answers takes its place, and the
 * outcome carries the call as made.
 */
import {
  CloudTrailClient,
  CreateEventDataStoreCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartEventDataStoreIngestionCommand,
  StartLoggingCommand,
  UpdateEventDataStoreCommand,
  type EventSelector,
} from '@aws-sdk/client-cloudtrail';
import { isCreatedDestinationRef, type Action } from '../domain/actions';
import { classifyError, type ClassifiedError } from './classify-error';

export type Outcome =
  /** `at`: when CloudTrail accepted it, for telling the product's own write from another when its event comes back. */
  | { action: Action; status: 'applied'; at?: string }
  | { action: Action; status: 'planned' }
  | { action: Action; status: 'skipped'; reason: string }
  | { action: Action; status: 'failed'; error: ClassifiedError };

/**
 * A cap on writes, shared by everything that draws on it: a sweep's `limits.maxWritesPerSweep` across all its workers
 * (an atomic counter in the sweep store), the event path's `limits.maxEventWritesPerHour` across all invocations (a
 * counter in the ledger), or a bound kept in memory. Writes are reserved before they are made.
 */
export interface WriteBudget {
  /** Takes n writes; false, taking nothing, when fewer are left. */
  reserve(n: number): Promise<boolean>;
  /** Gives back writes reserved and not made. */
  release(n: number): Promise<void>;
  /** What is left, when this process can know it. */
  left(): number | undefined;
  /** The policy setting that caps it, for the reason a write was skipped. */
  readonly setting: string;
}

/** A cap kept in this process's memory. */
export function localBudget(n: number, setting = 'limits.maxWritesPerSweep'): WriteBudget {
  let remaining = n;
  return {
    setting,
    reserve: async (k) => (remaining >= k ? ((remaining -= k), true) : false),
    release: async (k) => void (remaining += k),
    left: () => remaining,
  };
}

/** Every cap at once: a write is made only if each has room. */
export function allBudgets(...budgets: WriteBudget[]): WriteBudget {
  return {
    setting: budgets.map((b) => b.setting).join(' and '),
    async reserve(k) {
      const taken: WriteBudget[] = [];
      for (const b of budgets) {
        if (await b.reserve(k)) taken.push(b);
        else {
          for (const t of taken) await t.release(k);
          return false;
        }
      }
      return true;
    },
    release: async (k) => void (await Promise.all(budgets.map((b) => b.release(k)))),
    left: () => budgets.map((b) => b.left()).reduce<number | undefined>((m, x) => (x === undefined ? m : m === undefined ? x : Math.min(m, x)), undefined),
  };
}

export function commandFor(action: Action) {
  switch (action.kind) {
    case 'putEventSelectors':
      return 'EventSelectors' in action.input
        ? new PutEventSelectorsCommand({ TrailName: action.input.TrailName, EventSelectors: action.input.EventSelectors as EventSelector[] })
        : new PutEventSelectorsCommand({ TrailName: action.input.TrailName, AdvancedEventSelectors: action.input.AdvancedEventSelectors });
    case 'updateEventDataStoreSelectors':
      return new UpdateEventDataStoreCommand(action.input);
    case 'startLogging':
      return new StartLoggingCommand(action.input);
    case 'startIngestion':
      return new StartEventDataStoreIngestionCommand(action.input);
    case 'putInsightSelectors':
    case 'disableInsights':
      return new PutInsightSelectorsCommand(action.input);
    case 'createInsightsDestination':
      return new CreateEventDataStoreCommand(action.input);
  }
}

/**
 * The destinations created so far (reference -> ARN), shared by the plans of one run: a source whose plan did not
 * create the store it names (another source's plan in the same run did) finds it here.
 */
export type CreatedDestinations = Map<string, string>;

/** The action with a created destination's ARN in place of its reference; undefined while the store is not created. */
function resolved(action: Action, created: CreatedDestinations): Action | undefined {
  if (action.kind !== 'putInsightSelectors' || !('InsightsDestination' in action.input) || !isCreatedDestinationRef(action.input.InsightsDestination)) return action;
  const arn = created.get(action.input.InsightsDestination);
  return arn === undefined ? undefined : { ...action, input: { ...action.input, InsightsDestination: arn } };
}

export async function applyPlan(
  client: (accountId: string, region: string) => CloudTrailClient,
  actions: readonly Action[],
  options: { mode: 'enforce' | 'report'; budget: WriteBudget; mayAct?: (sourceArn: string) => boolean; now?: () => Date; created?: CreatedDestinations },
): Promise<Outcome[]> {
  const now = options.now ?? (() => new Date());
  const created = options.created ?? new Map<string, string>();
  if (options.mode === 'report') return actions.map((action) => ({ action, status: 'planned' }));
  const outcomes: Outcome[] = [];
  const bySource = new Map<string, Action[]>();
  for (const a of actions) bySource.set(a.sourceArn, [...(bySource.get(a.sourceArn) ?? []), a]);
  for (const [, plan] of bySource) {
    if (!(await options.budget.reserve(plan.length))) {
      const left = options.budget.left();
      for (const action of plan) outcomes.push({ action, status: 'skipped', reason: `write cap reached (${options.budget.setting}): ${plan.length} write(s) needed${left === undefined ? '' : `, ${left} left`}` });
      continue;
    }
    let failed = false;
    for (const planned of plan) {
      const action = resolved(planned, created);
      if (action === undefined) {
        failed = true;
        await options.budget.release(1);
        outcomes.push({ action: planned, status: 'skipped', reason: 'the Insights destination it names was not created' });
        continue;
      }
      if (failed) {
        await options.budget.release(1); // not spent
        outcomes.push({ action, status: 'skipped', reason: 'an earlier action for this source failed' });
        continue;
      }
      if (options.mayAct && !options.mayAct(action.sourceArn)) {
        // The lock lapsed (this invocation was frozen or slowed past its lease): another may be writing the source now.
        failed = true;
        await options.budget.release(1);
        outcomes.push({ action, status: 'failed', error: { class: 'conflict', name: 'LockLapsed', message: 'the lock on the source lapsed before this write; another invocation may hold it, so the write was not made', retryable: true } });
        continue;
      }
      try {
        const response = (await client(action.accountId, action.region).send(commandFor(action) as never)) as { EventDataStoreArn?: string } | undefined;
        if (action.kind === 'createInsightsDestination' && response?.EventDataStoreArn) created.set(action.creates, response.EventDataStoreArn);
        outcomes.push({ action, status: 'applied', at: now().toISOString() });
      } catch (e) {
        failed = true;
        await options.budget.release(1);
        outcomes.push({ action, status: 'failed', error: classifyError(e) });
      }
    }
  }
  return outcomes;
}
