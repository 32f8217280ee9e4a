/**
 * Before a sweep from a laptop: the management account's credentials (the SDK's default chain, or a named profile),
 * resolved once and memoized, then proven against the endpoint with one STS GetCallerIdentity and one Organizations
 * DescribeOrganization, so that missing credentials, an unreachable endpoint or the wrong account stop the run with
 * one clear reason before any account-region is touched.
 */
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { partitionEndpoints } from '../domain/partitions';

export type PreflightProblem = 'noCredentials' | 'unreachable' | 'notManagementAccount' | 'noOrganization' | 'denied';

export class PreflightError extends Error {
  constructor(
    readonly problem: PreflightProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PreflightError';
  }
}

export interface ManagementSession {
  credentials: AwsCredentialIdentityProvider;
  managementAccountId: string;
  organizationId: string;
  callerArn: string;
}

/** The default chain, or `profile` from the shared config and credentials files. */
export function managementCredentials(profile?: string): AwsCredentialIdentityProvider {
  const provider = profile ? fromIni({ profile }) : fromNodeProviderChain();
  return memoizeIdentityProvider(provider, isIdentityExpired, doesIdentityRequireRefresh) as AwsCredentialIdentityProvider;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);

function networkCode(e: unknown): string | undefined {
  const err = e as { code?: string; name?: string; cause?: { code?: string }; errors?: { code?: string }[] };
  const codes = [err?.code, err?.name, err?.cause?.code, ...(err?.errors ?? []).map((x) => x.code)];
  return codes.find((c): c is string => c !== undefined && NETWORK_CODES.has(c));
}

export async function checkManagementSession(options: { credentials: AwsCredentialIdentityProvider; endpoint?: string; profile?: string; homeRegion?: string }): Promise<ManagementSession> {
  const where = options.endpoint ?? 'AWS';
  try {
    await options.credentials();
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new PreflightError(
      'noCredentials',
      options.profile
        ? `no AWS credentials for profile "${options.profile}": ${why}`
        : `no AWS credentials found (environment, shared config files, SSO, container or instance role): use --profile NAME, or AWS_ACCESS_KEY_ID=<management account id> AWS_SECRET_ACCESS_KEY=x with --endpoint-url for the simulator`,
    );
  }
  // Few attempts and short timeouts: this is a question, not the sweep.
  // STS in the home region and Organizations where its partition has it (lib/domain/partitions.ts): GovCloud, China
  // and the European Sovereign Cloud have their own.
  let endpoints;
  try {
    endpoints = partitionEndpoints(options.homeRegion ?? 'us-east-1');
  } catch (e) {
    throw new PreflightError('denied', (e as Error).message);
  }
  const common = { credentials: options.credentials, maxAttempts: 2, requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 }, ...(options.endpoint && { endpoint: options.endpoint }) };
  let callerAccount: string;
  let callerArn: string;
  try {
    const me = await new STSClient({ ...common, region: endpoints.stsRegion }).send(new GetCallerIdentityCommand({}));
    callerAccount = me.Account!;
    callerArn = me.Arn!;
  } catch (e) {
    const code = networkCode(e);
    if (code) throw new PreflightError('unreachable', `cannot reach ${where}: ${code}${options.endpoint ? ' (is the simulator running? insights-remediator sim)' : ''}`);
    throw new PreflightError('denied', `${where} refused these credentials: ${(e as Error).name}: ${(e as Error).message}`);
  }
  try {
    const org = (await new OrganizationsClient({ ...common, region: endpoints.organizationsRegion }).send(new DescribeOrganizationCommand({}))).Organization!;
    if (org.MasterAccountId !== callerAccount)
      throw new PreflightError('notManagementAccount', `these credentials are for account ${callerAccount} (${callerArn}); a sweep runs from the organization's management account ${org.MasterAccountId}`);
    return { credentials: options.credentials, managementAccountId: org.MasterAccountId!, organizationId: org.Id!, callerArn };
  } catch (e) {
    if (e instanceof PreflightError) throw e;
    const code = networkCode(e);
    if (code) throw new PreflightError('unreachable', `cannot reach ${where} (Organizations): ${code}`);
    if ((e as Error).name === 'AWSOrganizationsNotInUseException') throw new PreflightError('noOrganization', `account ${callerAccount} is not in an AWS Organization: a sweep needs the management account of one`);
    throw new PreflightError('denied', `cannot describe the organization as ${callerArn}: ${(e as Error).name}: ${(e as Error).message}`);
  }
}
