// The deployment's promises that are not IAM: both templates route exactly the CloudTrail events the handler
// interprets, every function gets the configuration its cold start validates, the sweep queue and tables are set up
// the way the worker and the stores assume, and the member StackSet reaches every account and region.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGET_BY_EVENT } from '../../../lib/targets/from-cloudtrail-event';
import { loadTemplates, root, type Json, type Resource, type Template } from './templates';

const [main, member] = loadTemplates('template.yaml', 'infra/member-account.yaml') as [Template, Template];
const functions = Object.entries(main.Resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
const fn = (entry: string) => functions.find(([, r]) => JSON.stringify(r.Metadata).includes(`functions/${entry}/handler.ts`))![1];
type Pattern = { source: string[]; 'detail-type': string[]; detail?: { eventSource: string[]; eventName: string[]; errorCode: Json } };

const mainRules = Object.entries(fn('on-cloudtrail-change').Properties.Events as Record<string, { Type: string; Properties: { Pattern: Pattern; EventBusName?: Json } }>);
const memberRules = Object.values(member.Resources).filter((r) => r.Type === 'AWS::Events::Rule') as (Resource & { Properties: { EventPattern: Pattern; Targets: Json[] } })[];
const API_CALL = 'AWS API Call via CloudTrail';
const INSIGHT = 'AWS Insight via CloudTrail';

describe('CloudTrail event routing', () => {
  it('sends the handler exactly the eventNames it interprets, from this region, the central bus and every member region', () => {
    const handled = Object.keys(TARGET_BY_EVENT);
    const apiCallRules = [...mainRules.map(([, e]) => e.Properties.Pattern), ...memberRules.map((r) => r.Properties.EventPattern)].filter((p) => p['detail-type'].includes(API_CALL));
    expect(apiCallRules).toHaveLength(3);
    for (const p of apiCallRules) {
      expect(p).toEqual({ source: ['aws.cloudtrail'], 'detail-type': [API_CALL], detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: handled, errorCode: [{ exists: false }] } });
    }
  });

  it('also routes Insights deliveries, which end the pending-first-delivery window', () => {
    const insightRules = [...mainRules.map(([, e]) => e.Properties.Pattern), ...memberRules.map((r) => r.Properties.EventPattern)].filter((p) => p['detail-type'].includes(INSIGHT));
    expect(insightRules).toEqual([0, 1, 2].map(() => ({ source: ['aws.cloudtrail'], 'detail-type': [INSIGHT] })));
  });

  it('listens on the default bus and on the central bus, which admits only the organization', () => {
    expect(mainRules.map(([, e]) => e.Properties.EventBusName ?? 'default').sort()).toEqual(['default', 'default', { Ref: 'CentralEventBus' }, { Ref: 'CentralEventBus' }].sort());
    expect(main.Resources.CentralEventBusPolicy!.Properties.Statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
    });
  });

  it('forwards member events to the central bus with the account forwarding role', () => {
    for (const r of memberRules) {
      expect(r.Properties.Targets).toEqual([{ Id: 'central-bus', Arn: { Ref: 'CentralEventBusArn' }, RoleArn: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${MemberRoleName}-events' } }]);
    }
    expect(member.Resources.ForwardingRole!.Properties.RoleName).toEqual({ 'Fn::Sub': '${MemberRoleName}-events' });
  });
});

describe('functions', () => {
  const required = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/^\s+([A-Z][A-Z_]+): z\./gm)].map((m) => m[1]!);
  const globals = (main as unknown as { Globals: { Function: Record<string, Json> & { Environment: { Variables: Record<string, Json> } } } }).Globals.Function;
  const env = (r: Resource) => ({ ...globals.Environment.Variables, ...(r.Properties.Environment as { Variables: Record<string, Json> }).Variables });

  it('run ESM bundles on nodejs24.x, arm64, with active tracing and their own log group', () => {
    expect(globals).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Tracing: 'Active' });
    for (const [id, r] of functions) {
      expect(r.Metadata).toMatchObject({ BuildMethod: 'esbuild', BuildProperties: { Format: 'esm', Target: 'node24', OutExtension: ['.js=.mjs'] } });
      const group = (r.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect({ id, type: main.Resources[group]!.Type, retention: main.Resources[group]!.Properties.RetentionInDays }).toEqual({ id, type: 'AWS::Logs::LogGroup', retention: { Ref: 'LogRetentionInDays' } });
    }
  });

  it('get every environment variable their configuration reads', () => {
    const shared = required('lib/config.ts');
    const sweep = required('lib/sweep/config.ts');
    expect(shared).toEqual(expect.arrayContaining(['MANAGEMENT_ACCOUNT_ID', 'MEMBER_ROLE_NAME', 'LEDGER_TABLE', 'IDEMPOTENCY_TABLE', 'POLICY', 'FUNCTION_ROLE_NAME', 'SLACK_WEBHOOK_SECRET']));
    expect(Object.keys(env(fn('on-cloudtrail-change'))).sort()).toEqual([...shared].sort());
    for (const name of ['drift-sweep', 'sweep-worker']) expect(Object.keys(env(fn(name))).sort()).toEqual([...new Set([...shared, ...sweep])].sort());
  });

  it('retries an event the repair function could not finish twice, then keeps it in a dead-letter queue with an alarm', () => {
    expect(fn('on-cloudtrail-change').Properties.EventInvokeConfig).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Type: 'SQS', Destination: { 'Fn::GetAtt': ['EventDeadLetterQueue', 'Arn'] } } } });
    expect(main.Resources.EventDeadLetterAlarm!.Properties).toMatchObject({ Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['EventDeadLetterQueue', 'QueueName'] } }] });
  });

  it('name their own role in FUNCTION_ROLE_NAME, so their own writes are not taken for drift', () => {
    for (const [name, r] of functions) {
      const own = { Ref: (r.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] };
      // The event function also ignores the sweep worker's writes in the management account.
      if (name === 'OnCloudTrailChangeFunction') expect(env(r).FUNCTION_ROLE_NAME).toEqual({ 'Fn::Join': [',', [own, { Ref: 'SweepWorkerRole' }]] });
      else expect(env(r).FUNCTION_ROLE_NAME).toEqual(own);
    }
  });
});

describe('drift sweep plumbing', () => {
  it('feeds the worker 10 messages at a time, reporting partial failures, at most SweepWorkerMaxConcurrency at once', () => {
    const worker = fn('sweep-worker');
    expect(worker.Properties.Timeout).toBe(300);
    expect((worker.Properties.Events as Record<string, unknown>).Sweep).toEqual({
      Type: 'SQS',
      Properties: { Queue: { 'Fn::GetAtt': ['SweepQueue', 'Arn'] }, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: { Ref: 'SweepWorkerMaxConcurrency' } } },
    });
    expect(main.Parameters!.SweepWorkerMaxConcurrency).toMatchObject({ Type: 'Number', Default: 20, MinValue: 2 });
  });

  it('keeps a message invisible for six worker timeouts and dead-letters it after 5 receives, kept 14 days', () => {
    expect(main.Resources.SweepQueue!.Properties).toMatchObject({ VisibilityTimeout: 1800, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['SweepDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 } });
    expect(main.Resources.SweepDeadLetterQueue!.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(main.Resources.DeadLetterAlarm!.Properties).toMatchObject({ Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['SweepDeadLetterQueue', 'QueueName'] } }] });
  });

  it('alarms on every function error', () => {
    const alarmed = Object.values(main.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'Errors')
      .map((r) => (r.Properties.Dimensions as { Value: { Ref: string } }[])[0]!.Value.Ref);
    expect(alarmed.sort()).toEqual(functions.map(([id]) => id).sort());
  });

  it('starts sweeps from EventBridge Scheduler on the SweepSchedule and times them out after SweepTimeoutMinutes (default 15)', () => {
    expect((fn('drift-sweep').Properties.Events as Record<string, unknown>).Sweep).toMatchObject({ Type: 'ScheduleV2', Properties: { ScheduleExpression: { Ref: 'SweepSchedule' } } });
    expect(main.Parameters!.SweepTimeoutMinutes).toMatchObject({ Default: 15 });
  });
});

describe('tables', () => {
  const table = (id: string) => main.Resources[id]!.Properties;
  it.each([
    ['IdempotencyTable', 'expiration'], // Powertools Idempotency's expiry attribute
    ['SweepTable', 'expiresAt'], // lib/aws/sweep-store-dynamodb.ts
  ])('%s is on-demand, point-in-time recoverable and expires items by %s', (id, ttl) => {
    expect(table(id)).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } });
  });

  it('keeps the ledger: on-demand, recoverable, retained on stack deletion; only counters and deleted sources expire', () => {
    expect(table('LedgerTable')).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, GlobalSecondaryIndexes: [{ IndexName: 'byAccountRegion' }] });
    expect(table('LedgerTable').TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    // The store sets expiresAt only on counters and on the record of a source reported deleted.
    const ledger = readFileSync(join(root, 'lib/aws/ledger-dynamodb.ts'), 'utf8');
    expect(ledger.match(/expiresAt/g)?.length).toBeGreaterThan(0);
    expect(ledger).toMatch(/record\.deletedAt &&/);
    expect(main.Resources.LedgerTable).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('matches the keys the stores write', () => {
    const ledger = readFileSync(join(root, 'lib/aws/ledger-dynamodb.ts'), 'utf8');
    expect(ledger).toContain("LEDGER_GSI = 'byAccountRegion'");
    expect(table('LedgerTable').KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table('SweepTable').KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    expect(table('IdempotencyTable').KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
  });
});

describe('member StackSet', () => {
  const set = main.Resources.MemberStackSet!.Properties;
  it('is service-managed with auto-deployment, over the chosen OUs and every configured region', () => {
    expect(set).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true },
      TemplateURL: 'infra/member-account.yaml',
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: { Ref: 'MemberOrganizationalUnitIds' } }, Regions: { Ref: 'Regions' } }],
      OperationPreferences: { RegionConcurrencyType: 'SEQUENTIAL', RegionOrder: { Ref: 'Regions' } },
    });
  });

  it('creates the roles in the first region it deploys to, before the other regions refer to them', () => {
    const params = Object.fromEntries((set.Parameters as { ParameterKey: string; ParameterValue: Json }[]).map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params.HomeRegion).toEqual({ 'Fn::Select': [0, { Ref: 'Regions' }] });
  });

  it('passes every member-template parameter that has no default', () => {
    const passed = (set.Parameters as { ParameterKey: string }[]).map((p) => p.ParameterKey);
    const needed = Object.entries(member.Parameters!).filter(([, p]) => (p as { Default?: unknown }).Default === undefined).map(([k]) => k);
    expect(passed).toEqual(expect.arrayContaining(needed));
    expect(passed.filter((k) => !(k in member.Parameters!))).toEqual([]);
  });
});

describe('member role names', () => {
  // IAM: "RoleName ... Maximum length of 64" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html);
  // EventBridge: rule "Name ... Maximum length of 64" (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
  const NAME_MAX = 64;
  type NameParameter = { AllowedPattern: string; MaxLength?: number; Default: string };
  const parameterIn = (t: Template) => t.Parameters!.MemberRoleName as unknown as NameParameter;
  const suffixOf = (n: Json | undefined) => (typeof n === 'object' && n !== null && 'Ref' in n ? '' : String((n as { 'Fn::Sub': string })['Fn::Sub']).replace('${MemberRoleName}', ''));
  /** Every role and rule name the member template derives from MemberRoleName. */
  const derivedSuffixes = [
    ...Object.values(member.Resources).filter((r) => r.Type === 'AWS::IAM::Role').map((r) => suffixOf(r.Properties.RoleName)),
    ...Object.values(member.Resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => suffixOf(r.Properties.Name)),
  ];

  it('derives the member role, its -events forwarding role and the two named forwarding rules from MemberRoleName', () => {
    expect(derivedSuffixes.sort()).toEqual(['', '-calls', '-events', '-insights']);
  });

  it.each([
    ['template.yaml', main],
    ['infra/member-account.yaml', member],
  ])('%s allows only names whose every derived role and rule name fits 64 characters', (_file, template) => {
    const p = parameterIn(template);
    const pattern = new RegExp(p.AllowedPattern);
    const longestSuffix = Math.max(...derivedSuffixes.map((s) => s.length));
    const longest = NAME_MAX - longestSuffix;
    expect(p.MaxLength).toBe(longest);
    expect(pattern.test('R'.repeat(longest))).toBe(true);
    expect(pattern.test('R'.repeat(longest + 1))).toBe(false);
    expect(pattern.test(p.Default)).toBe(true);
    expect(pattern.test('bad role')).toBe(false);
  });

  it('constrains MemberRoleName the same way in both templates, which pass it from one to the other', () => {
    const rule = (t: Template) => [parameterIn(t).AllowedPattern, parameterIn(t).MaxLength, parameterIn(t).Default];
    expect(rule(main)).toEqual(rule(member));
  });
});
