// Offline template validation inside `npm test`: the SAM JSON schema (scripts/validate-sam.mjs) and AWS's own
// validator (scripts/cfnvalidate.cjs) accept every template, and each rejects deliberately broken copies with the
// message that names the mistake. Each validator runs once over every file (the WASM one takes seconds to start).
// The SAM schema is vendor/sam/sam.schema.json, aws/serverless-application-model schema_source/sam.schema.json at the
// commit vendor/SOURCES.md records.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const TEMPLATES = ['template.yaml', 'infra/member-account.yaml', 'infra/protect-insights-scp.yaml'];
const dir = mkdtempSync(join(tmpdir(), 'templates-'));

/** A copy of a real template with one deliberate mistake; fails loudly if the template no longer has the text. */
function broken(name: string, from: string, find: string, replace: string): string {
  const text = readFileSync(join(root, from), 'utf8');
  if (!text.includes(find)) throw new Error(`${from} no longer contains ${JSON.stringify(find)}: update this test`);
  const file = join(dir, name);
  writeFileSync(file, text.replace(find, replace));
  return file;
}

const BROKEN = {
  fnTypo: broken('function-typo.yaml', 'template.yaml', '      Timeout: 300\n', '      Timout: 300\n'),
  eventTypo: broken('event-typo.yaml', 'template.yaml', '            BatchSize: 10\n', '            BatchSise: 10\n'),
  tableTypo: broken('table-typo.yaml', 'template.yaml', '      BillingMode: PAY_PER_REQUEST\n', '      BilingMode: PAY_PER_REQUEST\n'),
  // AWS's validator does not see a bad !Ref inside Globals (the SAM transform drops it): the mistake is in a plain resource.
  unknownRef: broken('unknown-ref.yaml', 'template.yaml', 'EventBusName: !Ref CentralEventBus\n', 'EventBusName: !Ref CentralEventBuss\n'),
  memberRoleTypo: broken('member-role-typo.yaml', 'infra/member-account.yaml', '      RoleName: !Ref MemberRoleName\n', '      RoleNme: !Ref MemberRoleName\n'),
  memberUnknownRef: broken('member-unknown-ref.yaml', 'infra/member-account.yaml', 'Arn: !Ref CentralEventBusArn', 'Arn: !Ref CentralBusArn'),
};

interface Run {
  status: number | null;
  /** Each file's block of output: its status line and the problems under it. */
  report: (file: string) => string;
}
function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const out = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  if (out.error) throw out.error;
  const blocks = out.stdout.split(/\n(?=\S)/);
  return { status: out.status, report: (file) => blocks.find((b) => b.startsWith(`${file}:`)) ?? `(no report for ${file} in:\n${out.stdout}${out.stderr})` };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SAM JSON schema (scripts/validate-sam.mjs)', () => {
  let sam: Run;
  beforeAll(() => {
    sam = run(['scripts/validate-sam.mjs', ...TEMPLATES, ...Object.values(BROKEN)]);
  });

  it('accepts every template', () => {
    for (const t of TEMPLATES) expect(sam.report(t)).toBe(`${t}: valid (sam.schema.json)`);
    expect(sam.status).toBe(1); // the broken copies
  });

  it('names an unknown property on a serverless function', () => {
    expect(sam.report(BROKEN.fnTypo)).toContain("SweepWorkerFunction/Properties: unknown property 'Timout'");
  });

  it('names an unknown property in a function event', () => {
    expect(sam.report(BROKEN.eventTypo)).toContain("SweepWorkerFunction/Properties/Events/Sweep/Properties: unknown property 'BatchSise'");
  });

  it('names a !Ref to a resource that does not exist, in either template', () => {
    expect(sam.report(BROKEN.unknownRef)).toContain("!Ref to unknown 'CentralEventBuss'");
    expect(sam.report(BROKEN.memberUnknownRef)).toContain("!Ref to unknown 'CentralBusArn'");
  });

  it('fails, naming the path, when the schema is missing', () => {
    const absent = join(dir, 'absent.json');
    const out = spawnSync(process.execPath, ['scripts/validate-sam.mjs', 'template.yaml'], { cwd: root, encoding: 'utf8', env: { ...process.env, SAM_SCHEMA: absent } });
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(`validate-sam: the SAM JSON schema is missing: ${absent}\n`);
  });
});

describe("AWS's validator (scripts/cfnvalidate.cjs, @aws/cloudformation-validate)", () => {
  let cfn: Run;
  beforeAll(() => {
    cfn = run(['scripts/cfnvalidate.cjs', ...TEMPLATES, ...Object.values(BROKEN)]);
  }, 120_000);

  it('accepts every template without a warning', () => {
    for (const t of TEMPLATES) expect(cfn.report(t)).toBe(`${t}: 0 diagnostic(s)`);
    expect(cfn.status).toBe(1);
  });

  it('names a misspelled property of a DynamoDB table, and of an IAM role', () => {
    expect(cfn.report(BROKEN.tableTypo)).toMatch(/F3002: .*BilingMode.*Did you mean 'BillingMode'/);
    expect(cfn.report(BROKEN.memberRoleTypo)).toMatch(/F3002: .*RoleNme.*Did you mean 'RoleName'/);
  });

  it('names a reference to a resource that does not exist', () => {
    expect(cfn.report(BROKEN.unknownRef)).toMatch(/F1020: .*CentralEventBuss/);
    expect(cfn.report(BROKEN.memberUnknownRef)).toMatch(/F1020: .*CentralBusArn/);
  });
});
