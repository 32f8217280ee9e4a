// The member-role sessions and the Organizations client, in each partition the product runs in: the role ARN names
// the home region's partition, STS is called in the home region, Organizations where its partition serves it.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClients } from '../../../../lib/aws/clients';
import { organizationsClient } from '../../../../lib/aws/organization';
import { UnsupportedPartitionError } from '../../../../lib/domain/partitions';

// AwsClients assumes member roles with one STSClient of @aws-sdk/client-sts.
const sts = mockClient(STSClient);
const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const managementCredentials = { accessKeyId: 'AKIAMANAGEMENT', secretAccessKey: 'x' };

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 'y', SessionToken: 'z', Expiration: new Date(Date.now() + 3_600_000) },
  });
});

const clientsIn = (homeRegion: string | undefined) =>
  new AwsClients({ managementAccountId: MANAGEMENT, memberRoleName: 'InsightsRemediatorRole', credentials: managementCredentials, ...(homeRegion && { homeRegion }) });

/** Signs in to the member account (nothing is sent to AWS: STS is mocked) and returns what STS was asked, and where. */
async function memberSession(aws: AwsClients, region: string) {
  const credentials = await aws.cloudTrail(MEMBER, region).config.credentials();
  expect(credentials.accessKeyId).toBe('ASIAMEMBER');
  const call = sts.commandCalls(AssumeRoleCommand)[0]!;
  const stsClient = call.thisValue as STSClient;
  const stsRegion = await stsClient.config.region();
  const stsEndpoint = stsClient.config.endpointProvider({ Region: stsRegion, UseFIPS: false, UseDualStack: false, UseGlobalEndpoint: false });
  return { roleArn: call.args[0].input.RoleArn, stsRegion, stsHost: new URL(stsEndpoint.url.href).host };
}

describe('AwsClients in each partition', () => {
  it.each([
    ['aws', 'eu-west-1', 'arn:aws:iam::222222222222:role/InsightsRemediatorRole', 'sts.eu-west-1.amazonaws.com', 'us-east-1'],
    ['aws-us-gov (GovCloud)', 'us-gov-east-1', 'arn:aws-us-gov:iam::222222222222:role/InsightsRemediatorRole', 'sts.us-gov-east-1.amazonaws.com', 'us-gov-west-1'],
    ['aws-cn (China)', 'cn-north-1', 'arn:aws-cn:iam::222222222222:role/InsightsRemediatorRole', 'sts.cn-north-1.amazonaws.com.cn', 'cn-northwest-1'],
    ['aws-eusc (European Sovereign Cloud)', 'eusc-de-east-1', 'arn:aws-eusc:iam::222222222222:role/InsightsRemediatorRole', 'sts.eusc-de-east-1.amazonaws.eu', 'eusc-de-east-1'],
  ])('in %s (home region %s) assumes %s through STS at %s, and calls Organizations in %s', async (_partition, home, roleArn, stsHost, organizationsRegion) => {
    const aws = clientsIn(home);
    expect(await memberSession(aws, home)).toEqual({ roleArn, stsRegion: home, stsHost });
    expect(await organizationsClient(aws).config.region()).toBe(organizationsRegion);
  });

  it('keeps the home partition for every region swept, and one session per member account', async () => {
    const aws = clientsIn('us-gov-west-1');
    const east = aws.cloudTrail(MEMBER, 'us-gov-east-1');
    expect(await east.config.region()).toBe('us-gov-east-1');
    await east.config.credentials();
    await aws.cloudTrail(MEMBER, 'us-gov-west-1').config.credentials();
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: 'arn:aws-us-gov:iam::222222222222:role/InsightsRemediatorRole' });
  });

  it('takes the home region from AWS_REGION when none is configured (a Lambda in GovCloud)', async () => {
    const before = process.env.AWS_REGION;
    process.env.AWS_REGION = 'us-gov-west-1';
    try {
      expect((await memberSession(clientsIn(undefined), 'us-gov-west-1')).roleArn).toBe('arn:aws-us-gov:iam::222222222222:role/InsightsRemediatorRole');
    } finally {
      if (before === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = before;
    }
  });

  it('uses the management account\'s own credentials there, without assuming a role', async () => {
    const credentials = await clientsIn('cn-northwest-1').cloudTrail(MANAGEMENT, 'cn-north-1').config.credentials();
    expect(credentials.accessKeyId).toBe('AKIAMANAGEMENT');
    expect(sts).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('refuses an isolated partition, whose services are UNVERIFIED', () => {
    expect(() => clientsIn('us-iso-east-1')).toThrow(UnsupportedPartitionError);
    expect(() => clientsIn('us-isob-east-1')).toThrow(/region us-isob-east-1 is in the isolated partition aws-iso-b/);
  });
});
