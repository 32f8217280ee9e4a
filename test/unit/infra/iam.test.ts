// Least privilege, checked: every role in template.yaml and infra/member-account.yaml grants exactly what the code it
// runs calls, per the permission tables next to that code (lib/domain/actions.ts, lib/aws/read.ts,
// lib/aws/organization.ts) and the commands the DynamoDB / SQS adapters send: nothing missing, nothing extra, no
// wildcard action, and '*' only where the service has no resource-level permission for the action.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COST_PERMISSIONS } from '../../../lib/aws/cost-explorer';
import { DISCOVERY_PERMISSIONS, OU_WALK_PERMISSIONS } from '../../../lib/aws/organization';
import { READ_PERMISSIONS } from '../../../lib/aws/read';
import { SECURITY_HUB_PERMISSIONS } from '../../../lib/aws/securityhub';
import { REQUIRED_PERMISSIONS, REQUIRED_RESOURCES, type ActionKind, type PermissionScope } from '../../../lib/domain/actions';
import { asLines, grantsOf, loadTemplates, resolveIfs, resourceText, root, statementsOf, type Json, type Template } from './templates';

const [main, member] = loadTemplates('template.yaml', 'infra/member-account.yaml') as [Template, Template];
const source = (file: string) => readFileSync(join(root, file), 'utf8');
/** The SDK operations a file sends: `new XCommand(` and `paginateX(`. */
const operationsIn = (text: string) => new Set([...text.matchAll(/new (\w+)Command\(|paginate(\w+)\(/g)].map((m) => (m[1] ?? m[2])!));

type Grants = Map<string, Set<string>>;
const grant = (g: Grants, action: string, ...resources: string[]) => {
  const set = g.get(action) ?? new Set<string>();
  for (const r of resources) set.add(r);
  g.set(action, set);
};

// ------------------------------------------------------------------ what the code needs
const OWN = (type: string) => `arn:\${AWS::Partition}:cloudtrail:*:\${AWS::AccountId}:${type}/*`;
/** CloudTrail scope -> the ARN pattern the template must write: always the calling account's own sources. */
function cloudTrailArn(scope: PermissionScope, _where: 'management' | 'member'): string {
  return scope === '*' ? '*' : OWN(scope);
}

function cloudTrailGrants(where: 'management' | 'member', enforce: boolean): Grants {
  const g: Grants = new Map();
  // The member role also imports the sweep's findings into Security Hub, in every mode (lib/aws/securityhub.ts).
  if (where === 'member') for (const { action, resource } of Object.values(SECURITY_HUB_PERMISSIONS)) grant(g, action, resource);
  for (const { action, scope } of Object.values(READ_PERMISSIONS)) grant(g, action, ...scope.map((s) => cloudTrailArn(s, where)));
  if (enforce) for (const kind of Object.keys(REQUIRED_PERMISSIONS) as ActionKind[]) for (const a of REQUIRED_PERMISSIONS[kind]) grant(g, a, ...REQUIRED_RESOURCES[kind].map((s) => cloudTrailArn(s, where)));
  return g;
}

const DYNAMODB_ACTION: Record<string, string> = { Get: 'GetItem', GetItem: 'GetItem', Put: 'PutItem', PutItem: 'PutItem', Delete: 'DeleteItem', DeleteItem: 'DeleteItem', Update: 'UpdateItem', UpdateItem: 'UpdateItem', BatchWrite: 'BatchWriteItem', BatchGet: 'BatchGetItem', Query: 'Query' };
const dynamodb = (op: string) => {
  const a = DYNAMODB_ACTION[op];
  if (!a) throw new Error(`no IAM mapping for DynamoDB command ${op}Command: add it here and to template.yaml`);
  return `dynamodb:${a}`;
};

/**
 * The sweep store's DynamoDB calls per method (with those of the private helpers it calls): the scheduler only starts
 * sweeps; the worker does everything else.
 */
function sweepStoreCalls(): { start: Set<string>; rest: Set<string> } {
  const text = source('lib/aws/sweep-store-dynamodb.ts');
  const methods = new Map(
    text
      .split(/\n {2}(?=(?:private )?async \w+\()/)
      .slice(1)
      .map((m) => [/^(?:private )?async (\w+)\(/.exec(m)![1]!, m] as const),
  );
  const opsOf = (name: string): string[] => {
    const body = methods.get(name)!;
    const helpers = [...body.matchAll(/this\.(\w+)\(/g)].map((x) => x[1]!).filter((h) => h !== name && methods.has(h) && methods.get(h)!.startsWith('private'));
    return [...operationsIn(body), ...helpers.flatMap(opsOf)];
  };
  const start = new Set<string>();
  const rest = new Set<string>();
  for (const [name, body] of methods) if (!body.startsWith('private')) for (const op of opsOf(name)) (name === 'start' ? start : rest).add(dynamodb(op));
  return { start, rest };
}

function ledgerGrants(g: Grants) {
  const text = source('lib/aws/ledger-dynamodb.ts');
  for (const op of operationsIn(text)) {
    if (!Object.hasOwn(DYNAMODB_ACTION, op)) continue; // DynamoDBClient / DynamoDBDocumentClient are constructors, not commands
    // The ledger queries only its byAccountRegion GSI; items are read and written on the table.
    grant(g, dynamodb(op), op === 'Query' ? '${LedgerTable.Arn}/index/byAccountRegion' : 'LedgerTable.Arn');
  }
}

function discoveryGrants(g: Grants, table: Record<string, { action: string; scope: readonly ('root' | 'organizationalUnit' | '*')[] }> = DISCOVERY_PERMISSIONS) {
  const scopes = { '*': '*', root: 'arn:${AWS::Partition}:organizations::${AWS::AccountId}:root/${OrganizationId}/r-*', organizationalUnit: 'arn:${AWS::Partition}:organizations::${AWS::AccountId}:ou/${OrganizationId}/ou-*' };
  for (const { action, scope } of Object.values(table)) grant(g, action, ...scope.map((s) => scopes[s]));
}

function runtimeGrants(g: Grants, logGroup: string) {
  grant(g, 'logs:CreateLogStream', `${logGroup}.Arn`);
  grant(g, 'logs:PutLogEvents', `${logGroup}.Arn`);
  grant(g, 'xray:PutTraceSegments', '*'); // X-Ray: no resource-level permissions
  grant(g, 'xray:PutTelemetryRecords', '*');
}

const ASSUME_MEMBER_ROLE = 'arn:${AWS::Partition}:iam::*:role/${MemberRoleName}';

function expectedMainRole(role: string, c: { Enforce: boolean; HasSlack: boolean }): Grants {
  const g: Grants = new Map();
  const slack = () => c.HasSlack && grant(g, 'secretsmanager:GetSecretValue', 'Ref SlackWebhookArn');
  const sqsSends = [...operationsIn(source('lib/aws/sqs-queue.ts'))].filter((op) => op.startsWith('SendMessage'));
  switch (role) {
    case 'OnCloudTrailChangeRole': {
      runtimeGrants(g, 'OnCloudTrailChangeLogGroup');
      ledgerGrants(g);
      const powertools = source('node_modules/@aws-lambda-powertools/idempotency/lib/esm/persistence/DynamoDBPersistenceLayer.js');
      for (const op of operationsIn(powertools)) grant(g, dynamodb(op), 'IdempotencyTable.Arn');
      // The function's on-failure destination: Lambda sends failed events there with the function's role.
      grant(g, 'sqs:SendMessage', 'EventDeadLetterQueue.Arn');
      // A sweep request when a change took coverage away (functions/on-cloudtrail-change/handler.ts sweepRequester).
      grant(g, 'sqs:SendMessage', 'SweepQueue.Arn');
      for (const [a, rs] of cloudTrailGrants('management', c.Enforce)) grant(g, a, ...rs);
      grant(g, 'sts:AssumeRole', ASSUME_MEMBER_ROLE);
      // An OU-scoped policy: the account's OU path (lib/aws/organization.ts ouPathLookup).
      discoveryGrants(g, OU_WALK_PERMISSIONS);
      slack();
      return g;
    }
    case 'DriftSweepRole': {
      runtimeGrants(g, 'DriftSweepLogGroup');
      for (const a of sweepStoreCalls().start) grant(g, a, 'SweepTable.Arn');
      // SendMessageBatch and SendMessage both authorize as sqs:SendMessage.
      if (sqsSends.length) grant(g, 'sqs:SendMessage', 'SweepQueue.Arn');
      discoveryGrants(g);
      for (const { action, scope } of Object.values(COST_PERMISSIONS)) grant(g, action, ...scope);
      return g;
    }
    case 'SweepWorkerRole': {
      runtimeGrants(g, 'SweepWorkerLogGroup');
      // The SQS event source polls with the function's role; the worker re-sends a sweep's delayed finalize message.
      for (const a of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:SendMessage']) grant(g, a, 'SweepQueue.Arn');
      for (const a of sweepStoreCalls().rest) grant(g, a, 'SweepTable.Arn');
      ledgerGrants(g);
      for (const [a, rs] of cloudTrailGrants('management', c.Enforce)) grant(g, a, ...rs);
      grant(g, 'sts:AssumeRole', ASSUME_MEMBER_ROLE);
      // It starts the sweeps the event function asks for: discovery, as the scheduler.
      discoveryGrants(g);
      slack();
      return g;
    }
    default:
      throw new Error(`template.yaml has a role this test does not know: ${role}`);
  }
}

const rolesOf = (t: Template) => Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
const MAIN_CONDITIONS = [
  { Enforce: true, HasSlack: true },
  { Enforce: false, HasSlack: false },
];

// ------------------------------------------------------------------ the tables stay next to the code
describe('permission tables', () => {
  it('name every CloudTrail call the reader makes, and nothing else', () => {
    expect([...operationsIn(source('lib/aws/read.ts'))].sort()).toEqual(Object.keys(READ_PERMISSIONS).sort());
    for (const [op, p] of Object.entries(READ_PERMISSIONS)) expect(p.action).toBe(`cloudtrail:${op}`);
  });

  it('name every CloudTrail write the executor can send', () => {
    const written = [...operationsIn(source('lib/aws/apply.ts'))].map((op) => `cloudtrail:${op}`).sort();
    expect(written).toEqual([...new Set(Object.values(REQUIRED_PERMISSIONS).flat())].sort());
  });

  it('name every Organizations call discovery makes', () => {
    expect([...operationsIn(source('lib/aws/organization.ts'))].sort()).toEqual(Object.keys(DISCOVERY_PERMISSIONS).sort());
    for (const [op, p] of Object.entries(DISCOVERY_PERMISSIONS)) expect(p.action).toBe(`organizations:${op}`);
  });
});

// ------------------------------------------------------------------ the management stack
describe('template.yaml roles', () => {
  it('has one role per function, each used by its function', () => {
    const functions = Object.values(main.Resources).filter((r) => r.Type === 'AWS::Serverless::Function');
    const used = functions.map((f) => resourceText(f.Properties.Role!).replace(/\.Arn$/, '')).sort();
    expect(used).toEqual(rolesOf(main).map(([id]) => id).sort());
  });

  it.each(MAIN_CONDITIONS)('grants each function role exactly what its code calls (%o)', (conditions) => {
    for (const [id, role] of rolesOf(main)) {
      expect({ role: id, grants: asLines(grantsOf(role, conditions)) }).toEqual({ role: id, grants: asLines(expectedMainRole(id, conditions)) });
    }
  });

  it('gives the management account CloudTrail calls only to the event and sweep-worker roles, scoped to this account', () => {
    const withCloudTrail = rolesOf(main).filter(([, r]) => [...grantsOf(r, { Enforce: true, HasSlack: true }).keys()].some((a) => a.startsWith('cloudtrail:')));
    expect(withCloudTrail.map(([id]) => id).sort()).toEqual(['OnCloudTrailChangeRole', 'SweepWorkerRole']);
  });

  it('lets the functions assume the member role only inside the organization', () => {
    for (const [id, role] of rolesOf(main)) {
      for (const s of statementsOf(role, { Enforce: true, HasSlack: true }).filter((st) => [st.Action].flat().includes('sts:AssumeRole'))) {
        expect({ id, condition: s.Condition }).toEqual({ id, condition: { StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } } } });
      }
    }
  });

  it('lets only the function roles that assume it, and the operator role when one is given, be trusted by the member role', () => {
    const assumers = rolesOf(main)
      .filter(([, r]) => grantsOf(r, { Enforce: true, HasSlack: true }).has('sts:AssumeRole'))
      .map(([id]) => `${id}.Arn`)
      .sort();
    const params = main.Resources.MemberStackSet!.Properties.Parameters as { ParameterKey: string; ParameterValue: Json }[];
    const value = params.find((p) => p.ParameterKey === 'TrustedPrincipalArns')!.ParameterValue;
    const trustedWith = (HasOperator: boolean) => ((resolveIfs(value, { HasOperator }) as { 'Fn::Join': [string, Json[]] })['Fn::Join'][1]).map(resourceText).sort();
    expect(trustedWith(false)).toEqual(assumers);
    expect(trustedWith(true)).toEqual([...assumers, 'Ref OperatorRoleArn'].sort());
    expect(main.Parameters!.OperatorRoleArn).toMatchObject({ Default: '' });
  });
});

// ------------------------------------------------------------------ the member stack
describe('infra/member-account.yaml roles', () => {
  const remediator = member.Resources.RemediatorRole!;
  const home = { InHomeRegion: true, CreatesRemediatorRole: true };

  it('grants the member role exactly the CloudTrail calls the planner and reader make, and the Security Hub import', () => {
    expect(asLines(grantsOf(remediator, { ...home, Enforce: true }))).toEqual(asLines(cloudTrailGrants('member', true)));
  });

  it('grants no CloudTrail write at all in report mode', () => {
    expect(asLines(grantsOf(remediator, { ...home, Enforce: false }))).toEqual(asLines(cloudTrailGrants('member', false)));
    expect([...grantsOf(remediator, { ...home, Enforce: false }).keys()].filter((a) => /^cloudtrail:(Put|Start|Update)/.test(a))).toEqual([]);
  });

  it('is trusted only by the remediator function roles, from inside the organization', () => {
    expect(remediator.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: { Ref: 'TrustedPrincipalArns' } }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } } }],
    });
    expect(remediator.Properties.RoleName).toEqual({ Ref: 'MemberRoleName' });
  });

  it('lets EventBridge put events on the central bus and nowhere else', () => {
    const forwarding = member.Resources.ForwardingRole!;
    expect(asLines(grantsOf(forwarding, home))).toEqual(['events:PutEvents on Ref CentralEventBusArn']);
    expect(forwarding.Properties.AssumeRolePolicyDocument).toMatchObject({ Statement: [{ Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }] });
  });

  it('creates the IAM roles once per account, in the home region only', () => {
    expect(member.Resources.RemediatorRole!.Condition).toBe('CreatesRemediatorRole');
    expect(member.Resources.ForwardingRole!.Condition).toBe('InHomeRegion');
    expect(member.Conditions!.InHomeRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'HomeRegion' }] });
  });
});

// ------------------------------------------------------------------ both
describe('both templates', () => {
  const every = [
    ...rolesOf(main).flatMap(([id, r]) => MAIN_CONDITIONS.map((c) => ({ id, statements: statementsOf(r, c) }))),
    ...rolesOf(member).flatMap(([id, r]) => [true, false].map((Enforce) => ({ id, statements: statementsOf(r, { InHomeRegion: true, CreatesRemediatorRole: true, Enforce }) }))),
  ];

  it('never grant a wildcard action', () => {
    const wild = every.flatMap(({ id, statements }) => statements.flatMap((s) => [s.Action].flat().filter((a) => a.includes('*')).map((a) => `${id}: ${a}`)));
    expect(wild).toEqual([]);
  });

  it("use Resource '*' only for actions that have no resource-level permission", () => {
    const unscoped = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      ...Object.values(READ_PERMISSIONS).filter((p) => p.scope.includes('*')).map((p) => p.action),
      ...Object.values(DISCOVERY_PERMISSIONS).filter((p) => p.scope.includes('*')).map((p) => p.action),
      ...Object.values(COST_PERMISSIONS).filter((p) => (p.scope as readonly string[]).includes('*')).map((p) => p.action),
    ]);
    expect([...unscoped].sort()).toEqual(['ce:GetCostAndUsage', 'cloudtrail:DescribeTrails', 'cloudtrail:ListEventDataStores', 'organizations:DescribeOrganization', 'organizations:ListAccounts', 'organizations:ListRoots', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const offenders = every.flatMap(({ id, statements }) =>
      statements.filter((s) => [resolveIfs(s.Resource, {})].flat().includes('*')).flatMap((s) => [s.Action].flat().filter((a) => !unscoped.has(a)).map((a) => `${id}: ${a}`)),
    );
    expect(offenders).toEqual([]);
  });
});
