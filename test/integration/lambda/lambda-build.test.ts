// The functions' build settings at run time, not only at build time: a bundle built with template.yaml's
// BuildProperties (code splitting, and the SDK's default credential chain replaced by lib/aws/lambda-credentials.ts),
// run in a fresh Node process with nothing but Lambda's environment, against the simulator: it signs with the
// environment's credentials, assumes the member role through STS, and loads a split chunk on first use.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../../sim/server';
import { loadTemplates, type Template } from '../../unit/infra/templates';
import { MGMT, PROD, ROLE, simCredentials, startSim } from '../../helpers/sim';

const root = join(__dirname, '../../..');
// Three levels below the repository, as the functions' own artifacts are (bundle.test.ts).
const out = join(root, '.aws-sam/lambda-build-test/MemberTrails');
let sim: Simulator;

beforeAll(async () => {
  const [template] = loadTemplates('template.yaml') as [Template];
  const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Serverless::Function')!;
  const args = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', `const { esbuildArgs } = await import(${JSON.stringify(join(root, 'scripts/sam-esbuild.mjs'))}); console.log(JSON.stringify(esbuildArgs(${JSON.stringify({ ...fn.Metadata!.BuildProperties as object, EntryPoints: ['test/integration/lambda/fixtures/member-trails.ts'] })}, ${JSON.stringify(out)})));`], { encoding: 'utf8' }),
  ) as string[];
  execFileSync(join(root, 'node_modules/.bin/esbuild'), [...args, '--log-level=error'], { cwd: root, stdio: 'pipe' });
  sim = await startSim();
});
afterAll(async () => {
  await sim.stop();
  rmSync(join(root, '.aws-sam/lambda-build-test'), { recursive: true, force: true });
});

/**
 * Runs the bundle's handler in a fresh process with exactly `env` (plus PATH): what it returned, or what it threw.
 * Asynchronously: the simulator answers from this process's event loop.
 */
async function invoke(env: Record<string, string>, event: object): Promise<{ result?: unknown; error?: string }> {
  const script = `const { handler } = await import(${JSON.stringify(join(out, 'member-trails.mjs'))});
    try { console.log(JSON.stringify({ result: await handler(${JSON.stringify(event)}) })); } catch (e) { console.log(JSON.stringify({ error: e.name + ': ' + e.message })); }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: out, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { result?: unknown; error?: string };
}

const lambdaEnv = () => ({ AWS_ACCESS_KEY_ID: simCredentials(MGMT).accessKeyId, AWS_SECRET_ACCESS_KEY: simCredentials(MGMT).secretAccessKey, AWS_SESSION_TOKEN: '' });

it('splits the bundle: the module imported on first use is a chunk of its own', () => {
  expect(readdirSync(out).filter((f) => f.startsWith('names-') && f.endsWith('.mjs'))).toHaveLength(1);
});

it("reads a member account's trails through its assumed role, signed with the credentials Lambda puts in the environment", async () => {
  const from = sim.calls.length;
  const { result, error } = await invoke(lambdaEnv(), { managementAccountId: MGMT, accountId: PROD, role: ROLE, endpoint: sim.endpoint, lazy: true });
  expect(error).toBeUndefined();
  expect((result as { trails: string[] }).trails.length).toBeGreaterThan(0);
  expect((result as { lazy: boolean }).lazy).toBe(true);
  const calls = sim.calls.slice(from);
  expect(calls.filter((c) => c.operation === 'AssumeRole' && c.status === 200)).toHaveLength(1);
  expect(calls.filter((c) => c.operation === 'DescribeTrails' && c.account === PROD && c.status === 200)).toHaveLength(1);
});

it('refuses to run without credentials in the environment, and says where it looked (no profile, SSO or metadata lookups)', async () => {
  const from = sim.calls.length;
  const { error } = await invoke({ AWS_PROFILE: 'someone', HOME: '/nonexistent' }, { managementAccountId: MGMT, accountId: PROD, role: ROLE, endpoint: sim.endpoint });
  expect(error).toMatch(/LambdaCredentialsError: no credentials in the environment \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\)/);
  expect(sim.calls.slice(from).filter((c) => c.status === 200)).toHaveLength(0);
});
