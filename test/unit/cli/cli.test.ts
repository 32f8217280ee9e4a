// The CLI as a user runs it: the esbuild bundle in a subprocess, its output and exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const cli = join(root, 'dist/cli.mjs');
// No AWS credentials anywhere: the demo must not need them.
const noCredentials = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: noCredentials, timeout: 60_000 });
/** The lines of the demo's step n, from its heading to the next. */
const section = (text: string, n: number) => text.slice(text.indexOf(`== ${n}. `), text.indexOf(`== ${n + 1}. `) > 0 ? text.indexOf(`== ${n + 1}. `) : undefined);
const runWithStdin = (input: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', input });
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

jest.setTimeout(90_000);
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, stdio: 'pipe' });
});

describe('insights-remediator CLI', () => {
  // The demo runs once: its own simulator, two sweeps and an event, in well under the minute the issue allows.
  let demo: ReturnType<typeof run>;
  let demoSeconds: number;
  const slackFile = join(dir, 'slack.json');
  beforeAll(() => {
    const started = performance.now();
    demo = run('demo', '--slack-json', slackFile);
    demoSeconds = (performance.now() - started) / 1000;
  });

  it('runs the demo to its end by itself: exit 0, within a minute, no AWS credentials', () => {
    expect([demo.status, demo.stderr]).toEqual([0, '']);
    expect(demoSeconds).toBeLessThan(60);
    expect(demo.stdout).toMatch(/^demo finished in [\d.]+ s$/m);
  });

  it('shows the organization, a report-mode sweep, an enforce-mode sweep, the event-driven repair and its Slack message', () => {
    const headings = demo.stdout.split('\n').filter((l) => l.startsWith('== '));
    expect(headings).toEqual([
      '== 1. The organization ==',
      '== 2. Report-mode sweep: 12 account-regions read, objective coverage, nothing written ==',
      '== 3. Enforce-mode sweep: what it repaired ==',
      '== 4. A person stops the organization trail; the event-driven repair ==',
      '== 5. The Slack message that would be sent (not sent: no webhook in the demo) ==',
    ]);
    expect(demo.stdout).toContain('555555555555 closing     SUSPENDED: not swept');
  });

  it('reports in report mode which account-regions nothing analyzes, the one carrier that covers them, its cost, and writes nothing', () => {
    const report = section(demo.stdout, 2);
    expect(report).toMatch(/^111111111111 us-east-1 +NO INSIGHTS IN THIS ACCOUNT-REGION: .*; the plan repairs org-trail$/m);
    expect(report).toMatch(/^222222222222 eu-west-1 +COVERED: analyzed by payments-lake$/m);
    expect(report).toContain('coverage plan: org-trail (1 write(s), covers 8 account-region(s), 4 analyzed twice)');
    expect(report).toContain('plan cost: would make 1 write(s); sources newly billed for Insights: 1; management-event copies added: 0; Insights clocks restarted: 1');
    expect(report).toContain('would call: PutInsightSelectors {"TrailName":"arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail"');
    expect(report).toMatch(/Insights clock if repaired: pending first delivery until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(a trail may take up to 36 hours/);
    expect(report).toMatch(/^left as they are \(not needed for coverage, never billed for it\): .*\baudit\b.*\bdev-trail\b/m);
    expect(report).not.toContain('applied:');
    expect(report).toMatch(/^summary: account-regions: 4 covered, 8 uncovered, 0 analyzed more than once; sources: .* 0 write\(s\)$/m);
    expect(report).toContain('a real sweep would exit 1');
  });

  it('repairs the organization trail in enforce mode, judges every account-region covered after it, names the redundant Insights, and exits 0 on its first run', () => {
    const enforce = section(demo.stdout, 3);
    expect(enforce).toMatch(/trail org-trail\n  REPAIRED: Insights are off.*\n  applied: PutInsightSelectors .*\n  Insights clock: off -> pending first delivery until .* \(a trail may take up to 36 hours to deliver Insights\)/);
    expect(enforce.match(/PENDING FIRST DELIVERY until/g)).toHaveLength(8);
    expect(enforce).toMatch(/^222222222222 us-east-1 +REDUNDANT, COVERED: analyzed by payments-lake \(analyzed 2 times, each billed: org-trail, payments-lake\)$/m);
    expect(enforce).toContain('redundant Insights (billed again for what a preferred carrier analyzes): dev-apac, payments-lake');
    expect(enforce).toMatch(/^summary: account-regions: 12 covered \(8 pending first delivery\), 0 uncovered, 4 analyzed more than once; sources: .* 1 write\(s\)$/m);
    expect(enforce).toContain('a real sweep would exit 0: every account-region is analyzed, on its first run');
  });

  // The product's own StartLogging reaches no EventBridge rule: when it is made, no trail logs the management account
  // (the simulator's eventBridgeRequiresLoggingTrail, docs/simulator.md).
  it('restarts the organization trail a person stopped, from the CloudTrail event, with a new 36-hour window', () => {
    const event = section(demo.stdout, 4);
    expect(event).toContain('bob (access key AKIABOB, account 111111111111) calls StopLogging');
    expect(event).toContain('StopLogging by bob\n  check: ');
    expect(event).toContain('  repaired: StartLogging {"Name":"arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail"}');
    const until = /Insights clock of org-trail: pending first delivery until (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(event)?.[1];
    const called = /^(\d{4}-\d\d-\d\d \d\d:\d\d) UTC: bob/m.exec(event)?.[1];
    expect(Date.parse(`${until!.replace(' ', 'T')}Z`) - Date.parse(`${called!.replace(' ', 'T')}Z`)).toBe(36 * 3_600_000);
    expect(section(demo.stdout, 5)).toMatch(/:wrench: Insights repaired: org-trail\n/);
  });

  it('writes every Slack payload the demo would send, as a JSON array (npm start -- --slack-json FILE)', () => {
    const messages = JSON.parse(readFileSync(slackFile, 'utf8')) as { text: string; blocks: { type: string }[] }[];
    expect(messages.map((m) => m.text)).toEqual([
      'Insights sweep demo-report: 8 account-region(s) not analyzed, 0 analyzed more than once, 0 repaired, 0 need a person, 0 unreachable, 0 never reported',
      'Insights sweep demo-enforce: 0 account-region(s) not analyzed, 4 analyzed more than once, 1 repaired, 0 need a person, 0 unreachable, 0 never reported',
      expect.stringMatching(/^Insights repaired on trail `org-trail` in 111111111111 us-east-1: Insights delivery may take up to 36 hours: expected by /),
    ]);
    expect(messages.every((m) => m.blocks.length > 0 && m.blocks.length <= 50)).toBe(true);
  });

  it('prints the demo as JSON on request: both stored sweep results, the event and the Slack payloads', () => {
    const r = run('demo', '--format', 'json');
    expect([r.status, r.stderr]).toEqual([0, '']);
    const out = JSON.parse(r.stdout) as { reportSweep: { mode: string; writesApplied: number }; enforceSweep: { mode: string; writesApplied: number }; event: { handled: { decision: string }[]; clockAfter: { status: string } }; slack: unknown[] };
    expect([out.reportSweep.mode, out.reportSweep.writesApplied]).toEqual(['report', 0]);
    expect([out.enforceSweep.mode, out.enforceSweep.writesApplied]).toEqual(['enforce', 1]);
    expect(out.event.handled.map((h) => h.decision)).toEqual(['check']);
    expect(out.event.clockAfter.status).toBe('pending-first-delivery');
    expect(out.slack).toHaveLength(3);
  });

  it('answers a malformed policy given to a run with one line naming the first problem, and exit 2', () => {
    const bad = file('bad-run.yaml', 'version: 1\nmode: enforce\ntrails:\n  insightTypes: [ApiCallRate]\nscope: {regions: {include: [us-east-2x]}}\n');
    for (const command of ['sweep', 'demo']) {
      const r = run(command, '--policy', bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`insights-remediator: ${bad} is not a valid policy: trails.insightTypes[0]: "ApiCallRate" is not one of ApiCallRateInsight, ApiErrorRateInsight (and 1 more: insights-remediator validate-policy ${bad})\n`);
    }
  });

  it('answers a report file that is not JSON with one line and exit 2', () => {
    const r = run('report', file('broken.json', '{"format": "insights-remediator/sweep-result",'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^insights-remediator: .*broken\.json is not JSON: .*\n$/);
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
    [['demo', '--bogus'], /unknown option --bogus \(insights-remediator --help lists the options\)/],
    [['demo', '--format', 'xml'], /--format must be table or json, got "xml"/],
    [['demo', '--policy', '/nonexistent/policy.yaml'], /cannot read \/nonexistent\/policy\.yaml: ENOENT/],
    [['sweep', '--mode', 'fix'], /--mode must be report or enforce, got "fix"/],
    [['sweep', '--format', 'html'], /--format must be table, json, or markdown, got "html"/],
    [['sweep', '--regions', 'us-east-1,moon-base-1'], /--regions: "moon-base-1" is not a region name/],
    [['sweep', '--regions', ','], /--regions needs at least one region/],
    [['sweep', '--concurrency', 'lots'], /--concurrency must be a whole number from 1 to 64, got "lots"/],
    [['sweep', '--endpoint-url', 'localhost:4566'], /--endpoint-url must be http:\/\/ or https:\/\//],
    [['sweep', '--role-name', 'bad role'], /--role-name "bad role" is not an IAM role name/],
    [['sweep', '--policy', '/nonexistent/policy.yaml'], /cannot read \/nonexistent\/policy\.yaml: ENOENT/],
    [['report'], /report needs a stored sweep result/],
    [['report', '/nonexistent/result.json'], /cannot read \/nonexistent\/result\.json: ENOENT/],
    [['report', 'package.json'], /package\.json is not a stored sweep result \(insights-remediator sweep --output FILE\): format: /],
    [['sim', '--port', '70000'], /--port must be a whole number from 0 to 65535, got "70000"/],
    [['sim', '--world', '/nonexistent/world.yaml'], /cannot read \/nonexistent\/world\.yaml: ENOENT/],
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

  it('explains an event from stdin, and its own role\'s events as checked all the same', () => {
    const r = runWithStdin(readFileSync(join(root, 'events/own-role-write.json'), 'utf8'), 'explain-event', '-');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'check', reason: expect.stringMatching(/made with the product's role/) });
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
