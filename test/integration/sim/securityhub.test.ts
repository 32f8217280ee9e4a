// Security Hub's BatchImportFindings through the real SDK v3 client (restJson1, POST /findings/import): findings kept by
// Id per account-region and updated in place, the documented limits (1 to 100 findings, 240 KB per finding), the
// caller's own account only, and the refusals of an account-region without Security Hub (docs/simulator.md, "Security Hub").
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding, type SecurityHubClientConfig } from '@aws-sdk/client-securityhub';
import type { Simulator } from '../../../sim/server';
import { DEV, PROD, rejection, simCredentials, startSim, testWorld } from '../../helpers/sim';

let sim: Simulator;
afterEach(() => sim?.stop());

const hub = (account: string, region = 'us-east-1') => new SecurityHubClient({ endpoint: sim.endpoint, region, credentials: simCredentials(account), maxAttempts: 1 });

function finding(id: string, account = PROD, region = 'us-east-1', status: 'PASSED' | 'FAILED' = 'FAILED', extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: `arn:aws:securityhub:${region}:${account}:product/${account}/default`,
    GeneratorId: 'insights-remediator/test',
    AwsAccountId: account,
    Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    CreatedAt: '2026-12-01T00:00:00Z',
    UpdatedAt: '2026-12-01T00:00:00Z',
    Severity: { Label: status === 'FAILED' ? 'HIGH' : 'INFORMATIONAL' },
    Title: `finding ${id}`,
    Description: 'a test finding',
    Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${account}`, Region: region }],
    Compliance: { Status: status },
    Workflow: { Status: status === 'PASSED' ? 'RESOLVED' : 'NEW' },
    ...extra,
  };
}

describe('BatchImportFindings', () => {
  it('stores findings by Id in the caller account-region and updates a second import in place', async () => {
    sim = await startSim({ world: testWorld() });
    const first = await hub(PROD).send(new BatchImportFindingsCommand({ Findings: [finding('a'), finding('b')] }));
    expect(first).toMatchObject({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
    const again = await hub(PROD).send(new BatchImportFindingsCommand({ Findings: [finding('a', PROD, 'us-east-1', 'PASSED')] }));
    expect(again.SuccessCount).toBe(1);
    const stored = sim.securityHub.in(PROD, 'us-east-1');
    expect(stored.map((s) => s.finding.Id).sort()).toEqual(['a', 'b']);
    const a = stored.find((s) => s.finding.Id === 'a')!;
    expect(a.imports).toBe(2);
    expect(a.finding.Compliance).toEqual({ Status: 'PASSED' });
    expect(sim.securityHub.in(PROD, 'eu-west-1')).toEqual([]);
  });

  it('keeps the Workflow a finding was created with: BatchImportFindings cannot update it', async () => {
    sim = await startSim({ world: testWorld() });
    await hub(PROD).send(new BatchImportFindingsCommand({ Findings: [finding('w')] }));
    await hub(PROD).send(new BatchImportFindingsCommand({ Findings: [finding('w', PROD, 'us-east-1', 'PASSED')] }));
    expect(sim.securityHub.in(PROD, 'us-east-1')[0]!.finding.Workflow).toEqual({ Status: 'NEW' });
  });

  it('refuses a finding naming another account, per finding, and imports the rest', async () => {
    sim = await startSim({ world: testWorld() });
    const out = await hub(PROD).send(new BatchImportFindingsCommand({ Findings: [finding('mine'), finding('theirs', DEV)] }));
    expect(out.SuccessCount).toBe(1);
    expect(out.FailedCount).toBe(1);
    expect(out.FailedFindings).toEqual([expect.objectContaining({ Id: 'theirs', ErrorCode: 'AccessDeniedException' })]);
    expect(sim.securityHub.in(PROD, 'us-east-1').map((s) => s.finding.Id)).toEqual(['mine']);
    expect(sim.securityHub.in(DEV, 'us-east-1')).toEqual([]);
  });

  it('refuses a finding over 240 KB and one missing a required attribute', async () => {
    sim = await startSim({ world: testWorld() });
    const big = finding('big', PROD, 'us-east-1', 'FAILED', { ProductFields: { blob: 'x'.repeat(250 * 1024) } });
    const { Title: _t, ...untitled } = finding('untitled');
    const out = await hub(PROD).send(new BatchImportFindingsCommand({ Findings: [big, untitled as AwsSecurityFinding, finding('ok')] }));
    expect(out.SuccessCount).toBe(1);
    expect(out.FailedFindings!.map((f) => [f.Id, f.ErrorCode])).toEqual([
      ['big', 'InvalidInput'],
      ['untitled', 'InvalidInput'],
    ]);
    expect(out.FailedFindings![0]!.ErrorMessage).toMatch(/240 Kb/);
  });

  it('refuses 101 findings and an empty list with InvalidInputException, storing nothing', async () => {
    sim = await startSim({ world: testWorld() });
    const many = Array.from({ length: 101 }, (_, i) => finding(`f${i}`));
    const tooMany = await rejection(hub(PROD).send(new BatchImportFindingsCommand({ Findings: many })));
    expect(tooMany.name).toBe('InvalidInputException');
    expect(tooMany.message).toMatch(/1 to 100/);
    const none = await rejection(hub(PROD).send(new BatchImportFindingsCommand({ Findings: [] })));
    expect(none.name).toBe('InvalidInputException');
    expect(sim.securityHub.all()).toEqual([]);
    const hundred = await hub(PROD).send(new BatchImportFindingsCommand({ Findings: many.slice(0, 100) }));
    expect(hundred.SuccessCount).toBe(100);
  });

  it('answers InvalidAccessException where Security Hub is not enabled, and AccessDeniedException to a denied caller', async () => {
    sim = await startSim({ world: testWorld({ securityHub: { disabled: [`${PROD}/eu-west-1`], deniedCallers: [DEV] } }) });
    const off = await rejection(hub(PROD, 'eu-west-1').send(new BatchImportFindingsCommand({ Findings: [finding('x', PROD, 'eu-west-1')] })));
    expect(off.name).toBe('InvalidAccessException');
    expect(off.$metadata?.httpStatusCode).toBe(401);
    expect(off.message).toMatch(/not subscribed to AWS Security Hub/);
    const denied = await rejection(hub(DEV).send(new BatchImportFindingsCommand({ Findings: [finding('y', DEV)] })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toMatch(/securityhub:BatchImportFindings/);
    expect((await hub(PROD).send(new BatchImportFindingsCommand({ Findings: [finding('z')] }))).SuccessCount).toBe(1);
  });

  it('verifies the SigV4 scope: a request signed for another service is refused', async () => {
    sim = await startSim({ world: testWorld() });
    const wrong = new SecurityHubClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: simCredentials(PROD), maxAttempts: 1, signingName: 'cloudtrail' } as SecurityHubClientConfig);
    const e = await rejection(wrong.send(new BatchImportFindingsCommand({ Findings: [finding('s')] })));
    expect(e.message).toMatch(/scoped to correct service: 'securityhub'/);
  });
});
