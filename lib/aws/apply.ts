/**
 * Carries out plans: one SDK call per action, in order. Report mode writes nothing and returns the exact calls. A
 * shared write cap is reserved per source, all of a source's actions or none, so the cap never leaves a source
 * half-repaired; after a failure the source's later actions are skipped (they depend on it). Every action gets an
 * outcome: applied, planned (report mode), skipped with the reason, or failed with the classified error.
 */
import {
  CloudTrailClient,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartEventDataStoreIngestionCommand,
  StartLoggingCommand,
  UpdateEventDataStoreCommand,
  type EventSelector,
} from '@aws-sdk/client-cloudtrail';
import type { Action } from '../domain/actions';
import { classifyError, type ClassifiedError } from './classify-error';

export type Outcome =
  /** `at`: when CloudTrail accepted it, for telling the product's own write from another when its event comes back. */
  | { action: Action; status: 'applied'; at?: string }
  | { action: Action; status: 'planned' }
  | { action: Action; status: 'skipped'; reason: string }
  | { action: Action; status: 'failed'; error: ClassifiedError };

/** The run's remaining writes (policy limits.maxWritesPerSweep), shared by every account-region of the run. */
export interface WriteBudget {
  remaining: number;
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
  }
}

export async function applyPlan(
  client: (accountId: string, region: string) => CloudTrailClient,
  actions: readonly Action[],
  options: { mode: 'enforce' | 'report'; budget: WriteBudget },
): Promise<Outcome[]> {
  if (options.mode === 'report') return actions.map((action) => ({ action, status: 'planned' }));
  const outcomes: Outcome[] = [];
  const bySource = new Map<string, Action[]>();
  for (const a of actions) bySource.set(a.sourceArn, [...(bySource.get(a.sourceArn) ?? []), a]);
  for (const [, plan] of bySource) {
    if (options.budget.remaining < plan.length) {
      for (const action of plan) outcomes.push({ action, status: 'skipped', reason: `write cap reached (limits.maxWritesPerSweep): ${plan.length} write(s) needed, ${options.budget.remaining} left` });
      continue;
    }
    options.budget.remaining -= plan.length;
    let failed = false;
    for (const action of plan) {
      if (failed) {
        options.budget.remaining += 1; // not spent
        outcomes.push({ action, status: 'skipped', reason: 'an earlier action for this source failed' });
        continue;
      }
      try {
        await client(action.accountId, action.region).send(commandFor(action) as never);
        outcomes.push({ action, status: 'applied', at: new Date().toISOString() });
      } catch (e) {
        failed = true;
        options.budget.remaining += 1;
        outcomes.push({ action, status: 'failed', error: classifyError(e) });
      }
    }
  }
  return outcomes;
}
