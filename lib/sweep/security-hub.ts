/**
 * The sweep's optional Security Hub import (policy `securityHub.import`, off by default): once an account-region's
 * result is complete, its findings in ASFF (lib/report/asff.ts: stable Ids, so a later sweep updates them) are imported
 * in the account and region each names, through that account's session (BatchImportFindings must be called by the
 * account a finding names). What was imported, and why not, is logged and returned; it never fails the account-region.
 */
import { importFindings, type ImportOutcome } from '../aws/securityhub';
import { asffOfAccountRegion, asffOfSource, AsffExportError, type AsffFinding, type AsffRun } from '../report/asff';
import { judged } from '../report/render-text';
import { storedAccountRegion } from '../report/sweep-result';
import type { AccountRegionResult } from '../pipeline/remediate';
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
  const now = deps.now();
  const run: AsffRun = { sweepId, observedAt: now.toISOString() };
  const ar = storedAccountRegion(r, undefined, deps.policy.mode, now);
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
    const outcome = await importFindings(deps.aws.securityHub(accountId, region), group).catch(
      (e: Error): ImportOutcome => ({ imported: 0, failed: group.length, calls: 0, reason: `${e.name}: ${e.message}` }),
    );
    out.push({ accountId, region, ...outcome });
    deps.log?.(outcome.failed ? 'security hub import incomplete' : 'security hub import', { accountId, region, sweepId, ...outcome });
  }
  return out;
}
