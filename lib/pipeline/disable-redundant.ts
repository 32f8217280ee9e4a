/**
 * Turning Insights off on redundant carriers (coverage.redundant disable): the coverage plan names them, with the
 * delivering carriers that keep analyzing everything they cover. Each is read again first and turned off only if it
 * still analyzes (someone may have changed it meanwhile), with one PutInsightSelectors of an empty list, under the
 * run's write cap; then read again to confirm. Its decision then says why Insights are off.
 */
import { clockEffectOfAction, type Action } from '../domain/actions';
import { applyClockEffect } from '../domain/insights-clock';
import { applyPlan, type WriteBudget } from '../aws/apply';
import { remediate, type AccountRegionResult, type RemediateDeps, type Target } from './remediate';

export async function disableRedundant(targets: readonly Target[], keptBy: ReadonlyMap<string, string[]>, deps: RemediateDeps & { budget: WriteBudget }): Promise<AccountRegionResult[]> {
  if (targets.length === 0) return [];
  const survey = await remediate(targets, { ...deps, apply: false });
  const at = deps.now().toISOString();
  const out: AccountRegionResult[] = [];
  for (const r of survey.results) {
    const still = new Set(r.carriers.filter((c) => c.analyzing).map((c) => c.arn));
    const actions: Action[] = r.decisions
      .filter((d) => still.has(d.source.arn))
      .map((d) => ({
        kind: 'disableInsights',
        operation: 'PutInsightSelectors',
        accountId: d.source.accountId,
        region: d.source.homeRegion,
        sourceArn: d.source.arn,
        why: `redundant: everything it analyzes is also analyzed by ${(keptBy.get(d.source.arn) ?? []).join(', ')} (coverage.redundant disable)`,
        input: d.source.kind === 'trail' ? { TrailName: d.source.arn, InsightSelectors: [] } : { EventDataStore: d.source.arn, InsightSelectors: [] },
      }));
    const outcomes = await applyPlan((a, reg) => deps.aws.cloudTrail(a, reg), actions, { mode: deps.policy.mode, budget: deps.budget });
    const off = new Set(outcomes.filter((o) => o.status === 'applied').map((o) => o.action.sourceArn));
    const again = off.size ? (await remediate([...off].map((arn) => ({ kind: 'source' as const, accountId: r.accountId, region: r.region, arn })), { ...deps, apply: false })).results[0] : undefined;
    const turnedOff = new Set(again?.carriers.filter((c) => off.has(c.arn) && !c.analyzing).map((c) => c.arn) ?? []);
    out.push({
      ...r,
      decisions: r.decisions.map((d) => {
        const action = actions.find((a) => a.sourceArn === d.source.arn);
        if (!action) return d;
        const summary = off.has(d.source.arn) ? `Insights turned off: ${action.why}` : `redundant, to be turned off: ${action.why}`;
        return { ...d, actions: [action], finding: { ...d.finding, status: 'not-needed' as const, summary } };
      }),
      outcomes,
      verified: [...off].map((arn) => ({ arn, converged: turnedOff.has(arn), remaining: [] })),
      clockUpdates: r.decisions
        .filter((d) => off.has(d.source.arn))
        .map((d) => ({ arn: d.source.arn, kind: d.source.kind, facts: applyClockEffect(d.clockFacts, clockEffectOfAction(actions.find((a) => a.sourceArn === d.source.arn)!)!, at), base: r.clockUpdates.find((u) => u.arn === d.source.arn)?.base ?? d.clockFacts })),
      carriers: r.carriers.map((c) => (off.has(c.arn) ? { ...c, analyzing: false, billed: false } : c)),
    });
  }
  return out;
}
