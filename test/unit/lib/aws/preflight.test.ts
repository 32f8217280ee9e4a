// The sweep's preflight in every partition: STS in the home region, Organizations where the partition has it.
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { checkManagementSession, PreflightError } from '../../../../lib/aws/preflight';

const sts = mockClient(STSClient);
const orgs = mockClient(OrganizationsClient);
const credentials = async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'x' });

beforeEach(() => {
  sts.reset();
  orgs.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws-us-gov:iam::111111111111:user/ops' });
  orgs.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abcdefghij', MasterAccountId: '111111111111' } });
});

describe('checking the management session', () => {
  it.each([
    ['us-east-1', 'us-east-1'],
    ['us-gov-east-1', 'us-gov-west-1'],
    ['cn-north-1', 'cn-northwest-1'],
  ])('from home region %s asks STS there and Organizations in %s', async (home, organizationsRegion) => {
    await checkManagementSession({ credentials, homeRegion: home });
    expect(await sts.call(0).thisValue.config.region()).toBe(home);
    expect(await orgs.call(0).thisValue.config.region()).toBe(organizationsRegion);
  });

  it('refuses an isolated partition in one line before calling anything', async () => {
    await expect(checkManagementSession({ credentials, homeRegion: 'us-iso-east-1' })).rejects.toThrow(PreflightError);
    expect(sts.calls()).toHaveLength(0);
  });
});
