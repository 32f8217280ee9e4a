// Conformance: trail rules (the CloudTrail Smithy model shapes cited per block,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html), one test per
// rule.
import {
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
  paginateListTrails,
} from '@aws-sdk/client-cloudtrail';
import type { Simulator } from '../../../sim/server';
import { cloudtrail, DEV, MGMT, PROD, rejection, startSim, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(() => sim.stop());

const ORG_TRAIL = trailArn('org-trail', MGMT);

// `com.amazonaws.cloudtrail#DescribeTrailsRequest$trailNameList`, `$includeShadowTrails`,
// `com.amazonaws.cloudtrail#GetTrailStatusRequest$Name`
describe('trail identity and visibility (identifiers, home region, shadow trails)', () => {
  it('DescribeTrails includes shadow trails by default: multi-region copies and the organization trail', async () => {
    const eu = await cloudtrail(sim, PROD, 'eu-west-1').send(new DescribeTrailsCommand({}));
    expect(eu.trailList?.map((t) => [t.Name, t.HomeRegion, t.IsOrganizationTrail]).sort()).toEqual([
      ['audit', 'us-east-1', false],
      ['org-trail', 'us-east-1', true],
      ['regional', 'eu-west-1', false],
    ]);
  });

  it('DescribeTrails with includeShadowTrails false returns only trails homed in the region', async () => {
    const out = await cloudtrail(sim, PROD, 'eu-west-1').send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    expect(out.trailList?.map((t) => t.Name)).toEqual(['regional']);
  });

  it('DescribeTrails reports HasInsightSelectors and HasCustomEventSelectors truthfully (moto hard-codes false)', async () => {
    const mgmt = await cloudtrail(sim, MGMT).send(new DescribeTrailsCommand({ trailNameList: ['org-trail'] }));
    expect(mgmt.trailList?.[0]).toMatchObject({ HasInsightSelectors: true, HasCustomEventSelectors: false });
    const dev = await cloudtrail(sim, DEV).send(new DescribeTrailsCommand({ trailNameList: [trailArn('dev-trail', DEV)] }));
    expect(dev.trailList?.[0]).toMatchObject({ HasInsightSelectors: false, HasCustomEventSelectors: true });
  });

  it('DescribeTrails ignores names that match nothing (it models no TrailNotFoundException)', async () => {
    expect((await cloudtrail(sim, PROD).send(new DescribeTrailsCommand({ trailNameList: ['nope'] }))).trailList).toEqual([]);
  });

  it('accepts a trail name or its ARN', async () => {
    const byName = await cloudtrail(sim, PROD).send(new GetTrailCommand({ Name: 'audit' }));
    const byArn = await cloudtrail(sim, PROD).send(new GetTrailCommand({ Name: trailArn('audit') }));
    expect(byName.Trail).toEqual(byArn.Trail);
  });

  it('an organization trail seen from a member needs the full ARN', async () => {
    expect((await rejection(cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: 'org-trail' })))).name).toBe('TrailNotFoundException');
    expect(await cloudtrail(sim, PROD).send(new GetTrailStatusCommand({ Name: ORG_TRAIL }))).toMatchObject({ IsLogging: true });
  });

  it('an account cannot see another account\'s trail that is not an organization trail', async () => {
    expect((await rejection(cloudtrail(sim, DEV).send(new GetTrailCommand({ Name: trailArn('audit') })))).name).toBe('TrailNotFoundException');
  });

  it.each([
    ['ab', 'Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters.'],
    ['-abc', 'Trail name must starts with a letter or number.'],
    ['ab..cd', 'Trail name must not contain adjacent periods, underscores or dashes.'],
    ['ab cd', 'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).'],
    ['10.0.0.1', 'Trail name must not be in an IP address format.'],
  ])('rejects the trail name %j with InvalidTrailNameException', async (name, message) => {
    const e = await rejection(cloudtrail(sim, PROD).send(new GetTrailCommand({ Name: name })));
    expect([e.name, e.message]).toEqual(['InvalidTrailNameException', message]);
  });

  it('rejects a malformed trail ARN with CloudTrailARNInvalidException', async () => {
    expect((await rejection(cloudtrail(sim, PROD).send(new GetTrailCommand({ Name: 'arn:aws:cloudtrail:us-east-1:12:trail' })))).name).toBe('CloudTrailARNInvalidException');
  });

  it('ListTrails pages with NextToken and lists what the account sees', async () => {
    const names = [];
    for await (const page of paginateListTrails({ client: cloudtrail(sim, PROD) }, {})) names.push(...(page.Trails ?? []).map((t) => t.Name));
    expect(names.sort()).toEqual(['audit', 'org-trail']);
    expect((await rejection(cloudtrail(sim, PROD).send(new ListTrailsCommand({ NextToken: 'bogus-token' })))).name).toBe('InvalidNextTokenException');
  });
});

// `com.amazonaws.cloudtrail#InvalidHomeRegionException`;
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html
describe('writes go to the home region, by the owner', () => {
  it('PutEventSelectors, StopLogging and UpdateTrail from another region fail with InvalidHomeRegionException', async () => {
    const eu = cloudtrail(sim, PROD, 'eu-west-1');
    for (const cmd of [new StopLoggingCommand({ Name: 'audit' }), new PutEventSelectorsCommand({ TrailName: 'audit', EventSelectors: [{}] }), new UpdateTrailCommand({ Name: 'audit', S3KeyPrefix: 'x' })])
      expect((await rejection(eu.send(cmd as never))).name).toBe('InvalidHomeRegionException');
  });

  it('a member account cannot change the organization trail: NotOrganizationMasterAccountException', async () => {
    expect((await rejection(cloudtrail(sim, PROD).send(new StopLoggingCommand({ Name: ORG_TRAIL })))).name).toBe('NotOrganizationMasterAccountException');
  });

  it('the management account changes the organization trail; a delegated administrator may too', async () => {
    await cloudtrail(sim, MGMT).send(new StopLoggingCommand({ Name: 'org-trail' }));
    expect((await cloudtrail(sim, MGMT).send(new GetTrailStatusCommand({ Name: 'org-trail' }))).IsLogging).toBe(false);
    await sim.stop();
    sim = await startSim({ world: testWorld({ organization: { ...testWorld().organization, delegatedAdministrators: [{ account: DEV, servicePrincipal: 'cloudtrail.amazonaws.com' }] } }) });
    await cloudtrail(sim, DEV).send(new StopLoggingCommand({ Name: ORG_TRAIL }));
    expect((await cloudtrail(sim, MGMT).send(new GetTrailStatusCommand({ Name: 'org-trail' }))).IsLogging).toBe(false);
  });
});

// `com.amazonaws.cloudtrail#GetTrailStatusResponse`, `com.amazonaws.cloudtrail#StartLogging`,
// `com.amazonaws.cloudtrail#StopLogging`
describe('logging (GetTrailStatus, StartLogging, StopLogging)', () => {
  it('StopLogging and StartLogging flip IsLogging and stamp the times', async () => {
    const ct = cloudtrail(sim, PROD);
    await ct.send(new StopLoggingCommand({ Name: 'audit' }));
    const stopped = await ct.send(new GetTrailStatusCommand({ Name: 'audit' }));
    expect(stopped.IsLogging).toBe(false);
    expect(stopped.StopLoggingTime).toBeInstanceOf(Date);
    await ct.send(new StartLoggingCommand({ Name: 'audit' }));
    const started = await ct.send(new GetTrailStatusCommand({ Name: 'audit' }));
    expect(started.IsLogging).toBe(true);
    expect(started.StartLoggingTime!.getTime()).toBeGreaterThanOrEqual(stopped.StopLoggingTime!.getTime());
  });

  it('a trail whose bucket rejects CloudTrail shows LatestDeliveryError', async () => {
    expect(await cloudtrail(sim, DEV, 'eu-west-1').send(new GetTrailStatusCommand({ Name: 'broken-bucket' }))).toMatchObject({ LatestDeliveryError: 'AccessDenied' });
  });
});

// `com.amazonaws.cloudtrail#CreateTrailRequest$IsOrganizationTrail`,
// `com.amazonaws.cloudtrail#UpdateTrailRequest$IsOrganizationTrail`;
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html;
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html
describe('creating, updating and deleting trails', () => {
  it('CreateTrail makes a trail that does not log until StartLogging', async () => {
    const out = await cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'new-trail', S3BucketName: 'logs' }));
    expect(out).toMatchObject({ Name: 'new-trail', TrailARN: trailArn('new-trail', DEV), IsMultiRegionTrail: false, IsOrganizationTrail: false });
    expect((await cloudtrail(sim, DEV).send(new GetTrailStatusCommand({ Name: 'new-trail' }))).IsLogging).toBe(false);
    expect((await rejection(cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'new-trail', S3BucketName: 'logs' })))).name).toBe('TrailAlreadyExistsException');
  });

  it('a multi-region trail must include global service events (InvalidParameterCombinationException)', async () => {
    const e = await rejection(cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'multi-region', S3BucketName: 'logs', IsMultiRegionTrail: true, IncludeGlobalServiceEvents: false })));
    expect(e.name).toBe('InvalidParameterCombinationException');
  });

  it('at most 5 trails per region (MaximumNumberOfTrailsExceededException)', async () => {
    const ct = cloudtrail(sim, DEV, 'ap-south-1');
    for (let i = 1; i <= 5; i++) await ct.send(new CreateTrailCommand({ Name: `t${i}-trail`, S3BucketName: 'logs' }));
    expect((await rejection(ct.send(new CreateTrailCommand({ Name: 't6-trail', S3BucketName: 'logs' })))).name).toBe('MaximumNumberOfTrailsExceededException');
  });

  it('an organization trail needs the management account, all features and trusted access', async () => {
    expect((await rejection(cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'org2', S3BucketName: 'logs', IsOrganizationTrail: true })))).name).toBe('NotOrganizationMasterAccountException');
    await sim.stop();
    sim = await startSim({ world: testWorld({ organization: { ...testWorld().organization, trustedServices: [] } }) });
    expect((await rejection(cloudtrail(sim, MGMT).send(new CreateTrailCommand({ Name: 'org2', S3BucketName: 'logs', IsOrganizationTrail: true })))).name).toBe('CloudTrailAccessNotEnabledException');
    await sim.stop();
    sim = await startSim({ world: testWorld({ organization: { ...testWorld().organization, featureSet: 'CONSOLIDATED_BILLING' } }) });
    expect((await rejection(cloudtrail(sim, MGMT).send(new CreateTrailCommand({ Name: 'org2', S3BucketName: 'logs', IsOrganizationTrail: true })))).name).toBe('OrganizationNotInAllFeaturesModeException');
  });

  it('a missing or locked bucket fails CreateTrail', async () => {
    await sim.stop();
    sim = await startSim({ world: testWorld({ buckets: { gone: 'missing', locked: 'accessDenied' } }) });
    expect((await rejection(cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'x-trail', S3BucketName: 'gone' })))).name).toBe('S3BucketDoesNotExistException');
    expect((await rejection(cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'x-trail', S3BucketName: 'locked' })))).name).toBe('InsufficientS3BucketPolicyException');
  });

  // "You can create either a single-Region or multi-Region organization trail by using the AWS CLI"
  // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html).
  it('an organization trail may be single-Region: members see it only in its home region', async () => {
    const out = await cloudtrail(sim, MGMT).send(new CreateTrailCommand({ Name: 'org-regional', S3BucketName: 'logs', IsOrganizationTrail: true }));
    expect(out).toMatchObject({ IsOrganizationTrail: true, IsMultiRegionTrail: false });
    const seen = async (region: string) => ((await cloudtrail(sim, PROD, region).send(new DescribeTrailsCommand({}))).trailList ?? []).map((t) => t.Name);
    expect(await seen('us-east-1')).toContain('org-regional');
    expect(await seen('eu-west-1')).not.toContain('org-regional');
    // ... and a multi-Region one can be made single-Region.
    await cloudtrail(sim, MGMT).send(new UpdateTrailCommand({ Name: 'org-trail', IsMultiRegionTrail: false }));
    expect(await seen('eu-west-1')).not.toContain('org-trail');
  });

  it('only the management account converts a trail to an organization trail', async () => {
    expect((await rejection(cloudtrail(sim, PROD).send(new UpdateTrailCommand({ Name: 'audit', IsOrganizationTrail: true })))).name).toBe('NotOrganizationMasterAccountException');
  });

  it('DeleteTrail removes the trail', async () => {
    await cloudtrail(sim, PROD).send(new DeleteTrailCommand({ Name: 'audit' }));
    expect((await rejection(cloudtrail(sim, PROD).send(new GetTrailCommand({ Name: 'audit' })))).name).toBe('TrailNotFoundException');
  });
});

describe('RecursiveLogging (com.amazonaws.cloudtrail#Trail$RecursiveLogging, "The default value is true")', () => {
  const reads = async (account: string, name: string) => {
    const ct = cloudtrail(sim, account);
    const described = (await ct.send(new DescribeTrailsCommand({ trailNameList: [name] }))).trailList?.[0];
    return { describe: described?.RecursiveLogging, get: (await ct.send(new GetTrailCommand({ Name: name }))).Trail?.RecursiveLogging };
  };

  it('CreateTrail stores it and returns it; DescribeTrails and GetTrail show it', async () => {
    const out = await cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'quiet-trail', S3BucketName: 'logs', RecursiveLogging: false }));
    expect(out).toMatchObject({ Name: 'quiet-trail', RecursiveLogging: false });
    expect(await reads(DEV, 'quiet-trail')).toEqual({ describe: false, get: false });
  });

  it('UpdateTrail changes it and returns it; an update that omits it keeps it', async () => {
    const ct = cloudtrail(sim, PROD);
    expect(await ct.send(new UpdateTrailCommand({ Name: 'audit', RecursiveLogging: false }))).toMatchObject({ Name: 'audit', RecursiveLogging: false });
    expect(await ct.send(new UpdateTrailCommand({ Name: 'audit', EnableLogFileValidation: true }))).toMatchObject({ LogFileValidationEnabled: true, RecursiveLogging: false });
    expect(await reads(PROD, 'audit')).toEqual({ describe: false, get: false });
    expect(await ct.send(new UpdateTrailCommand({ Name: 'audit', RecursiveLogging: true }))).toMatchObject({ RecursiveLogging: true });
    expect(await reads(PROD, 'audit')).toEqual({ describe: true, get: true });
  });

  it('a trail on which it was never set answers without it (the default, true, is not echoed)', async () => {
    const out = await cloudtrail(sim, DEV).send(new CreateTrailCommand({ Name: 'plain-trail', S3BucketName: 'logs' }));
    expect(out).not.toHaveProperty('RecursiveLogging');
    expect(await reads(DEV, 'plain-trail')).toEqual({ describe: undefined, get: undefined });
  });

  it('a value that is not a boolean is a SerializationException', async () => {
    const e = await rejection(cloudtrail(sim, PROD).send(new UpdateTrailCommand({ Name: 'audit', RecursiveLogging: 'no' as never })));
    expect([e.name, e.message]).toEqual(['SerializationException', 'RecursiveLogging: expected boolean, got string']);
  });
});

// `com.amazonaws.cloudtrail#PutEventSelectors`, `com.amazonaws.cloudtrail#InvalidEventSelectorsException`;
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
describe('event selectors', () => {
  it('a never-configured trail answers with the default: all read and write management events', async () => {
    expect((await cloudtrail(sim, PROD).send(new GetEventSelectorsCommand({ TrailName: 'audit' }))).EventSelectors).toEqual([
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
    ]);
  });

  it('basic and advanced selectors overwrite each other', async () => {
    const ct = cloudtrail(sim, PROD);
    await ct.send(new PutEventSelectorsCommand({ TrailName: 'audit', AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }));
    const advanced = await ct.send(new GetEventSelectorsCommand({ TrailName: 'audit' }));
    expect([advanced.AdvancedEventSelectors?.length, advanced.EventSelectors]).toEqual([1, undefined]);
    await ct.send(new PutEventSelectorsCommand({ TrailName: 'audit', EventSelectors: [{ ReadWriteType: 'ReadOnly' }] }));
    const basic = await ct.send(new GetEventSelectorsCommand({ TrailName: 'audit' }));
    expect([basic.EventSelectors, basic.AdvancedEventSelectors]).toEqual([[{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }], undefined]);
  });

  it('both kinds at once, or neither, is InvalidEventSelectorsException (the only selector error the operation models)', async () => {
    const ct = cloudtrail(sim, PROD);
    expect((await rejection(ct.send(new PutEventSelectorsCommand({ TrailName: 'audit', EventSelectors: [{}], AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] })))).name).toBe('InvalidEventSelectorsException');
    expect((await rejection(ct.send(new PutEventSelectorsCommand({ TrailName: 'audit' })))).name).toBe('InvalidEventSelectorsException');
  });

  it.each([
    ['more than 5 basic selectors', { EventSelectors: Array.from({ length: 6 }, () => ({})) }],
    ['more than 250 data resources', { EventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: Array.from({ length: 251 }, (_, i) => `arn:aws:s3:::b${i}/`) }] }] }],
    ['a basic data resource type only advanced selectors support', { EventSelectors: [{ DataResources: [{ Type: 'AWS::S3Outposts::Object', Values: [] }] }] }],
    ['an advanced selector without eventCategory', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'readOnly', Equals: ['true'] }] }] }],
    ['readOnly with an operator other than Equals', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', NotEquals: ['true'] }] }] }],
    ['readOnly with a value other than "true"/"false"', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['yes'] }] }] }],
    ['a management selector filtering by eventName on a trail', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventName', Equals: ['CreateBucket'] }] }] }],
    ['an empty operator list', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: [] }] }] }],
    ['more than 500 condition values', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.ARN', StartsWith: Array.from({ length: 500 }, (_, i) => `arn:aws:s3:::b${i}/`) }] }] }],
  ])('rejects %s with InvalidEventSelectorsException', async (_what, selectors) => {
    expect((await rejection(cloudtrail(sim, PROD).send(new PutEventSelectorsCommand({ TrailName: 'audit', ...(selectors as object) })))).name).toBe('InvalidEventSelectorsException');
  });

  it('accepts the kms / rdsdata exclusion on trail management selectors', async () => {
    const out = await cloudtrail(sim, PROD).send(
      new PutEventSelectorsCommand({ TrailName: 'audit', AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] }] }),
    );
    expect(out.TrailARN).toBe(trailArn('audit'));
  });

  it('has no guard on trails: selectors may stop logging what configured Insights need', async () => {
    const ct = cloudtrail(sim, MGMT);
    await ct.send(new PutEventSelectorsCommand({ TrailName: 'org-trail', EventSelectors: [{ ReadWriteType: 'ReadOnly' }] }));
    expect((await ct.send(new DescribeTrailsCommand({ trailNameList: ['org-trail'] }))).trailList?.[0]?.HasInsightSelectors).toBe(true);
  });
});
