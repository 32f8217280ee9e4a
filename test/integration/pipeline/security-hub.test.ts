// The optional Security Hub import over the simulator: each account-region's findings go to Security Hub from the
// member account they name, in batches of at most 100; a repair turns its finding PASSED; a second identical sweep
// leaves the same findings; an account-region without Security Hub is reported and the sweep completes.
import type { SQSEvent } from 'aws-lambda';
import { makeWorkerHandler } from '../../../functions/sweep-worker/handler';
import { AwsClients } from '../../../lib/aws/clients';
import { importFindings, securityHubClient } from '../../../lib/aws/securityhub';
import { asffOfAccountRegion } from '../../../lib/report/asff';
import { InMemorySweepStore } from '../../../lib/sweep/store';
import { startSweep, sweepSummary, type WorkerDeps } from '../../../lib/sweep/sweep';
import type { Simulator } from '../../../sim/server';
import { runEventSourceMapping, SimulatedQueue } from '../../../sim/sqs-queue';
import type { WorldInput } from '../../../sim/world';
import { aPolicy } from '../../helpers/builders';
import { DEV, MGMT, PROD, ROLE, startSim, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
afterEach(() => sim?.stop());

const aws = () => new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, maxAttempts: 2, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });

async function sweep(sweepId: string, mode: 'enforce' | 'report', securityHub = { import: true }, objective: 'everySource' | 'coverage' = 'everySource') {
  const policy = aPolicy({ mode, objective, securityHub });
  const store = new InMemorySweepStore();
  const queue = new SimulatedQueue(sim.clock, { visibilityTimeoutMs: 60_000, maxReceiveCount: 4 });
  const logs: { message: string; fields: Record<string, unknown> }[] = [];
  const deps: WorkerDeps = { policy, aws: aws(), managementAccountId: MGMT, now: () => sim.clock.now(), store, queue, log: (message, fields) => logs.push({ message, fields }) };
  await startSweep(sweepId, { aws: deps.aws, policy, queue, store, now: deps.now });
  const worker = makeWorkerHandler(deps);
  await runEventSourceMapping(queue, sim.clock, (e) => worker(e as unknown as SQSEvent), { batchSize: 4, concurrency: 2 });
  return { summary: (await sweepSummary(sweepId, store, sim.clock.now()))!, logs };
}

/** Every stored finding as `account region Id -> compliance status`. */
const statuses = () => Object.fromEntries(sim.securityHub.all().map((s) => [`${String(s.finding.AwsAccountId)} ${String(s.finding.Id)}`, (s.finding.Compliance as { Status: string }).Status]));
const sourceFinding = (arn: string) => sim.securityHub.all().find((s) => s.finding.Id === `insights-remediator/source/${arn}`);

describe('Security Hub import from the sweep', () => {
  it('imports nothing and calls Security Hub nowhere when the policy leaves it off (the default)', async () => {
    sim = await startSim();
    const { summary } = await sweep('off-1', 'report', { import: false });
    expect(summary.complete).toBe(true);
    expect(sim.calls.filter((c) => c.service === 'securityhub')).toEqual([]);
    expect(sim.securityHub.all()).toEqual([]);
  });

  it('creates the findings in each member account from that account, turns a repaired source PASSED, and a second identical sweep keeps the same findings', async () => {
    sim = await startSim();
    // Report mode first: drift is found, not repaired, so its findings say FAILED.
    const first = await sweep('report-1', 'report');
    expect(first.summary.complete).toBe(true);
    const audit = trailArn('audit');
    expect((sourceFinding(audit)!.finding.Compliance as { Status: string }).Status).toBe('FAILED');
    // One finding per judged source, each in the account (and region) it names, sent by that account.
    const hubCalls = sim.calls.filter((c) => c.service === 'securityhub');
    expect(hubCalls.length).toBeGreaterThan(0);
    expect(hubCalls.every((c) => c.status === 200)).toBe(true);
    for (const s of sim.securityHub.all()) expect(String(s.finding.ProductArn)).toContain(`:${String(s.finding.AwsAccountId)}:product/${String(s.finding.AwsAccountId)}/default`);
    expect(new Set(hubCalls.map((c) => c.account))).toEqual(new Set([MGMT, PROD, DEV]));
    expect(sim.securityHub.in(PROD, 'us-east-1').length).toBeGreaterThan(0);
    expect(sim.securityHub.in(DEV, 'eu-west-1').length).toBeGreaterThan(0);
    expect(sim.securityHub.requestSizes.every((n) => n >= 1 && n <= 100)).toBe(true);
    const brokenBucket = sourceFinding(trailArn('broken-bucket', DEV, 'eu-west-1'))!;
    expect(brokenBucket.finding).toMatchObject({ Compliance: { Status: 'FAILED' } });

    // Enforce: the audit trail is repaired, its finding (same Id) becomes PASSED, still ACTIVE; its Workflow stays what
    // it was created with (BatchImportFindings cannot change it).
    const repaired = await sweep('enforce-1', 'enforce');
    expect(repaired.summary.complete).toBe(true);
    expect(repaired.summary.repaired).toBeGreaterThan(0);
    const after = sourceFinding(audit)!;
    expect(after.finding).toMatchObject({ Compliance: { Status: 'PASSED' }, RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
    expect(after.imports).toBe(2);
    const broken = sourceFinding(trailArn('broken-bucket', DEV, 'eu-west-1'))!;
    expect(broken.finding).toMatchObject({ Compliance: { Status: 'FAILED' } });

    // The same organization swept again: the same findings by Id, the same statuses, nothing new.
    const before = statuses();
    const again = await sweep('enforce-2', 'enforce');
    expect(again.summary.complete).toBe(true);
    expect(statuses()).toEqual(before);
    expect(Object.values(before)).toContain('PASSED');
  });

  it('reports an account-region without Security Hub and still completes the sweep', async () => {
    sim = await startSim({ world: testWorld({ securityHub: { disabled: [`${DEV}/eu-west-1`], deniedCallers: [] } } as Partial<WorldInput>) });
    const { summary, logs } = await sweep('disabled-1', 'enforce');
    expect(summary).toMatchObject({ complete: true, failed: [], unreachable: [] });
    const incomplete = logs.filter((l) => l.message === 'security hub import incomplete');
    expect(incomplete).toEqual([expect.objectContaining({ fields: expect.objectContaining({ accountId: DEV, region: 'eu-west-1', imported: 0, reason: expect.stringMatching(/^InvalidAccessException: Security Hub is not enabled/) }) })]);
    expect(sim.securityHub.in(DEV, 'eu-west-1')).toEqual([]);
    expect(sim.securityHub.in(DEV, 'us-east-1').length).toBeGreaterThan(0);
  });

  it('reports a member role denied securityhub:BatchImportFindings without throwing', async () => {
    sim = await startSim({ world: testWorld({ securityHub: { disabled: [], deniedCallers: [PROD] } } as Partial<WorldInput>) });
    const { summary, logs } = await sweep('denied-1', 'enforce');
    expect(summary.complete).toBe(true);
    const denied = logs.filter((l) => l.message === 'security hub import incomplete').map((l) => l.fields);
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((f) => f.accountId === PROD && /^AccessDeniedException: the member role may not call securityhub:BatchImportFindings/.test(String(f.reason)))).toBe(true);
  });
});

describe('Security Hub import from a coverage sweep', () => {
  it("imports each account-region's coverage once the sweep is judged: FAILED while nothing analyzes it, PASSED after the carrier's repair, with the carrier's own finding PASSED", async () => {
    const world = testWorld();
    world.trails = world.trails!.map((t) => (t.name === 'org-trail' ? { ...t, insightSelectors: [] } : t));
    sim = await startSim({ world });
    const coverageFindings = () => sim.securityHub.all().filter((s) => String(s.finding.Id).startsWith('insights-remediator/coverage/'));
    const status = (s: { finding: Record<string, unknown> }) => (s.finding.Compliance as { Status: string }).Status;

    // Report mode: nothing repaired, every in-scope ACTIVE account-region (3 accounts x 2 regions) uncovered.
    expect((await sweep('coverage-report', 'report', { import: true }, 'coverage')).summary.complete).toBe(true);
    expect(coverageFindings()).toHaveLength(6);
    expect(coverageFindings().map(status)).toEqual(Array(6).fill('FAILED'));
    for (const s of coverageFindings()) expect(String(s.finding.Id)).toBe(`insights-remediator/coverage/${String(s.finding.AwsAccountId)}/${(s.finding.Resources as { Region: string }[])[0]!.Region}`);

    // Enforce: the organization trail gets Insights; the same six findings (same Ids) now PASSED (pending first delivery).
    expect((await sweep('coverage-enforce', 'enforce', { import: true }, 'coverage')).summary.complete).toBe(true);
    expect(coverageFindings()).toHaveLength(6);
    expect(coverageFindings().map(status)).toEqual(Array(6).fill('PASSED'));
    expect(sourceFinding(trailArn('org-trail', MGMT, 'us-east-1'))!.finding).toMatchObject({ AwsAccountId: MGMT, Compliance: { Status: 'PASSED' } });
  });
});

describe('importFindings', () => {
  it('never sends more than 100 findings per call: 250 findings are 3 calls of 100, 100 and 50', async () => {
    sim = await startSim();
    const observedAt = sim.clock.now().toISOString();
    const findings = Array.from({ length: 250 }, (_, i) => {
      const f = asffOfAccountRegion({ accountId: PROD, region: 'us-east-1', status: 'done', coverage: { status: 'uncovered', analyzedBy: [] } as never, sources: [], notSelected: [], shadows: [] }, { sweepId: 's', observedAt })!;
      return { ...f, Id: `${f.Id}/${i}` };
    });
    const out = await importFindings(securityHubClient(aws(), PROD, 'us-east-1'), findings);
    expect(out).toEqual({ imported: 250, failed: 0, calls: 3 });
    expect(sim.securityHub.requestSizes).toEqual([100, 100, 50]);
    expect(sim.securityHub.in(PROD, 'us-east-1')).toHaveLength(250);
  });

  it('stops at the first batch an account-region without Security Hub refuses, counting every finding as failed', async () => {
    sim = await startSim({ world: testWorld({ securityHub: { disabled: [`${PROD}/us-east-1`], deniedCallers: [] } } as Partial<WorldInput>) });
    const observedAt = sim.clock.now().toISOString();
    const findings = Array.from({ length: 150 }, (_, i) => ({ ...asffOfAccountRegion({ accountId: PROD, region: 'us-east-1', status: 'done', coverage: { status: 'uncovered', analyzedBy: [] } as never, sources: [], notSelected: [], shadows: [] }, { sweepId: 's', observedAt })!, Id: `x/${i}` }));
    const out = await importFindings(securityHubClient(aws(), PROD, 'us-east-1'), findings);
    expect(out).toMatchObject({ imported: 0, failed: 150, calls: 1, reason: expect.stringMatching(/^InvalidAccessException/) });
  });
});
