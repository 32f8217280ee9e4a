// Partitions: which one a region is in, the role ARN there, and where STS and Organizations answer.
import { defaultHomeRegion, partitionEndpoints, partitionOf, roleArn, UnsupportedPartitionError } from '../../../../lib/domain/partitions';
import { REGION_NAME } from '../../../../lib/domain/names';

describe('partitions', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['ap-southeast-5', 'aws'],
    ['il-central-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
  ])('puts %s in %s, and its name is a region name', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
    expect(REGION_NAME.test(region)).toBe(true);
  });

  it('calls STS in the home region and Organizations where its partition serves it', () => {
    expect(partitionEndpoints('eu-central-1')).toEqual({ partition: 'aws', stsRegion: 'eu-central-1', organizationsRegion: 'us-east-1' });
    expect(partitionEndpoints('us-gov-east-1')).toEqual({ partition: 'aws-us-gov', stsRegion: 'us-gov-east-1', organizationsRegion: 'us-gov-west-1' });
    expect(partitionEndpoints('cn-north-1')).toEqual({ partition: 'aws-cn', stsRegion: 'cn-north-1', organizationsRegion: 'cn-northwest-1' });
    expect(partitionEndpoints('eusc-de-east-1')).toEqual({ partition: 'aws-eusc', stsRegion: 'eusc-de-east-1', organizationsRegion: 'eusc-de-east-1' });
  });

  it('refuses the isolated partitions, naming the region and the partition', () => {
    expect(() => partitionEndpoints('us-iso-east-1')).toThrow(UnsupportedPartitionError);
    expect(() => partitionEndpoints('eu-isoe-west-1')).toThrow(/^region eu-isoe-west-1 is in the isolated partition aws-iso-e, which this product does not support/);
  });

  it('names a role in its partition, with no region (IAM is global within a partition)', () => {
    expect(roleArn('aws', '123456789012', 'InsightsRemediatorRole')).toBe('arn:aws:iam::123456789012:role/InsightsRemediatorRole');
    expect(roleArn(partitionOf('cn-north-1'), '123456789012', 'R')).toBe('arn:aws-cn:iam::123456789012:role/R');
  });

  it('takes the home region from AWS_REGION, else the policy\'s first region, else us-east-1', () => {
    expect(defaultHomeRegion('us-gov-west-1', ['us-east-1'])).toBe('us-gov-west-1');
    expect(defaultHomeRegion(undefined, ['cn-north-1', 'cn-northwest-1'])).toBe('cn-north-1');
    expect(defaultHomeRegion('  ', ['eusc-de-east-1'])).toBe('eusc-de-east-1');
    expect(defaultHomeRegion(undefined)).toBe('us-east-1');
  });
});
