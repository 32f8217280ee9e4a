// `insights-remediator sweep` as an operator runs it, against the simulator instead of AWS: the demo's drifted
// organization, the management account's id as the access key; exit codes, the stored result, progress, and the
// mistakes that must stop a run before it starts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredSweepResult } from '../../../lib/report/sweep-result';
import { Simulator } from '../../../sim/server';
import { parseWorld } from '../../../sim/world';
import type { WorldInput } from '../../../sim/world';
import { buildCli, isolatedEnv, root, runCli } from './cli-process';

jest.setTimeout(120_000);

const MGMT = '111111111111';
const REGIONS = '--regions=us-east-1,eu-west-1,ap-southeast-2';
const dir = mkdtempSync(join(tmpdir(), 'cli-sweep-'));
const drifted = () => parseWorld(readFileSync(join(root, 'sim/worlds/drifted-organization.yaml'), 'utf8'));
const asManagement = () => isolatedEnv({ AWS_ACCESS_KEY_ID: MGMT, AWS_SECRET_ACCESS_KEY: 'x' });
const writes = (sim: Simulator) => sim.calls.filter((c) => c.service === 'cloudtrail' && !/^(Get|List|Describe|Lookup)/.test(c.operation) && c.status === 200);
const sources = (r: StoredSweepResult) => r.accountRegions.flatMap((ar) => ar.sources);
const source = (r: StoredSweepResult, name: string) => sources(r).find((s) => s.name === name)!;

let cli: string;
let sim: Simulator;
beforeAll(async () => {
  cli = await buildCli();
});
afterEach(() => sim?.stop());

const start = async (world: WorldInput = drifted()) => {
  sim = await Simulator.start({ world, throttling: { enabled: true }, transitionMs: 0 });
  return sim;
};

describe('insights-remediator sweep against the simulator', () => {
  it('exits 1 when a report-mode sweep leaves account-regions uncovered; writes nothing; prints and stores the same result; progress on stderr', async () => {
    await start();
    const output = join(dir, 'report.json');
    const r = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--format', 'json', '--output', output], asManagement());
    expect(r.status).toBe(1);
    expect(writes(sim)).toEqual([]);
    const result = JSON.parse(r.stdout) as StoredSweepResult;
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual(result);
    expect(result).toMatchObject({ format: 'insights-remediator/sweep-result', version: 1, mode: 'report', objective: 'coverage', endpoint: sim.endpoint, writesApplied: 0 });
    expect(result.organization.skipped).toEqual([{ id: '555555555555', reason: 'account is SUSPENDED' }]);
    expect(result.accountRegions).toHaveLength(12);
    expect(result.coveragePlan).toMatchObject({ repairs: [{ arn: `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`, writes: 1, covers: 8, duplicates: 4 }], cost: { writes: 1, sourcesNewlyBilled: 1, managementCopiesAdded: 0 } });
    expect(source(result, 'org-trail')).toMatchObject({ status: 'drifted', driftLeft: true, clockIfRepaired: { status: 'pending-first-delivery' } });
    expect(source(result, 'org-trail').actions).toEqual([expect.objectContaining({ operation: 'PutInsightSelectors', outcome: 'planned' })]);
    // The account's own trail is not needed: the organization trail covers its account-regions.
    expect(source(result, 'audit')).toMatchObject({ status: 'not-needed', driftLeft: false, actions: [] });
    expect(result.summary).toMatchObject({ expected: 12, reported: 12, writes: 0, coverage: { covered: 4, uncovered: 8 } });
    expect(r.stderr.split('\n').filter((l) => /^sweep: \d+\/12 account-regions/.test(l)).at(-1)).toBe('sweep: 12/12 account-regions');
  });

  it('repairs the one carrier in enforce mode and exits 0 on its first run: coverage is judged after the repair', async () => {
    await start();
    const output = join(dir, 'enforce.json');
    const r = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--mode', 'enforce', '--output', output], asManagement());
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(output, 'utf8')) as StoredSweepResult;
    expect(writes(sim).map((c) => `${c.operation} ${c.account}`)).toEqual([`PutInsightSelectors ${MGMT}`]);
    const finished = Date.parse(result.finishedAt);
    const org = source(result, 'org-trail');
    expect(org).toMatchObject({ repaired: true, driftLeft: false, clockAfter: { status: 'pending-first-delivery' } });
    // A trail delivers within 36 hours, counted from the write.
    expect(Date.parse(org.clockAfter.windowEnd!) - finished).toBeLessThanOrEqual(36 * 3_600_000);
    expect(Date.parse(org.clockAfter.windowEnd!) - finished).toBeGreaterThan(35 * 3_600_000);
    expect(result.accountRegions.map((ar) => ar.coverage?.status).filter((x) => x !== 'covered' && x !== 'pending-first-delivery')).toEqual([]);
    expect(r.stdout).toMatch(/^ {2}trail org-trail +REPAIRED: Insights are off/m);
    expect(r.stdout).toMatch(/^no drift left: exit 0$/m);
  });

  it('under objective everySource repairs every selected source, and exits 1 while a person must still act', async () => {
    await start();
    const policy = join(dir, 'every-source.yaml');
    writeFileSync(policy, 'version: 1\nmode: enforce\nobjective: everySource\nscope: {regions: {include: [us-east-1]}}\n');
    const output = join(dir, 'every.json');
    const r = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--policy', policy, '--output', output], asManagement());
    expect(r.status).toBe(1);
    expect(writes(sim).map((c) => c.operation).sort()).toEqual(['PutEventSelectors', 'PutInsightSelectors', 'PutInsightSelectors', 'PutInsightSelectors', 'PutInsightSelectors', 'PutInsightSelectors', 'StartEventDataStoreIngestion', 'StartLogging', 'UpdateEventDataStore']);
    const result = JSON.parse(readFileSync(output, 'utf8')) as StoredSweepResult;
    expect(result.objective).toBe('everySource');
    expect(sources(result).filter((s) => s.driftLeft).map((s) => s.name).sort()).toEqual(['dev-lake', 'legacy-audit', 'prod-eu-audit']);
    expect(Date.parse(source(result, 'prod-lake').clockAfter.windowEnd!) - Date.parse(result.finishedAt)).toBeGreaterThan(6.9 * 24 * 3_600_000);
    expect(r.stdout).toMatch(/applied: StartEventDataStoreIngestion .*\n +Insights clock: off -> pending first delivery until /);
    expect(r.stdout).toMatch(/^drift left \(3\): exit 1$/m);
  });

  it('exits 0 when an enforce-mode sweep leaves nothing drifted, and a report-mode sweep after it finds nothing to do', async () => {
    await start();
    expect((await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--mode', 'enforce'], asManagement())).status).toBe(0);
    const before = writes(sim).length;
    const again = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--format', 'markdown'], asManagement());
    expect(again.status).toBe(0);
    expect(writes(sim)).toHaveLength(before);
    expect(again.stdout).toMatch(/^# Insights sweep cli-/);
    // A run from the command line keeps no ledger, and CloudTrail does not say when Insights were turned on.
    expect(again.stdout).toMatch(/^\| `org-trail` \| trail \| COMPLIANT \| Insights on \(ApiCallRateInsight and ApiErrorRateInsight on Management\)/m);
  });

  it('remembers the clocks it opened in a --ledger file: the next sweep says pending first delivery until T, not delivering', async () => {
    await start();
    const ledger = join(dir, 'ledger.json');
    const first = join(dir, 'first.json');
    const second = join(dir, 'second.json');
    expect((await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--mode', 'enforce', '--ledger', ledger, '--output', first], asManagement())).status).toBe(0);
    const before = writes(sim).length;
    expect((await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--ledger', ledger, '--output', second], asManagement())).status).toBe(0);
    expect(writes(sim)).toHaveLength(before);
    const opened = source(JSON.parse(readFileSync(first, 'utf8')) as StoredSweepResult, 'org-trail').clockAfter;
    const seen = source(JSON.parse(readFileSync(second, 'utf8')) as StoredSweepResult, 'org-trail');
    expect(seen).toMatchObject({ status: 'pending-first-delivery', clockBefore: { status: 'pending-first-delivery', windowEnd: opened.windowEnd } });
    expect(JSON.parse(readFileSync(ledger, 'utf8'))).toMatchObject({ format: 'insights-remediator-ledger' });
  });

  it('refuses a --ledger file that is not one, in one line, before sweeping', async () => {
    await start();
    const bad = join(dir, 'bad-ledger.json');
    writeFileSync(bad, '{"records": 3}');
    const r = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, REGIONS, '--ledger', bad], asManagement());
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`insights-remediator: --ledger ${bad}: not a ledger file (expected {"format": "insights-remediator-ledger", "records": [...]})`);
    expect(sim.calls.filter((c) => c.service === 'cloudtrail')).toEqual([]);
  });

  it('reports the account-regions it cannot reach when the member role does not exist, and exits 1', async () => {
    await start();
    const r = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, '--regions', 'us-east-1', '--role-name', 'NoSuchRole', '--format', 'json'], asManagement());
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout) as StoredSweepResult;
    expect(result.accountRegions.map((ar) => [ar.accountId, ar.status])).toEqual([
      [MGMT, 'done'],
      ['222222222222', 'unreachable'],
      ['333333333333', 'unreachable'],
      ['444444444444', 'unreachable'],
    ]);
    // Every member refused: the likely cause is a member role that does not trust whoever runs the sweep.
    expect(r.stderr).toContain("sweep: no member account let arn:aws:iam::111111111111:user/admin assume NoSuchRole");
    expect(r.stderr).toContain('OperatorRoleArn');
  });

  it('stores each account\'s OU by id and name when the policy scopes by OU, for the report to show names', async () => {
    await start();
    const policy = join(dir, 'ou-policy.yaml');
    writeFileSync(policy, 'version: 1\nmode: report\nscope: {regions: {include: [us-east-1]}, organizationalUnits: {include: [ou-drft-prod0001, ou-drft-sandbox1]}}\n');
    const r = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, '--policy', policy, '--format', 'json'], asManagement());
    const result = JSON.parse(r.stdout) as StoredSweepResult;
    expect(result.organization.accounts.map((a) => [a.id, a.ou]).sort()).toEqual([
      ['222222222222', { id: 'ou-drft-prod0001', name: 'Production' }],
      ['333333333333', { id: 'ou-drft-prod0001', name: 'Production' }],
      ['444444444444', { id: 'ou-drft-sandbox1', name: 'Sandbox' }],
    ]);
  });

  it('overrides the policy file\'s mode and regions with --mode and --regions', async () => {
    await start();
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'version: 1\nmode: enforce\nobjective: everySource\nscope: {regions: {include: [us-east-1, eu-west-1]}}\n');
    const r = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, '--policy', policy, '--mode', 'report', '--regions', 'ap-southeast-2', '--format', 'json'], asManagement());
    const result = JSON.parse(r.stdout) as StoredSweepResult;
    expect([result.mode, result.organization.regions, writes(sim).length]).toEqual(['report', ['ap-southeast-2'], 0]);
    // The organization trail (homed in us-east-1, outside these regions) has no Insights, and prod's multi-Region store
    // is homed in eu-west-1, not read: only dev's own trail here analyzes its account-region.
    expect(result.accountRegions.filter((ar) => ar.coverage?.status === 'uncovered').map((ar) => ar.accountId)).toEqual([MGMT, '222222222222', '444444444444']);
    expect(r.status).toBe(1);
  });
});

describe('mistakes that stop a sweep before it starts: one line, exit 2', () => {
  const oneLine = (r: { status: number | null; stderr: string }, message: RegExp) => {
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  };

  it('no AWS credentials for a real sweep (none in the environment, no config files, no instance role)', async () => {
    oneLine(await runCli(cli, ['sweep'], isolatedEnv()), /^insights-remediator: no AWS credentials found .*use --profile NAME/);
  });

  it('a profile that does not exist', async () => {
    oneLine(await runCli(cli, ['sweep', '--profile', 'nope'], isolatedEnv()), /^insights-remediator: no AWS credentials for profile "nope": /);
  });

  it('an endpoint nothing listens on', async () => {
    await start();
    const closed = sim.endpoint;
    await sim.stop();
    oneLine(await runCli(cli, ['sweep', '--endpoint-url', closed], asManagement()), new RegExp(`^insights-remediator: cannot reach ${closed}: ECONNREFUSED`));
  });

  it('credentials of a member account instead of the management account', async () => {
    await start();
    oneLine(
      await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint], isolatedEnv({ AWS_ACCESS_KEY_ID: '222222222222', AWS_SECRET_ACCESS_KEY: 'x' })),
      /these credentials are for account 222222222222 .* a sweep runs from the organization's management account 111111111111$/m,
    );
  });
});

describe('insights-remediator sim', () => {
  it('serves a world file until Ctrl-C, and a sweep against it works', async () => {
    const child = spawn(process.execPath, [cli, 'sim', '--world', join(root, 'sim/worlds/drifted-organization.yaml'), '--no-throttling'], { cwd: root, env: isolatedEnv() });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^simulator listening on (http:\/\/127\.0\.0\.1:\d+) \(5 accounts, 7 trails, 9 event data stores, no TPS quotas\)$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`sim exited ${code}: ${out}`)));
    });
    const r = await runCli(cli, ['sweep', '--endpoint-url', endpoint, '--regions', 'us-east-1'], asManagement());
    expect(r.stdout).toMatch(/^Insights sweep cli-.*: mode report, objective coverage, 4 account-region\(s\) of 4 account\(s\) x 1 region\(s\)/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
