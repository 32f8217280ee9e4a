// Conformance: the wire protocols, through the real SDK v3 clients and raw HTTP. Sources:
// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html,
// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html and the Smithy service shapes of CloudTrail,
// Organizations and STS.
import {
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventDataStoreCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { DescribeOrganizationCommand, ListAccountsCommand, paginateListAccounts, paginateListAccountsForParent, ListRootsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Simulator } from '../../../sim/server';
import { cloudtrail, DEV, MGMT, organizations, OUTSIDER, PROD, rejection, ROLE, startSim, storeArn, sts } from '../../helpers/sim';
import { signedFetch } from '../../helpers/signed-request';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.stop());

/** A raw awsJson1_1 request, signed by the SDK's signer with the key's secret. */
async function raw(target: string, body: string, account = PROD, region = 'us-east-1', headers: Record<string, string> = {}) {
  return signedFetch(sim.endpoint, { target, body, accessKeyId: account, region, headers });
}

// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html (requests, timestamps, error serialization);
// `com.amazonaws.cloudtrail#CloudTrail_20131101`
describe('awsJson1_1', () => {
  it('dispatches on the SDK target CloudTrail_20131101.<Operation>', async () => {
    const out = await cloudtrail(sim, PROD).send(new DescribeTrailsCommand({}));
    expect(out.trailList?.map((t) => t.Name).sort()).toEqual(['audit', 'org-trail']);
  });

  it('dispatches on the CLI target com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>', async () => {
    const r = await raw('com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails', '{"includeShadowTrails":false}');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(r.body).trailList.map((t: { Name: string }) => t.Name)).toEqual(['audit']);
  });

  it('accepts an empty body as an empty input', async () => {
    const r = await raw('CloudTrail_20131101.ListTrails', '');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).Trails.length).toBeGreaterThan(0);
  });

  it('serializes timestamps as epoch seconds', async () => {
    const r = await raw('CloudTrail_20131101.GetEventDataStore', JSON.stringify({ EventDataStore: 'prod-mgmt-store' }));
    expect(typeof JSON.parse(r.body).CreatedTimestamp).toBe('number');
    const out = await cloudtrail(sim, PROD).send(new GetEventDataStoreCommand({ EventDataStore: storeArn('prod-mgmt-store') }));
    expect(out.CreatedTimestamp).toBeInstanceOf(Date);
  });

  it('serializes errors so the SDK raises the modeled exception class, with the message', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'nope' })));
    expect(e).toBeInstanceOf(TrailNotFoundException);
    expect(e).toBeInstanceOf(CloudTrailServiceException);
    expect(e.message).toBe('Unknown trail: arn:aws:cloudtrail:us-east-1:222222222222:trail/nope for the user: 222222222222');
    expect(e.$fault).toBe('client');
  });

  it('sends __type and an agreeing X-Amzn-ErrorType header, status 400', async () => {
    const r = await raw('CloudTrail_20131101.GetTrail', JSON.stringify({ Name: 'nope' }));
    expect(r.status).toBe(400);
    expect(r.headers.get('x-amzn-errortype')).toBe('TrailNotFoundException');
    expect(JSON.parse(r.body)).toMatchObject({ __type: 'TrailNotFoundException', Message: expect.any(String) });
  });

  it.each([
    ['an unknown operation', 'CloudTrail_20131101.FrobnicateTrail', '{}', 'UnknownOperationException'],
    ['an unknown service target', 'Nope_20200101.DescribeTrails', '{}', 'UnknownOperationException'],
    ['a body that is not JSON', 'CloudTrail_20131101.GetTrail', '{"Name": ', 'SerializationException'],
    ['a JSON array body', 'CloudTrail_20131101.GetTrail', '[1,2]', 'SerializationException'],
    ['a member of the wrong type', 'CloudTrail_20131101.GetTrail', '{"Name": 42}', 'SerializationException'],
    ['a missing required member', 'CloudTrail_20131101.GetTrail', '{}', 'InvalidTrailNameException'],
    ['a missing required member nothing specific is modeled for', 'CloudTrail_20131101.GetEventSelectors', '{}', 'InvalidTrailNameException'],
    ['a missing required member of an operation without InvalidParameterException', 'CloudTrail_20131101.ListTags', '{}', 'ValidationException'],
    ['a missing required member where InvalidParameterException is modeled', 'CloudTrail_20131101.PutInsightSelectors', '{"TrailName":"audit"}', 'InvalidParameterException'],
    ['a page size outside the modeled range', 'CloudTrail_20131101.ListEventDataStores', '{"MaxResults": 5000}', 'InvalidMaxResultsException'],
    ['a value outside the modeled range', 'CloudTrail_20131101.LookupEvents', '{"MaxResults": 51}', 'InvalidMaxResultsException'],
    ['an Insights type the model does not list', 'CloudTrail_20131101.PutInsightSelectors', '{"TrailName":"audit","InsightSelectors":[{"InsightType":"ApiCallRate"}]}', 'InvalidInsightSelectorsException'],
    ['an enum value the model does not list', 'CloudTrail_20131101.LookupEvents', '{"EventCategory":"management"}', 'InvalidEventCategoryException'],
    ['a string too short for the model', 'CloudTrail_20131101.GetEventDataStore', '{"EventDataStore":"ab"}', 'InvalidParameterException'],
    ['a string that breaks the modeled pattern', 'CloudTrail_20131101.GetEventDataStore', '{"EventDataStore":"has spaces"}', 'InvalidParameterException'],
  ])('answers %s with the error AWS would return, and keeps serving', async (_what, target, body, code) => {
    const r = await raw(target, body);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).__type).toBe(code);
    expect((await raw('CloudTrail_20131101.ListTrails', '{}')).status).toBe(200);
  });

  it('rejects a request without SigV4 credentials, and one from an unknown access key', async () => {
    const noAuth = await fetch(sim.endpoint, { method: 'POST', headers: { 'x-amz-target': 'CloudTrail_20131101.ListTrails' }, body: '{}' });
    expect(noAuth.status).toBe(403);
    expect(JSON.parse(await noAuth.text()).__type).toBe('MissingAuthenticationTokenException');
    const e = await rejection(cloudtrail(sim, 'AKIANOBODY').send(new ListTrailsCommand({})));
    expect(e.name).toBe('UnrecognizedClientException');
  });

  it('takes the region from the signing scope: one server, every region', async () => {
    const eu = await cloudtrail(sim, PROD, 'eu-west-1').send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    expect(eu.trailList?.map((t) => t.Name)).toEqual(['regional']);
  });
});

// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html;
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
describe('STS awsQuery', () => {
  it('tells who the caller is', async () => {
    expect(await sts(sim, MGMT).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: MGMT, Arn: `arn:aws:iam::${MGMT}:user/admin` });
    expect(await sts(sim, 'AKIAALICE').send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: PROD, Arn: `arn:aws:iam::${PROD}:user/alice` });
  });

  it('assumes a trusted role; the session\'s calls belong to the role\'s account', async () => {
    const out = await sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${ROLE}`, RoleSessionName: 'remediator' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${DEV}:assumed-role/${ROLE}/remediator`);
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    const session = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const { STSClient } = await import('@aws-sdk/client-sts');
    const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
    const who = await new STSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: session }).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: DEV, Arn: `arn:aws:sts::${DEV}:assumed-role/${ROLE}/remediator` });
    const trails = await new CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: session }).send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    expect(trails.trailList?.map((t) => t.Name)).toEqual(['dev-trail']);
  });

  it('denies a role that does not trust the caller, or does not exist, with AccessDenied', async () => {
    const e = await rejection(sts(sim, PROD).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${ROLE}`, RoleSessionName: 'ss' })));
    expect(e.name).toBe('AccessDenied');
    expect(e.$metadata?.httpStatusCode).toBe(403);
    expect((await rejection(sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/Nope`, RoleSessionName: 'ss' })))).name).toBe('AccessDenied');
  });

  it('validates AssumeRole against the model: DurationSeconds 900..43200', async () => {
    const e = await rejection(sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${ROLE}`, RoleSessionName: 'ss', DurationSeconds: 60 })));
    expect(e.name).toBe('ValidationError');
    expect((await rejection(sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${ROLE}`, RoleSessionName: 's' })))).name).toBe('ValidationError');
  });

  it('expires sessions on the simulated clock', async () => {
    const out = await sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${ROLE}`, RoleSessionName: 'short', DurationSeconds: 900 }));
    sim.clock.advance(901_000);
    const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
    const client = new CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! } });
    expect((await rejection(client.send(new ListTrailsCommand({})))).name).toBe('ExpiredTokenException');
  });
});

// `com.amazonaws.organizations#AWSOrganizationsV20161128`; List* paging and callers:
// `com.amazonaws.organizations#ListAccounts`
describe('Organizations', () => {
  it('describes the organization to any member, and not to an outsider', async () => {
    expect((await organizations(sim, PROD).send(new DescribeOrganizationCommand({}))).Organization).toMatchObject({ Id: 'o-testorg1234', MasterAccountId: MGMT, FeatureSet: 'ALL' });
    expect((await rejection(organizations(sim, OUTSIDER).send(new DescribeOrganizationCommand({})))).name).toBe('UnrecognizedClientException');
  });

  it('lists accounts only to the management account', async () => {
    expect((await rejection(organizations(sim, PROD).send(new ListAccountsCommand({})))).name).toBe('AccessDeniedException');
  });

  it('pages by at most 20, starting with an empty page that carries a NextToken', async () => {
    const first = await organizations(sim).send(new ListAccountsCommand({}));
    expect(first.Accounts).toEqual([]);
    expect(first.NextToken).toBeDefined();
    const all = [];
    for await (const page of paginateListAccounts({ client: organizations(sim), pageSize: 2 }, {})) all.push(...(page.Accounts ?? []));
    expect(all.map((a) => a.Id)).toEqual([MGMT, PROD, DEV, '444444444444']);
    expect(all[3]).toMatchObject({ State: 'SUSPENDED', Status: 'SUSPENDED' });
    expect((await rejection(organizations(sim).send(new ListAccountsCommand({ MaxResults: 21 })))).name).toBe('InvalidInputException');
    expect((await rejection(organizations(sim).send(new ListAccountsCommand({ NextToken: 'garbage' })))).name).toBe('InvalidInputException');
  });

  it('lists only the direct accounts of a parent, and rejects an unknown parent', async () => {
    const roots = await organizations(sim).send(new ListRootsCommand({}));
    expect(roots.Roots?.[0]?.Id).toBe('r-ab12');
    const direct = [];
    for await (const page of paginateListAccountsForParent({ client: organizations(sim) }, { ParentId: 'ou-ab12-prod0001' })) direct.push(...(page.Accounts ?? []));
    expect(direct.map((a) => a.Id)).toEqual([PROD]);
    const { ListAccountsForParentCommand } = await import('@aws-sdk/client-organizations');
    expect((await rejection(organizations(sim).send(new ListAccountsForParentCommand({ ParentId: 'ou-ab12-nothere1' })))).name).toBe('ParentNotFoundException');
  });
});
