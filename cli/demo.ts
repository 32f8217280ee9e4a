/**
 * The demo: a small, realistically drifted organization run through the decision core, printing each source's
 * finding, the exact CloudTrail calls that repair it, and what the repair does to the Insights clock.
 * (The simulator-backed demo, with real SDK calls, events and Slack, replaces this as later issues land.)
 */
import { decide, type Decision } from '../lib/domain/decide';
import type { ClockFacts } from '../lib/domain/insights-clock';
import type { DecisionContext, SourceState } from '../lib/domain/model';
import { validatePolicy } from '../lib/policy/load';
import type { Policy } from '../lib/policy/schema';
import { digestMessage, notRemediableMessage, repairMessage, reportFindingMessage, type SlackMessage } from '../lib/notify/slack-message';
import type { Outcome } from '../lib/aws/apply';
import type { RemediationResult } from '../lib/pipeline/remediate';
import { sampleOrganization } from './sample-organization';

export interface DemoOptions {
  policy?: Policy | undefined;
  format: 'table' | 'json';
  write: (line: string) => void;
  now?: Date;
  /** Receives every Slack payload the run would send. */
  slack?: (messages: SlackMessage[]) => void;
}

const DEMO_POLICY = {
  version: 1,
  mode: 'enforce',
  scope: { regions: { include: ['us-east-1', 'eu-west-1'] } },
  exemptions: [{ match: { name: 'legacy-*' }, reason: 'legacy trails retire in CHG-1234', expires: '2027-03-31' }],
};

export function runDemo(options: DemoOptions): number {
  const now = options.now ?? new Date();
  const policy = options.policy ?? validatePolicy(DEMO_POLICY, 'demo policy');
  const org = sampleOrganization(now);
  const decisions: Decision[] = org.sources.map((s: { state: SourceState; clockFacts?: ClockFacts }) =>
    decide({ policy, source: s.state, context: contextFor(org, s.state), clockFacts: s.clockFacts, now }),
  );

  if (options.slack) options.slack(slackMessages(policy, decisions));

  if (options.format === 'json') {
    options.write(JSON.stringify({ now: now.toISOString(), mode: policy.mode, decisions }, null, 2));
    return 0;
  }

  const w = options.write;
  w(`cloudtrail-insights-remediator demo: ${org.accounts.length} accounts, ${decisions.length} trails and event data stores, policy mode ${policy.mode}`);
  w(`now: ${now.toISOString()}`);
  w('');
  for (const d of decisions) {
    w(`${d.source.observedFromAccountId} ${d.source.region.padEnd(10)} ${d.source.kind === 'trail' ? 'trail' : 'store'} ${d.source.name}`);
    w(`  ${d.finding.status.toUpperCase()}: ${d.finding.summary}`);
    for (const b of d.finding.blockers.filter((x) => !x.transient)) w(`  a person must: ${b.remedy}`);
    for (const a of d.actions) w(`  ${policy.mode === 'enforce' ? 'repair' : 'would call'}: ${a.operation} ${JSON.stringify(a.input)}`);
    if (d.actions.length > 0 && d.projectedClock.status === 'pending-first-delivery')
      w(`  Insights clock ${policy.mode === 'enforce' ? 'after repair' : 'if repaired'}: pending first delivery until ${d.projectedClock.windowEnd}`);
    w('');
  }
  const counts = new Map<string, number>();
  for (const d of decisions) counts.set(d.finding.status, (counts.get(d.finding.status) ?? 0) + 1);
  w(`summary: ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}; ${decisions.reduce((n, d) => n + d.actions.length, 0)} planned write(s)`);
  return 0;
}

/** The messages a run would send: one per source that needs a word, then one digest. */
function slackMessages(policy: Policy, decisions: Decision[]): SlackMessage[] {
  const outcomes = (d: Decision): Outcome[] => d.actions.map((action) => ({ action, status: policy.mode === 'enforce' ? 'applied' : 'planned' }));
  const perSource = decisions.flatMap((d) => {
    if (d.actions.length && policy.mode === 'enforce') return [repairMessage(d, outcomes(d))];
    if (d.actions.length) return [reportFindingMessage(d)];
    if (d.finding.status === 'not-remediable') return [notRemediableMessage(d)];
    return [];
  });
  const byAccountRegion = new Map<string, Decision[]>();
  for (const d of decisions) byAccountRegion.set(`${d.source.observedFromAccountId}/${d.source.region}`, [...(byAccountRegion.get(`${d.source.observedFromAccountId}/${d.source.region}`) ?? []), d]);
  const result: RemediationResult = {
    mode: policy.mode,
    writesApplied: policy.mode === 'enforce' ? decisions.reduce((n, d) => n + d.actions.length, 0) : 0,
    writeBudgetLeft: policy.limits.maxWritesPerSweep - (policy.mode === 'enforce' ? decisions.reduce((n, d) => n + d.actions.length, 0) : 0),
    results: [...byAccountRegion].map(([key, ds]) => {
      const [accountId, region] = key.split('/') as [string, string];
      return { accountId, region, status: 'done' as const, decisions: ds, notSelected: [], shadows: [], outcomes: ds.flatMap(outcomes), verified: [], clockUpdates: [] };
    }),
  };
  return [...perSource, digestMessage(result, 'Insights demo sweep')];
}

function contextFor(org: ReturnType<typeof sampleOrganization>, s: SourceState): DecisionContext {
  return {
    managementAccountId: org.managementAccountId,
    eventDataStoresInAccount: org.eventDataStores.filter((e) => e.accountId === s.accountId),
  };
}
