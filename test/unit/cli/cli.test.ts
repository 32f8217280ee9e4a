// The CLI as a user runs it: the esbuild bundle in a subprocess, its output and exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const cli = join(root, 'dist/cli.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
const runWithStdin = (input: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', input });
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, stdio: 'pipe' });
});

describe('insights-remediator CLI', () => {
  it('runs the demo to its end with exit 0 and a summary line', () => {
    const r = run('demo');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^summary: \d+ compliant, .*planned write\(s\)$/m);
    expect(r.stdout).toContain('PENDING-FIRST-DELIVERY');
    expect(r.stdout).toContain('repair: StartEventDataStoreIngestion');
  });

  it('writes every Slack payload the demo would send, as a JSON array (npm start -- --slack-json FILE)', () => {
    const out = join(dir, 'slack.json');
    expect(run('demo', '--slack-json', out).status).toBe(0);
    const messages = JSON.parse(readFileSync(out, 'utf8')) as { text: string; blocks: { type: string }[] }[];
    expect(messages.length).toBeGreaterThan(3);
    expect(messages.every((m) => typeof m.text === 'string' && m.blocks.length > 0 && m.blocks.length <= 50)).toBe(true);
    expect(messages.map((m) => m.text).join('\n')).toMatch(/Insights repaired on .*expected by/);
    expect(messages.at(-1)?.text).toMatch(/^Insights demo sweep: /);
  });

  it('prints the demo as JSON on request', () => {
    const r = run('demo', '--format', 'json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { decisions: unknown[]; mode: string };
    expect(out.mode).toBe('enforce');
    expect(out.decisions.length).toBeGreaterThan(5);
  });

  it('runs the demo under a given policy: report mode says what it would call', () => {
    const policy = file('report.yaml', 'version: 1\nmode: report\nscope: {regions: {include: [us-east-1, eu-west-1]}}\n');
    const r = run('demo', '--policy', policy);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('would call: PutInsightSelectors');
    expect(r.stdout).not.toMatch(/^ {2}repair: /m);
    expect(r.stdout).toContain('Insights clock if repaired: pending first delivery');
  });

  it('validates a good policy with exit 0', () => {
    const r = run('validate-policy', join(root, 'lib/policy/default-policy.yaml'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/default-policy\.yaml: valid \(version 1, mode report, 17 region\(s\), 0 exemption\(s\)\)/);
  });

  it('rejects a bad policy with exit 2 and one line per problem', () => {
    const bad = file('bad.yaml', 'version: 1\nmode: enforce\ntrails:\n  insightTypes: [ApiCallRate]\nscope: {regions: {include: [us-east-1]}}\n');
    const r = run('validate-policy', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${bad} is not a valid policy:\n  trails.insightTypes[0]: "ApiCallRate" is not one of ApiCallRateInsight, ApiErrorRateInsight\n`);
  });

  it.each([
    [['validate-policy'], /validate-policy needs a policy file/],
    [['validate-policy', '/nonexistent/policy.yaml'], /cannot read \/nonexistent\/policy\.yaml: ENOENT/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['demo', '--bogus'], /Unknown option '--bogus'/],
    [['demo', '--format', 'xml'], /--format must be table or json, got "xml"/],
  ])('answers %j with one clear line and exit 2', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('explains an event from a file as one JSON object', () => {
    const r = run('explain-event', join(root, 'events/stop-event-data-store-ingestion.json'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      decision: 'check',
      reason: 'StopEventDataStoreIngestion changed arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/prod-lake-0001: check it against the policy',
      eventName: 'StopEventDataStoreIngestion',
      target: { kind: 'eventDataStore', accountId: '222222222222', region: 'us-east-1', arn: 'arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/prod-lake-0001' },
      restartsInsightsClock: false,
    });
  });

  it('explains an event from stdin, and its own role\'s events as ignored', () => {
    const r = runWithStdin(readFileSync(join(root, 'events/ignored-own-role.json'), 'utf8'), 'explain-event', '-');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'ignore', reason: expect.stringMatching(/product's own role/), target: null });
  });

  it('exits 0 for any JSON object, whatever the decision, and 2 for input that is not one', () => {
    expect(runWithStdin('{"hello": "world"}', 'explain-event').status).toBe(0);
    expect(JSON.parse(runWithStdin('{"hello": "world"}', 'explain-event').stdout).decision).toBe('ignore');
    for (const bad of ['[1,2]', 'not json', '"text"', '']) {
      const r = runWithStdin(bad, 'explain-event');
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('prints help and version', () => {
    expect(run('--help').stdout).toMatch(/^usage: insights-remediator <command>/);
    expect(run('--version').stdout.trim()).toBe('0.1.0');
  });

  it('writes the policy JSON Schema identical to the committed one', () => {
    const out = join(dir, 'schema.json');
    expect(run('policy-schema', '--output', out).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(root, 'lib/policy/policy.schema.json'), 'utf8'));
    expect(JSON.parse(run('policy-schema').stdout)).toHaveProperty('title', 'cloudtrail-insights-remediator policy');
  });
});
