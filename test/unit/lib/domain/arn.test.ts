import { formatCloudTrailArn, parseCloudTrailArn, partitionOf, resolveCloudTrailArn } from '../../../../lib/domain/arn';

describe('CloudTrail ARNs', () => {
  it('parses trail and event data store ARNs in every partition', () => {
    expect(parseCloudTrailArn('arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail')).toEqual({ partition: 'aws', region: 'us-east-1', accountId: '111122223333', resourceType: 'trail', resourceId: 'org-trail' });
    expect(parseCloudTrailArn('arn:aws-cn:cloudtrail:cn-north-1:111122223333:eventdatastore/abc-123')?.resourceType).toBe('eventdatastore');
    expect(parseCloudTrailArn('org-trail')).toBeUndefined();
    expect(parseCloudTrailArn('arn:aws:s3:::bucket')).toBeUndefined();
  });

  it('resolves a bare trail name or store id to the ARN of the account and region of the call', () => {
    expect(resolveCloudTrailArn('main', 'trail', { accountId: '111122223333', region: 'eu-west-1' })).toBe('arn:aws:cloudtrail:eu-west-1:111122223333:trail/main');
    expect(resolveCloudTrailArn('2a8f2138', 'eventdatastore', { accountId: '111122223333', region: 'us-gov-west-1' })).toBe('arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:eventdatastore/2a8f2138');
  });

  it('keeps an ARN as given, whatever region the call was made in', () => {
    const arn = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org';
    expect(resolveCloudTrailArn(arn, 'trail', { accountId: '444455556666', region: 'eu-west-1' })).toBe(arn);
    expect(formatCloudTrailArn(parseCloudTrailArn(arn)!)).toBe(arn);
  });

  it('knows the partition of a region', () => {
    expect([partitionOf('cn-northwest-1'), partitionOf('us-gov-east-1'), partitionOf('ap-south-1'), partitionOf('eusc-de-east-1')]).toEqual(['aws-cn', 'aws-us-gov', 'aws', 'aws-eusc']);
  });

  it('parses ARNs of China, GovCloud and the European Sovereign Cloud, and resolves names there in their partition', () => {
    expect(parseCloudTrailArn('arn:aws-eusc:cloudtrail:eusc-de-east-1:111122223333:trail/org-trail')).toEqual({ partition: 'aws-eusc', region: 'eusc-de-east-1', accountId: '111122223333', resourceType: 'trail', resourceId: 'org-trail' });
    expect(parseCloudTrailArn('arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/t')?.partition).toBe('aws-us-gov');
    expect(parseCloudTrailArn('arn:aws-cn:cloudtrail:cn-northwest-1:111122223333:trail/t')?.partition).toBe('aws-cn');
    expect(parseCloudTrailArn('arn:aws-iso-b:cloudtrail:us-isob-east-1:111122223333:trail/t')?.partition).toBe('aws-iso-b');
    expect(parseCloudTrailArn('arn:aws-mars:cloudtrail:mars-north-1:111122223333:trail/t')).toBeUndefined();
    expect(resolveCloudTrailArn('lake', 'eventdatastore', { accountId: '111122223333', region: 'eusc-de-east-1' })).toBe('arn:aws-eusc:cloudtrail:eusc-de-east-1:111122223333:eventdatastore/lake');
    expect(resolveCloudTrailArn('t', 'trail', { accountId: '111122223333', region: 'cn-north-1' })).toBe('arn:aws-cn:cloudtrail:cn-north-1:111122223333:trail/t');
  });
});
