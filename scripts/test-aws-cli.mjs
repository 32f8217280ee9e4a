#!/usr/bin/env node
// npm run test:aws-cli: a second client for the simulator. Real `aws cloudtrail`, `aws organizations` and `aws sts`
// commands (the AWS CLI, botocore's signer and parsers: nothing this project wrote) against a freshly started
// simulator, each answer checked against the documented one, the documented CLI examples of the CloudTrail Insights
// page among them (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html).
// Not part of `npm test`, which needs npm alone. Exit 0 all passed, 1 a check failed, 2 the CLI is missing.
// AWS_CLI=/path/to/aws chooses the CLI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const INSTALL = `The AWS CLI is not installed. Install it, then run npm run test:aws-cli again:
  Debian / Ubuntu:  sudo apt-get install awscli
  anywhere else:    AWS's installer, https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html`;

/** AWS_CLI when set; else Debian's /usr/bin/aws (the CLI v2 of the `awscli` package), else the first `aws` on PATH. */
function findCli() {
  for (const candidate of process.env.AWS_CLI ? [process.env.AWS_CLI] : ['/usr/bin/aws', 'aws']) {
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return { path: candidate, version: (r.stdout || r.stderr).trim() };
  }
  return undefined;
}

/** Whether this CLI's CloudTrail model knows event data store Insights (PutInsightSelectors' InsightsDestination). */
const knowsStoreInsights = (cli, dataPath) =>
  /--insights-destination/.test(spawnSync(cli, ['cloudtrail', 'put-insight-selectors', 'help'], { encoding: 'utf8', env: { ...process.env, PAGER: 'cat', MANPAGER: 'cat', ...(dataPath && { AWS_DATA_PATH: dataPath }) } }).stdout ?? '');

/** Where the CLI keeps botocore's service models: Debian's awscli package, AWS's installer. */
const CLI_DATA = ['/usr/lib/python3/dist-packages/awscli/botocore/data', '/usr/local/aws-cli/v2/current/dist/awscli/botocore/data'];

/**
 * The CLI's own CloudTrail model, completed with the members the vendored Smithy model (vendor/aws-models/
 * cloudtrail.json) has on the four Insights selector shapes and the CLI's copy lacks (EventDataStore,
 * InsightsDestination, EventDataStoreArn; TrailName no longer required), written where botocore looks first
 * (AWS_DATA_PATH/cloudtrail/2013-11-01/service-2.json). Nothing else of the CLI's model changes. Undefined when the
 * CLI's model is not where Debian or AWS's installer put it.
 */
function completedCloudTrailModel(into) {
  const base = CLI_DATA.map((d) => join(d, 'cloudtrail/2013-11-01/service-2.json')).flatMap((f) => [f, `${f}.gz`]).find((f) => existsSync(f));
  if (!base) return undefined;
  const model = JSON.parse((base.endsWith('.gz') ? gunzipSync(readFileSync(base)) : readFileSync(base)).toString('utf8'));
  const smithy = JSON.parse(readFileSync('vendor/aws-models/cloudtrail.json', 'utf8')).shapes;
  for (const name of ['PutInsightSelectorsRequest', 'PutInsightSelectorsResponse', 'GetInsightSelectorsRequest', 'GetInsightSelectorsResponse']) {
    const theirs = smithy[`com.amazonaws.cloudtrail#${name}`];
    const ours = model.shapes[name];
    if (!theirs || !ours) return undefined;
    for (const [member, m] of Object.entries(theirs.members ?? {})) {
      const target = m.target.split('#')[1];
      if (!ours.members[member] && model.shapes[target]) ours.members[member] = { shape: target };
    }
    const required = Object.entries(theirs.members ?? {}).filter(([, m]) => m.traits?.['smithy.api#required']).map(([k]) => k);
    if (required.length) ours.required = required;
    else delete ours.required;
  }
  const dir = join(into, 'models');
  mkdirSync(join(dir, 'cloudtrail/2013-11-01'), { recursive: true });
  writeFileSync(join(dir, 'cloudtrail/2013-11-01/service-2.json'), JSON.stringify(model));
  return dir;
}

const cli = findCli();
if (!cli) {
  console.error(INSTALL);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'aws-cli-'));
// An older CLI (Debian 12's awscli is 2.9.19, January 2023) predates event data store Insights (CloudTrail, November
// 2023): those examples then run with the same CLI given the completed CloudTrail model, else with another `aws` on
// PATH that knows them, else they are reported as not run.
let storeCli;
if (knowsStoreInsights(cli.path)) storeCli = { path: cli.path };
else {
  const dataPath = completedCloudTrailModel(dir);
  if (dataPath && knowsStoreInsights(cli.path, dataPath)) storeCli = { path: cli.path, dataPath };
  else if (cli.path !== 'aws' && knowsStoreInsights('aws')) storeCli = { path: 'aws' };
}
console.log(
  `AWS CLI: ${cli.version} (${cli.path})${storeCli?.dataPath ? '; event data store Insights examples with its CloudTrail model completed from vendor/aws-models/cloudtrail.json' : storeCli && storeCli.path !== cli.path ? `; event data store Insights examples with ${storeCli.path}` : ''}`,
);

const MGMT = '111111111111';
const PROD = '222222222222';
const ROLE = 'InsightsRemediatorRole';
const world = {
  version: 1,
  organization: {
    id: 'o-clitest1234',
    managementAccount: MGMT,
    root: 'r-ab12',
    accounts: [
      { id: MGMT, name: 'management', parent: 'r-ab12' },
      { id: PROD, name: 'prod', parent: 'r-ab12' },
      ...Array.from({ length: 23 }, (_, i) => ({ id: String(300000000000 + i), name: `member-${i}`, parent: 'r-ab12' })),
    ],
  },
  roles: [{ name: ROLE, accounts: 'all', trustedAccounts: [MGMT] }],
  principals: [{ accessKeyId: 'AKIAALICE', account: PROD, userName: 'alice', secretAccessKey: 'alices-secret' }],
  trails: [
    { account: PROD, name: 'TrailName', homeRegion: 'us-east-1', multiRegion: true },
    { account: PROD, name: 'regional', homeRegion: 'eu-west-1' },
  ],
  eventDataStores: [{ account: PROD, region: 'us-east-1', id: 'source-store-0001', name: 'source-store' }],
};

const worldFile = join(dir, 'world.json');
writeFileSync(worldFile, JSON.stringify(world));

const build = spawnSync(process.execPath, ['scripts/build.mjs', 'sim'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const server = spawn(process.execPath, ['dist/sim.mjs', '--world', worldFile, '--port', '0', '--no-throttling'], { stdio: ['ignore', 'pipe', 'inherit'] });
const endpoint = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
});

/** One CLI call: the parsed JSON answer, or the error code the CLI printed ("An error occurred (Code) ..."). */
function aws(args, { key = PROD, secret = 'x', token, region = 'us-east-1', path = cli.path, dataPath } = {}) {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: key,
    AWS_SECRET_ACCESS_KEY: secret,
    ...(token && { AWS_SESSION_TOKEN: token }),
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    ...(dataPath && { AWS_DATA_PATH: dataPath }),
  };
  const r = spawnSync(path, [...args, '--endpoint-url', endpoint, '--region', region, '--output', 'json'], { encoding: 'utf8', env });
  if (r.status === 0) return { ok: true, out: r.stdout.trim() ? JSON.parse(r.stdout) : {} };
  return { ok: false, code: /An error occurred \(([^)]+)\)/.exec(r.stderr)?.[1] ?? r.stderr.trim(), stderr: r.stderr.trim() };
}

let failed = 0;
let passed = 0;
const notRun = [];
function check(name, cond, detail) {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}${detail ? `\n     ${typeof detail === 'string' ? detail : JSON.stringify(detail)}` : ''}`);
    return;
  }
  console.log(`ok   ${name}`);
}
const equal = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const trailArn = (name, region = 'us-east-1') => `arn:aws:cloudtrail:${region}:${PROD}:trail/${name}`;

try {
  // ---- STS (https://docs.aws.amazon.com/cli/latest/reference/sts/ examples; https://docs.aws.amazon.com/STS/latest/APIReference/)
  let r = aws(['sts', 'get-caller-identity'], { key: MGMT });
  check('sts get-caller-identity names the account and its user', r.ok && r.out.Account === MGMT && r.out.Arn === `arn:aws:iam::${MGMT}:user/admin`, r);
  r = aws(['sts', 'get-caller-identity'], { key: 'AKIAALICE', secret: 'alices-secret' });
  check('sts get-caller-identity with a world principal and its own secret', r.ok && r.out.Arn === `arn:aws:iam::${PROD}:user/alice`, r);
  r = aws(['sts', 'get-caller-identity'], { key: 'AKIAALICE', secret: 'x' });
  check('a wrong secret is SignatureDoesNotMatch (STS)', !r.ok && r.code === 'SignatureDoesNotMatch', r);
  r = aws(['sts', 'get-caller-identity'], { key: 'AKIANOBODY' });
  check('an unknown key is InvalidClientTokenId (STS)', !r.ok && r.code === 'InvalidClientTokenId', r);
  r = aws(['sts', 'assume-role', '--role-arn', `arn:aws:iam::${PROD}:role/${ROLE}`, '--role-session-name', 'aws-cli-test'], { key: MGMT });
  const creds = r.ok ? r.out.Credentials : undefined;
  check('sts assume-role returns credentials and the assumed-role ARN', r.ok && /^ASIA/.test(creds.AccessKeyId) && r.out.AssumedRoleUser.Arn === `arn:aws:sts::${PROD}:assumed-role/${ROLE}/aws-cli-test`, r);
  r = aws(['sts', 'assume-role', '--role-arn', `arn:aws:iam::${PROD}:role/${ROLE}`, '--role-session-name', 'too-long', '--duration-seconds', '7200'], { key: MGMT });
  check('sts assume-role beyond the role\'s maximum session duration is ValidationError', !r.ok && r.code === 'ValidationError', r);
  if (creds) {
    r = aws(['sts', 'get-caller-identity'], { key: creds.AccessKeyId, secret: creds.SecretAccessKey, token: creds.SessionToken });
    check('the session signs as the assumed role (secret and session token)', r.ok && r.out.Account === PROD, r);
    r = aws(['cloudtrail', 'describe-trails', '--no-include-shadow-trails'], { key: creds.AccessKeyId, secret: creds.SecretAccessKey, token: creds.SessionToken });
    check('cloudtrail describe-trails as the session sees the role account\'s trails', r.ok && equal(r.out.trailList.map((t) => t.Name), ['TrailName']), r);
    r = aws(['cloudtrail', 'describe-trails'], { key: creds.AccessKeyId, secret: creds.SecretAccessKey });
    check('the session without its token is UnrecognizedClientException', !r.ok && r.code === 'UnrecognizedClientException', r);
  }

  // ---- Organizations (https://docs.aws.amazon.com/cli/latest/reference/organizations/)
  r = aws(['organizations', 'describe-organization'], { key: MGMT });
  check('organizations describe-organization', r.ok && r.out.Organization.Id === 'o-clitest1234' && r.out.Organization.MasterAccountId === MGMT, r);
  r = aws(['organizations', 'list-accounts'], { key: MGMT });
  check('organizations list-accounts: the CLI pages through all 25 accounts (empty first page, pages of 20)', r.ok && r.out.Accounts.length === 25, r.ok ? r.out.Accounts.length : r);
  r = aws(['organizations', 'list-accounts'], { key: PROD });
  check('organizations list-accounts from a member is AccessDeniedException', !r.ok && r.code === 'AccessDeniedException', r);
  r = aws(['organizations', 'list-accounts', '--starting-token', 'garbage', '--max-items', '5'], { key: MGMT });
  check('organizations list-accounts with a bad token fails', !r.ok, r);

  // ---- CloudTrail trails (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html)
  r = aws(['cloudtrail', 'describe-trails']);
  check('cloudtrail describe-trails', r.ok && equal(r.out.trailList.map((t) => t.TrailARN), [trailArn('TrailName')]), r);
  r = aws(['cloudtrail', 'get-trail-status', '--name', 'TrailName']);
  check('cloudtrail get-trail-status: IsLogging', r.ok && r.out.IsLogging === true, r);
  r = aws(['cloudtrail', 'get-event-selectors', '--trail-name', 'TrailName']);
  check('cloudtrail get-event-selectors: the documented default', r.ok && equal(r.out.EventSelectors, [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]), r);
  r = aws(['cloudtrail', 'put-event-selectors', '--trail-name', 'TrailName', '--event-selectors', '[{"ReadWriteType": "All"}]']);
  check('cloudtrail put-event-selectors echoes the stored form', r.ok && equal(r.out.EventSelectors, [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]), r);
  r = aws(['cloudtrail', 'put-event-selectors', '--trail-name', 'TrailName', '--event-selectors', '[]']);
  check('cloudtrail put-event-selectors with no selector is InvalidEventSelectorsException', !r.ok && r.code === 'InvalidEventSelectorsException', r);
  r = aws(['cloudtrail', 'put-event-selectors', '--trail-name', 'TrailName', '--advanced-event-selectors', '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Insight"]}]}]']);
  check('cloudtrail put-event-selectors with eventCategory Insight on a trail is InvalidEventSelectorsException', !r.ok && r.code === 'InvalidEventSelectorsException', r);
  r = aws(['cloudtrail', 'get-trail-status', '--name', 'TrailName'], { region: 'eu-central-1' });
  check('cloudtrail get-trail-status of a shadow by name is TrailNotFoundException', !r.ok && r.code === 'TrailNotFoundException', r);
  r = aws(['cloudtrail', 'get-trail-status', '--name', trailArn('TrailName')], { region: 'eu-central-1' });
  check('cloudtrail get-trail-status of a shadow by ARN', r.ok && r.out.IsLogging === true, r);
  r = aws(['cloudtrail', 'describe-trails'], { secret: 'wrong' });
  check('a wrong secret is InvalidSignatureException (CloudTrail, JSON protocol)', !r.ok && r.code === 'InvalidSignatureException', r);

  // ---- The Insights page's examples, trail (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html)
  const both = '[{"InsightType": "ApiCallRateInsight"},{"InsightType": "ApiErrorRateInsight"}]';
  const bothOut = [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }];
  r = aws(['cloudtrail', 'put-insight-selectors', '--trail-name', 'TrailName', '--insight-selectors', both]);
  check('example: put-insight-selectors --trail-name TrailName, both Insights types', r.ok && r.out.TrailARN === trailArn('TrailName') && equal(r.out.InsightSelectors, bothOut), r);
  r = aws(['cloudtrail', 'get-insight-selectors', '--trail-name', 'TrailName']);
  check('example: get-insight-selectors --trail-name TrailName', r.ok && r.out.TrailARN === trailArn('TrailName') && equal(r.out.InsightSelectors, bothOut), r);
  r = aws(['cloudtrail', 'put-insight-selectors', '--trail-name', 'TrailName', '--insight-selectors', '[]']);
  check('example: put-insight-selectors --insight-selectors [] turns Insights off', r.ok && equal(r.out.InsightSelectors, []), r);
  r = aws(['cloudtrail', 'get-insight-selectors', '--trail-name', 'TrailName']);
  check('get-insight-selectors on a trail without Insights is InsightNotEnabledException', !r.ok && r.code === 'InsightNotEnabledException', r);

  // ---- The Insights page's examples, event data store
  const insightsStore = '[{"Name": "Select Insights events","FieldSelectors": [{ "Field": "eventCategory", "Equals": ["Insight"] }]}]';
  r = aws(['cloudtrail', 'create-event-data-store', '--name', 'insights-event-data-store', '--advanced-event-selectors', insightsStore]);
  const destination = r.ok ? r.out.EventDataStoreArn : undefined;
  check('example: create-event-data-store for Insights events', r.ok && /:eventdatastore\//.test(destination), r);
  r = aws(['cloudtrail', 'create-event-data-store', '--name', 'mixed', '--advanced-event-selectors', '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Insight","Management"]}]}]']);
  check('create-event-data-store both Insight and Management is InvalidEventSelectorsException', !r.ok && r.code === 'InvalidEventSelectorsException', r);
  const source = `arn:aws:cloudtrail:us-east-1:${PROD}:eventdatastore/source-store-0001`;
  if (!storeCli) {
    notRun.push('put-insight-selectors / get-insight-selectors --event-data-store --insights-destination (this CLI predates them; a CLI from 2023-11 on knows them)');
  } else {
    r = aws(['cloudtrail', 'put-insight-selectors', '--event-data-store', source, '--insights-destination', destination, '--insight-selectors', both], { ...storeCli });
    check('example: put-insight-selectors --event-data-store --insights-destination', r.ok && r.out.EventDataStoreArn === source && r.out.InsightsDestination === destination && equal(r.out.InsightSelectors, bothOut), r);
    r = aws(['cloudtrail', 'get-insight-selectors', '--event-data-store', source], { ...storeCli });
    check('example: get-insight-selectors --event-data-store', r.ok && r.out.InsightsDestination === destination && equal(r.out.InsightSelectors, bothOut), r);
    r = aws(['cloudtrail', 'put-insight-selectors', '--event-data-store', source, '--insight-selectors', both], { ...storeCli });
    check('put-insight-selectors on a store without --insights-destination is InvalidParameterCombinationException', !r.ok && r.code === 'InvalidParameterCombinationException', r);
    r = aws(['cloudtrail', 'put-insight-selectors', '--event-data-store', source, '--insight-selectors', '[]'], { ...storeCli });
    check('example: put-insight-selectors --event-data-store with [] turns Insights off', r.ok && equal(r.out.InsightSelectors, []), r);
  }
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${passed} passed, ${failed} failed${notRun.length ? `, not run: ${notRun.join('; ')}` : ''}`);
process.exit(failed > 0 ? 1 : 0);
