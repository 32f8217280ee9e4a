// The CLI as a user runs it: the esbuild bundle in a subprocess, its output and exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../../../cli/options';
import { defaultPolicy } from '../../../lib/policy/load';
import { readRuntimePolicy } from '../../../lib/runtime-policy';

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
      '== 6. dev-lake: no Insights destination in its account; the demo policy lets the product create one ==',
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
    expect(report).toMatch(/Insights clock if repaired: pending first delivery until (\d{4}-\d\d-\d\d \d\d:\d\d UTC) \(CloudTrail may take up to 36 hours to deliver Insights on a trail after they are enabled or logging restarts: expected by \1\)/);
    expect(report).toMatch(/^left as they are \(not needed for coverage, never billed for it\): .*\baudit\b.*\bdev-trail\b/m);
    expect(report).not.toContain('applied:');
    expect(report).toMatch(/^summary: account-regions: 4 covered, 8 uncovered, 0 analyzed more than once; sources: .* 0 write\(s\)$/m);
    expect(report).toContain('a real sweep would exit 1');
  });

  it('repairs the organization trail in enforce mode, judges every account-region covered after it, names the redundant Insights, and exits 0 on its first run', () => {
    const enforce = section(demo.stdout, 3);
    expect(enforce).toMatch(/trail org-trail\n  REPAIRED: Insights are off.*\n  applied: PutInsightSelectors .*\n  Insights clock: off -> pending first delivery until (\S+ \S+ UTC) \(CloudTrail may take up to 36 hours to deliver Insights on a trail after they are enabled or logging restarts: expected by \1\)/);
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
    // The window starts at the repair, just after the call: both are printed to the minute, so the repair may fall in
    // the next minute when the call came at its end.
    expect([0, 60_000]).toContain(Date.parse(`${until!.replace(' ', 'T')}Z`) - Date.parse(`${called!.replace(' ', 'T')}Z`) - 36 * 3_600_000);
    // Why it waits, as the store's 7 days are explained: the AWS user guide's 36 hours after a logging restart, and when.
    expect(event).toContain(`Insights clock of org-trail: pending first delivery until ${until} UTC (CloudTrail may take up to 36 hours to deliver Insights on a trail after they are enabled or logging restarts: expected by ${until} UTC)`);
    expect(section(demo.stdout, 5)).toMatch(/:wrench: Insights repaired: org-trail\n/);
  });

  it('creates the Insights destination dev-lake lacks, as the demo policy allows: a person\'s job without it, both calls planned in report mode, made in enforce mode, nothing the second time', () => {
    const lake = section(demo.stdout, 6);
    expect(lake).toMatch(/^ {2}without create \(destination anyInsightStoreInAccount\): NOT-REMEDIABLE: .*account 333333333333 has no event data store that logs eventCategory Insight/m);
    expect(lake).toMatch(/^ {2}with create, report mode: DRIFTED: .*the policy lets the product create insights-destination in us-east-1, and ingesting Insights events into it is billed/m);
    expect(lake).toContain('    would call: CreateEventDataStore {"Name":"insights-destination","AdvancedEventSelectors":[{"Name":"Select Insights events","FieldSelectors":[{"Field":"eventCategory","Equals":["Insight"]}]}]');
    expect(lake).toContain('"InsightsDestination":"(the event data store insights-destination this plan creates in 333333333333 us-east-1)"');
    expect(lake).toMatch(/^ {4}applied: CreateEventDataStore /m);
    expect(lake).toMatch(/^ {4}applied: PutInsightSelectors \{"EventDataStore":"arn:aws:cloudtrail:us-east-1:333333333333:eventdatastore\/dev-lake-0001","InsightsDestination":"arn:aws:cloudtrail:us-east-1:333333333333:eventdatastore\/[0-9a-f-]{36}"/m);
    expect(lake).toMatch(/Insights clock: pending first delivery until .* \(CloudTrail may take up to 7 days to deliver Insights on an event data store/);
    expect(lake).toMatch(/^ {2}again: PENDING-FIRST-DELIVERY: .*; 0 write\(s\)$/m);
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

  it('writes the validated form the functions read from POLICY with validate-policy --output', () => {
    const out = join(dir, 'policy.json');
    const r = run('validate-policy', join(root, 'lib/policy/default-policy.yaml'), '--output', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/valid .*; its validated form for POLICY written to .*policy\.json/);
    expect(readRuntimePolicy(readFileSync(out, 'utf8'))).toEqual(defaultPolicy());
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

// Hostile or broken input gets one clear line and exit 2 (or a stored result's one-line refusal), never a stack
// trace (exit 3) and never a hang.
describe('insights-remediator CLI on hostile and broken input', () => {
  const noStackTrace = (r: ReturnType<typeof run>) => {
    expect(r.stderr).not.toMatch(/unexpected failure|^\s+at /m);
    expect(r.status).toBe(2);
  };
  /** The classic "billion laughs": nine anchors, each nine aliases of the one before (9^9 strings once expanded). */
  const aliasBomb = (head: string, use: string) => {
    const lines = [head, 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
    return `${lines.join('\n')}\n${use}\n`;
  };
  const policyHead = 'version: 1\nmode: report\nscope: {regions: {include: [us-east-1]}}';

  it('refuses a policy that is a YAML alias bomb: validate-policy lists the one problem, a run names it in one line', () => {
    const bomb = file('bomb-policy.yaml', aliasBomb(policyHead, 'trails: {select: {names: *l8}}'));
    const validate = run('validate-policy', bomb);
    noStackTrace(validate);
    expect(validate.stderr).toBe(`${bomb} is not a valid policy:\n  (policy): its aliases (*name) expand to more than 100 copies: a YAML alias bomb? Write the values out instead\n`);
    for (const command of ['sweep', 'demo']) {
      const r = run(command, '--policy', bomb);
      noStackTrace(r);
      expect(r.stderr).toBe(`insights-remediator: ${bomb} is not a valid policy: (policy): its aliases (*name) expand to more than 100 copies: a YAML alias bomb? Write the values out instead\n`);
    }
  });

  it('says nothing but the problem about a key that is a list (no process warning on stderr)', () => {
    const listKey = file('list-key.yaml', `${policyHead}\n? [a, b]\n: 1\n`);
    const r = run('validate-policy', listKey);
    noStackTrace(r);
    expect(r.stderr).toBe(`${listKey} is not a valid policy:\n  ["[ a, b ]"]: unknown key\n`);
  });

  it('refuses a policy over 1 MiB with one line', () => {
    const huge = file('huge-policy.yaml', `${policyHead}\n# ${'x'.repeat(1024 * 1024)}\n`);
    const r = run('validate-policy', huge);
    noStackTrace(r);
    expect(r.stderr).toMatch(/^.*huge-policy\.yaml is not a valid policy:\n {2}\(policy\): is 1048\d{3} characters long; a policy is at most 1048576 \(1 MiB\): is this the right file\?\n$/);
  });

  it('refuses a world file that is a YAML alias bomb with one line, instead of starting the simulator', () => {
    const world = file('bomb-world.yaml', aliasBomb('version: 1', 'organization: *l8'));
    const r = run('sim', '--world', world);
    noStackTrace(r);
    expect(r.stderr).toBe(`insights-remediator: ${world}: its aliases (*name) expand to more than 100 copies (a YAML alias bomb?)\n`);
  });

  describe('report FILE on a stored result that is truncated or garbled', () => {
    // Parsed JSON, garbled on purpose: any shape goes.
    type Stored = Record<string, any>;
    let stored: Stored;
    beforeAll(() => {
      // The demo's report-mode sweep is what sweep --output writes. Up to three tries: on a loaded machine the
      // demo's own StopLogging can meet the simulator's TPS quota (exit 3), which is not what these tests are about.
      let demoJson = run('demo', '--format', 'json');
      for (let tries = 1; demoJson.status !== 0 && tries < 3; tries++) demoJson = run('demo', '--format', 'json');
      expect([demoJson.status, demoJson.stderr]).toEqual([0, '']);
      stored = (JSON.parse(demoJson.stdout) as { reportSweep: Stored }).reportSweep;
    });
    const formats = ['table', 'json', 'markdown', 'html', 'csv', 'asff'];
    const withSources = (r: Stored) => r.accountRegions.find((ar: Stored) => ar.sources.some((s: Stored) => s.actions.length > 0));

    it('renders what sweep --output writes, in every format', () => {
      const path = file('stored.json', JSON.stringify(stored));
      for (const format of formats) expect([format, run('report', path, '--format', format).status]).toEqual([format, 1]);
    });

    it('exports CSV with a header and ASFF findings Security Hub takes, and refuses in one line an account id ASFF cannot carry (exit 2)', () => {
      const path = file('stored-exports.json', JSON.stringify(stored));
      const csv = run('report', path, '--format', 'csv');
      expect(csv.stdout.startsWith('record,account_id,account_name,ou,region,map_status,kind,name,arn,status,')).toBe(true);
      const asff = JSON.parse(run('report', path, '--format', 'asff').stdout) as { AwsAccountId: string; ProductArn: string }[];
      expect(asff.length).toBeGreaterThan(0);
      for (const f of asff) expect(f.ProductArn).toBe(`arn:aws:securityhub:${f.ProductArn.split(':')[3]}:${f.AwsAccountId}:product/${f.AwsAccountId}/default`);
      const copy = JSON.parse(JSON.stringify(stored)) as Stored;
      withSources(copy).sources[0].accountId = '12';
      const r = run('report', file('bad-account.json', JSON.stringify(copy)), '--format', 'asff');
      noStackTrace(r);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^insights-remediator: cannot export source "arn:aws:cloudtrail:[^"]+" to ASFF: account id "12" is not 12 digits \(AwsAccountId\)\n$/);
    });

    const garbled: [string, (r: Stored) => void, string][] = [
      ['a summary without its compliant count', (r) => delete r.summary.compliant, 'summary.compliant'],
      ['a summary that is an empty object', (r) => (r.summary = {}), 'summary.sweepId'],
      ['summary counts written as text', (r) => (r.summary.repaired = '1'), 'summary.repaired'],
      ['a summary list that is not a list', (r) => (r.summary.unreachable = 0), 'summary.unreachable'],
      ['writes written as text', (r) => (r.writesApplied = '1'), 'writesApplied'],
      ['a finish time that is a number', (r) => (r.finishedAt = 1_764_000_000), 'finishedAt'],
      ['no organization regions', (r) => delete r.organization.regions, 'organization.regions'],
      ['a clock without its channels', (r) => delete withSources(r).sources[0].clockBefore.channels, 'accountRegions.2.sources.0.clockBefore.channels'],
      ['a projected clock without its channels', (r) => delete withSources(r).sources[0].clockIfRepaired.channels, 'accountRegions.2.sources.0.clockIfRepaired.channels'],
      ['a clock whose window end is not a time', (r) => (withSources(r).sources[0].clockIfRepaired.windowEnd = 42), 'accountRegions.2.sources.0.clockIfRepaired.windowEnd'],
      ['a call without its outcome', (r) => delete withSources(r).sources[0].actions[0].outcome, 'accountRegions.2.sources.0.actions.0.outcome'],
      ['a source that is null', (r) => (withSources(r).sources[0] = null), 'accountRegions.2.sources.0'],
      ['a blocker without its remedy', (r) => withSources(r).sources[0].blockers.push({ code: 'x', message: 'm', transient: false }), 'accountRegions.2.sources.0.blockers.0.remedy'],
      ['account-regions that are not a list', (r) => (r.accountRegions = {}), 'accountRegions'],
      ['a coverage plan without its cost', (r) => delete r.coveragePlan.cost, 'coveragePlan.cost'],
      ['a spend total written as text', (r) => (r.spend.total = '12.50'), 'spend.total'],
      ['a summary spend without its total', (r) => (r.summary.spend = { status: 'known', period: { start: '2026-11-01', end: '2026-12-01' }, redundantTotal: 0, redundantAccountRegions: 0 }), 'summary.spend.total'],
    ];

    it.each(garbled)('refuses %s in one line naming where, in every format (exit 2)', (_what, garble, where) => {
      const copy = JSON.parse(JSON.stringify(stored)) as Stored;
      garble(copy);
      const path = file(`garbled-${where}.json`, JSON.stringify(copy));
      for (const format of formats) {
        const r = run('report', path, '--format', format);
        noStackTrace(r);
        const refusal = `insights-remediator: ${path} is not a stored sweep result (insights-remediator sweep --output FILE): ${where}: `;
        expect(r.stderr.slice(0, refusal.length)).toBe(refusal);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    });

    it('refuses a file cut off half-way in every format (exit 2)', () => {
      const text = JSON.stringify(stored, null, 2);
      const path = file('truncated.json', text.slice(0, text.length / 2));
      for (const format of formats) {
        const r = run('report', path, '--format', format);
        noStackTrace(r);
        expect(r.stderr).toMatch(/^insights-remediator: .*truncated\.json is not JSON: .*\n$/);
      }
    });
  });

  it.each([
    ['http://example.com:4566', 'example.com:4566'],
    ['http://10.0.0.8', '10.0.0.8'],
    ['http://127.0.0.1.nip.io:4566', '127.0.0.1.nip.io:4566'],
    ['http://127.0.0.1@evil.example', 'evil.example'],
    ['http://[::ffff:127.0.0.1]:4566', '[::ffff:7f00:1]:4566'],
  ])('refuses --endpoint-url %s: signed requests in plain http to another machine (exit 2)', (url, host) => {
    const r = run('sweep', '--endpoint-url', url);
    noStackTrace(r);
    expect(r.stderr).toBe(`insights-remediator: --endpoint-url: plain http:// only to this machine (127.0.0.1, ::1 or localhost, e.g. a simulator); signed AWS requests to ${host} need https://\n`);
  });

  it('accepts --endpoint-url over https anywhere, and plain http to this machine only', () => {
    for (const url of ['https://cloudtrail.example.com', 'http://127.0.0.1:4566', 'http://127.9.8.7', 'http://localhost:4566', 'http://[::1]:4566', 'http://2130706433:4566']) {
      expect(parseCommandLine(['sweep', '--endpoint-url', url]).endpointUrl).toBe(url);
    }
  });
});
