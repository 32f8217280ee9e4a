/**
 * The sweep's optional Security Hub import (policy `securityHub.import`, off by default): once an account-region's
 * result is complete, its findings in ASFF (lib/report/asff.ts: stable Ids, so a later sweep updates them) are imported
 * in the account and region each names, through that account's session (BatchImportFindings must be called by the
 * account a finding names). What was imported, and why not, is logged and returned; it never fails the account-region.
 */
import { importFindings, securityHubClient, type ImportOutcome } from '../aws/securityhub';
import { asffOfAccountRegion, asffOfSource, AsffExportError, type AsffFinding, type AsffRun } from '../report/asff';
import { judged } from '../report/render-text';
import { storedAccountRegion, type StoredAccountRegion } from '../report/sweep-result';
import type { AccountRegionResult } from '../pipeline/remediate';
import { coverageJudgements } from './coverage-sweep';
import type { WorkerDeps } from './sweep';

export interface HubImport extends ImportOutcome {
  accountId: string;
  region: string;
}

/**
 * What is sent: `sources` each judged source's finding (FAILED while drift is left or a person must act, PASSED once
 * compliant, pending its first delivery or repaired); `coverage` the account-region's own finding when it has one
 * (nothing analyzes it, or it could not be swept).
 */
export async function importToSecurityHub(
  r: AccountRegionResult,
  sweepId: string,
  deps: Pick<WorkerDeps, 'aws' | 'policy' | 'now' | 'log'>,
  what: { sources: boolean; coverage: boolean } = { sources: true, coverage: true },
): Promise<HubImport[]> {
  if (!deps.policy.securityHub.import) return [];
  return importStored(storedAccountRegion(r, undefined, deps.policy.mode, deps.now()), sweepId, deps, what);
}

async function importStored(ar: StoredAccountRegion, sweepId: string, deps: Pick<WorkerDeps, 'aws' | 'now' | 'log'>, what: { sources: boolean; coverage: boolean }): Promise<HubImport[]> {
  const run: AsffRun = { sweepId, observedAt: deps.now().toISOString() };
  const r = ar;
  const findings: AsffFinding[] = [];
  try {
    const own = what.coverage ? asffOfAccountRegion(ar, run) : undefined;
    if (own) findings.push(own);
    if (what.sources) findings.push(...judged(ar).map((s) => asffOfSource(s, run)));
  } catch (e) {
    if (!(e instanceof AsffExportError)) throw e;
    deps.log?.('security hub import skipped', { accountId: r.accountId, region: r.region, reason: e.message });
    return [];
  }
  // Each finding goes to its own account and region (a source homed elsewhere is imported where it lives).
  const groups = new Map<string, AsffFinding[]>();
  for (const f of findings) {
    const region = f.ProductArn.split(':')[3]!;
    const key = `${f.AwsAccountId}/${region}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const out: HubImport[] = [];
  for (const [key, group] of groups) {
    const [accountId, region] = key.split('/') as [string, string];
    const outcome = await importFindings(securityHubClient(deps.aws, accountId, region), group).catch(
      (e: Error): ImportOutcome => ({ imported: 0, failed: group.length, calls: 0, reason: `${e.name}: ${e.message}` }),
    );
    out.push({ accountId, region, ...outcome });
    deps.log?.(outcome.failed ? 'security hub import incomplete' : 'security hub import', { accountId, region, sweepId, ...outcome });
  }
  return out;
}

/** Sweep outcomes after which the summary is stored (lib/sweep/finish.ts): the sweep is over, its coverage final. */
const FINISHED = new Set(['summarized', 'digest sent', 'digest undelivered']);

/**
 * The coverage objective judges an account-region's coverage only once the whole sweep has reported (its survey and
 * its repairs): the worker that ends the sweep imports each account-region's coverage finding, in its own account.
 * Account-regions run `lanes` at a time.
 */
export async function importCoverage(sweepId: string, outcome: string, deps: Pick<WorkerDeps, 'aws' | 'policy' | 'now' | 'log' | 'store' | 'regionLanes'>): Promise<HubImport[]> {
  if (!deps.policy.securityHub.import || deps.policy.objective !== 'coverage' || !FINISHED.has(outcome.replace(/^nothing to repair; /, ''))) return [];
  const s = await deps.store.load(sweepId);
  if (!s) return [];
  const { judgements } = coverageJudgements(deps.policy, s);
  const results = [...judgements.values()].map((j): StoredAccountRegion => ({ accountId: j.accountId, region: j.region, status: 'done', coverage: j, sources: [], notSelected: [], shadows: [] }));
  const out: HubImport[] = [];
  const queue = [...results];
  const lane = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) out.push(...(await importStored(r, sweepId, deps, { sources: false, coverage: true })));
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.regionLanes ?? 4) }, lane));
  return out;
}
