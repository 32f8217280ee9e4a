// Conformance: every request's SigV4 signature, session token, date and credential scope are verified
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html, the Common Errors of
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html). Raw requests are signed by the SDK's own
// signer (@smithy/signature-v4), SDK clients and the AWS CLI (npm run test:aws-cli) sign their own way.
import { CloudTrailClient, ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Simulator } from '../../../sim/server';
import { DEFAULT_SECRET_ACCESS_KEY } from '../../../sim/state';
import { cloudtrail, costExplorer, DEV, MGMT, PROD, rejection, ROLE, startSim, sts, testWorld } from '../../helpers/sim';
import { errorCode, signedFetch, signedHeaders } from '../../helpers/signed-request';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim({
    world: testWorld({
      principals: [
        { accessKeyId: 'AKIAALICE', account: PROD, userName: 'alice' },
        { accessKeyId: 'AKIABOB', account: DEV, userName: 'bob', secretAccessKey: 'bobs-own-secret' },
      ],
      roles: [
        { name: ROLE, accounts: 'all', trustedAccounts: [MGMT] },
        { name: 'LongSessions', accounts: 'all', trustedAccounts: [MGMT], maxSessionDuration: 7200 },
      ],
    }),
  });
});
afterAll(() => sim.stop());

const listTrails = { target: 'CloudTrail_20131101.ListTrails', body: '{}' };
const callerIdentity = { body: 'Action=GetCallerIdentity&Version=2011-06-15' };
const assumeRole = async (roleName = ROLE, durationSeconds?: number) =>
  (await sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${roleName}`, RoleSessionName: 'sigv4-test', ...(durationSeconds && { DurationSeconds: durationSeconds }) }))).Credentials!;

describe('the signature', () => {
  it('accepts a request signed with the key\'s secret: the default secret for an account key and a principal without one', async () => {
    expect((await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD })).status).toBe(200);
    expect((await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: 'AKIAALICE', secretAccessKey: DEFAULT_SECRET_ACCESS_KEY })).status).toBe(200);
  });

  it('refuses a hand-made request signed with a wrong secret: InvalidSignatureException (JSON), SignatureDoesNotMatch 403 (STS)', async () => {
    const ct = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, secretAccessKey: 'not-the-secret' });
    expect(ct.status).toBe(400);
    expect(errorCode(ct.body)).toBe('InvalidSignatureException');
    expect(JSON.parse(ct.body).Message).toMatch(/^The request signature we calculated does not match the signature you provided/);
    const st = await signedFetch(sim.endpoint, { ...callerIdentity, accessKeyId: PROD, secretAccessKey: 'not-the-secret' });
    expect(st.status).toBe(403);
    expect(errorCode(st.body)).toBe('SignatureDoesNotMatch');
  });

  it('uses a world principal\'s own secret: the default one no longer signs for it', async () => {
    expect((await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: 'AKIABOB', secretAccessKey: 'bobs-own-secret' })).status).toBe(200);
    const wrong = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: 'AKIABOB', secretAccessKey: DEFAULT_SECRET_ACCESS_KEY });
    expect(errorCode(wrong.body)).toBe('InvalidSignatureException');
  });

  it('refuses a body changed after signing (the payload hash is part of the signature)', async () => {
    const headers = await signedHeaders(sim.endpoint, { ...listTrails, accessKeyId: PROD });
    const { host: _h, ...rest } = headers;
    const res = await fetch(sim.endpoint, { method: 'POST', headers: rest, body: '{"NextToken":"x"}' });
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('InvalidSignatureException');
  });

  it('refuses a signed header changed after signing (X-Amz-Target: another operation)', async () => {
    const headers = await signedHeaders(sim.endpoint, { ...listTrails, accessKeyId: PROD });
    const { host: _h, ...rest } = headers;
    const res = await fetch(sim.endpoint, { method: 'POST', headers: { ...rest, 'x-amz-target': 'CloudTrail_20131101.DescribeTrails' }, body: '{}' });
    expect(errorCode(await res.text())).toBe('InvalidSignatureException');
  });

  it('an SDK client with the wrong secret gets InvalidSignatureException; STS\'s SignatureDoesNotMatch; Organizations alike', async () => {
    const ct = new CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: PROD, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    expect((await rejection(ct.send(new ListTrailsCommand({})))).name).toBe('InvalidSignatureException');
    const st = new STSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: PROD, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    const e = await rejection(st.send(new GetCallerIdentityCommand({})));
    expect(e.name).toBe('SignatureDoesNotMatch');
    expect(e.$metadata?.httpStatusCode).toBe(403);
    const org = new OrganizationsClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: MGMT, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    expect((await rejection(org.send(new DescribeOrganizationCommand({})))).name).toBe('InvalidSignatureException');
  });

  it('refuses an Authorization header that is not SigV4\'s form with IncompleteSignature', async () => {
    const res = await fetch(sim.endpoint, { method: 'POST', headers: { 'x-amz-target': listTrails.target, authorization: `AWS4-HMAC-SHA256 Credential=${PROD}/20261121/us-east-1/cloudtrail/aws4_request` }, body: '{}' });
    expect(errorCode(await res.text())).toBe('IncompleteSignatureException');
  });
});

describe('the access key and session token', () => {
  it('refuses a key nobody issued: UnrecognizedClientException (JSON), InvalidClientTokenId 403 (STS)', async () => {
    expect(errorCode((await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: 'AKIANOBODY' })).body)).toBe('UnrecognizedClientException');
    const st = await signedFetch(sim.endpoint, { ...callerIdentity, accessKeyId: 'AKIANOBODY' });
    expect(st.status).toBe(403);
    expect(errorCode(st.body)).toBe('InvalidClientTokenId');
  });

  it('accepts an assumed-role session only with the secret and the token STS handed out with it', async () => {
    const c = await assumeRole();
    const ok = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
    expect(ok.status).toBe(200);
    const noToken = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! });
    expect(errorCode(noToken.body)).toBe('UnrecognizedClientException');
    const otherToken = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: `${c.SessionToken!}x` });
    expect(errorCode(otherToken.body)).toBe('UnrecognizedClientException');
    const stsNoToken = await signedFetch(sim.endpoint, { ...callerIdentity, accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! });
    expect(errorCode(stsNoToken.body)).toBe('InvalidClientTokenId');
    const wrongSecret = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: c.AccessKeyId!, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY, sessionToken: c.SessionToken! });
    expect(errorCode(wrongSecret.body)).toBe('InvalidSignatureException');
  });

  it('refuses a long-term key sent with a session token', async () => {
    expect(errorCode((await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, sessionToken: 'made-up' })).body)).toBe('UnrecognizedClientException');
  });

  it('refuses an expired session: ExpiredTokenException (JSON), ExpiredToken (STS)', async () => {
    const c = await assumeRole(ROLE, 900);
    sim.clock.advance(901_000);
    try {
      const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
      expect(errorCode((await signedFetch(sim.endpoint, { ...listTrails, ...session })).body)).toBe('ExpiredTokenException');
      expect(errorCode((await signedFetch(sim.endpoint, { ...callerIdentity, ...session })).body)).toBe('ExpiredToken');
    } finally {
      sim.clock.advance(-901_000);
    }
  });
});

describe('the date and the credential scope', () => {
  it('refuses a request signed two hours ago or 20 minutes ahead, and accepts one signed 10 minutes ago', async () => {
    const ago = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, signingDate: new Date(Date.now() - 2 * 3_600_000) });
    expect(errorCode(ago.body)).toBe('InvalidSignatureException');
    expect(JSON.parse(ago.body).Message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const stsAgo = await signedFetch(sim.endpoint, { ...callerIdentity, accessKeyId: PROD, signingDate: new Date(Date.now() - 2 * 3_600_000) });
    expect(errorCode(stsAgo.body)).toBe('SignatureDoesNotMatch');
    expect(errorCode((await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, signingDate: new Date(Date.now() + 20 * 60_000) })).body)).toBe('InvalidSignatureException');
    expect((await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, signingDate: new Date(Date.now() - 10 * 60_000) })).status).toBe(200);
  });

  it('measures the skew on the machine\'s clock, not the simulated one moved by tests', async () => {
    sim.clock.advance(3 * 86_400_000);
    try {
      expect((await cloudtrail(sim, PROD).send(new ListTrailsCommand({}))).Trails).toBeDefined();
    } finally {
      sim.clock.advance(-3 * 86_400_000);
    }
  });

  it('refuses a scope for another service, or a Region of no partition', async () => {
    const s3 = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, service: 's3' });
    expect(errorCode(s3.body)).toBe('InvalidSignatureException');
    expect(JSON.parse(s3.body).Message).toMatch(/Credential should be scoped to correct service: 'cloudtrail'/);
    const cloudtrailForSts = await signedFetch(sim.endpoint, { ...callerIdentity, accessKeyId: PROD, service: 'cloudtrail' });
    expect(errorCode(cloudtrailForSts.body)).toBe('SignatureDoesNotMatch');
    const moon = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, region: 'moon-base-1x' });
    expect(JSON.parse(moon.body).Message).toMatch(/Credential should be scoped to a valid region/);
  });

  it('signs Cost Explorer as `ce` (the model\'s signing name): the SDK client works, a `costexplorer` scope does not', async () => {
    const { GetCostAndUsageCommand } = await import('@aws-sdk/client-cost-explorer');
    const ok = await costExplorer(sim).send(new GetCostAndUsageCommand({ TimePeriod: { Start: '2026-01-01', End: '2026-02-01' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] }));
    expect(ok.ResultsByTime).toBeDefined();
    const wrong = await signedFetch(sim.endpoint, { target: 'AWSInsightsIndexService.GetCostAndUsage', body: '{}', accessKeyId: MGMT, service: 'costexplorer' });
    expect(errorCode(wrong.body)).toBe('InvalidSignatureException');
  });

  it('accepts the European Sovereign Cloud\'s Region in the scope (aws-eusc, eusc-de-east-1)', async () => {
    const out = await signedFetch(sim.endpoint, { ...listTrails, accessKeyId: PROD, region: 'eusc-de-east-1' });
    expect(out.status).toBe(200);
  });
});

describe('AssumeRole and the role\'s maximum session duration', () => {
  it('refuses DurationSeconds above the role\'s maximum (default 3600) with ValidationError, grants up to it', async () => {
    const e = await rejection(sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/${ROLE}`, RoleSessionName: 'long', DurationSeconds: 3601 })));
    expect(e.name).toBe('ValidationError');
    expect(e.message).toMatch(/MaxSessionDuration/);
    expect((await assumeRole(ROLE, 3600)).AccessKeyId).toMatch(/^ASIA/);
    const c = await assumeRole('LongSessions', 7200);
    expect(c.Expiration!.getTime() - sim.clock.nowMs()).toBeGreaterThan(7100_000);
    expect((await rejection(sts(sim, MGMT).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEV}:role/LongSessions`, RoleSessionName: 'long', DurationSeconds: 7201 })))).name).toBe('ValidationError');
  });
});
