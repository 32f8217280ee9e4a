/**
 * SDK v3 clients for the organization: the management account's own credentials, or a member role assumed once
 * per account through one STS client and cached in memory until near expiry; regional CloudTrail clients created lazily and
 * reused, with adaptive retries; and every CloudTrail attempt, retries included, paced by the account-region's budget
 * (writes per API: lib/rate-limiter.ts). The only place the product builds AWS clients.
 * A sweep worker meets thousands of account-regions in one container: the clients share one HTTP handler (one
 * keep-alive socket pool instead of one per client) and only the most recently used ones are kept, so memory stays
 * flat however many account-regions a container serves.
 * Everything happens in the partition of the home region (lib/domain/partitions.ts): member-role ARNs name it, STS is
 * called in the home region, Organizations where its partition serves it.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { isReadOnlyOperation } from '../domain/names';
import { defaultHomeRegion, partitionEndpoints, roleArn, type PartitionEndpoints } from '../domain/partitions';
import { AccountRegionLimits, CLOUDTRAIL_BUDGET, type Budget } from '../rate-limiter';

export interface AwsConfig {
  managementAccountId: string;
  /** The role the member-account StackSet creates, e.g. InsightsRemediatorRole. */
  memberRoleName: string;
  roleSessionName?: string;
  /** The management account's credentials; default: the SDK's default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** An endpoint override for every service (the simulator). */
  endpoint?: string;
  maxAttempts?: number;
  budget?: Budget;
  /** CloudTrail clients kept for reuse (least recently used dropped first). Default 64. */
  maxCachedClients?: number;
  /**
   * The region the product runs in; its partition (aws, aws-cn, aws-us-gov, aws-eusc) is the one of the member roles,
   * STS and Organizations. Default: AWS_REGION (every Lambda has it), else us-east-1. A CLI passes the policy's first
   * region when AWS_REGION is unset (`defaultHomeRegion`).
   */
  homeRegion?: string;
}


const isThrottling = (e: unknown): boolean => {
  const x = e as { name?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  return x?.name === 'ThrottlingException' || x?.name === 'Throttling' || x?.$metadata?.httpStatusCode === 429;
};

export class AwsClients {
  private readonly cloudtrailClients = new Map<string, CloudTrailClient>();
  private settingsClient: CloudTrailClient | undefined;
  private stsClient: STSClient | undefined;
  // Agent options, not agents: the handler builds them, importing node:http only when an http endpoint (the simulator)
  // is first called. An ESM import of node:http reads every export of it, and its WebSocket export loads Node's undici:
  // about 15 ms of every cold start, for a module a Lambda never uses (it calls AWS over https).
  private readonly requestHandler = new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: Infinity }, httpsAgent: { keepAlive: true, maxSockets: Infinity } });
  private readonly credentialsByAccount = new Map<string, AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined>();
  readonly limits: AccountRegionLimits;
  /** The partition and the regions STS and Organizations are called in. */
  readonly endpoints: PartitionEndpoints;

  /** Throws UnsupportedPartitionError for a home region in an isolated (aws-iso*) partition. */
  constructor(readonly config: AwsConfig) {
    this.limits = new AccountRegionLimits(config.budget ?? CLOUDTRAIL_BUDGET);
    this.endpoints = partitionEndpoints(config.homeRegion ?? defaultHomeRegion(process.env.AWS_REGION));
  }

  private credentialsFor(accountId: string): AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined {
    if (accountId === this.config.managementAccountId) return this.config.credentials;
    let provider = this.credentialsByAccount.get(accountId);
    if (!provider) {
      // One session per account, shared by every region's client, refreshed 5 minutes before it expires.
      const params = { RoleArn: roleArn(this.endpoints.partition, accountId, this.config.memberRoleName), RoleSessionName: this.config.roleSessionName ?? 'insights-remediator', DurationSeconds: 3600 };
      const assume: AwsCredentialIdentityProvider = async () => {
        const { sts, AssumeRoleCommand } = await this.sts();
        const { Credentials: c } = await sts.send(new AssumeRoleCommand(params));
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS answered AssumeRole of ${params.RoleArn} without credentials`);
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken && { sessionToken: c.SessionToken }), ...(c.Expiration && { expiration: c.Expiration }) };
      };
      provider = memoizeIdentityProvider(assume, isIdentityExpired, doesIdentityRequireRefresh) as AwsCredentialIdentityProvider;
      this.credentialsByAccount.set(accountId, provider);
    }
    return provider;
  }

  /**
   * The one STS client every member session is assumed through, in the home region (STS's regional endpoint in the
   * home partition), with the management account's credentials and the shared HTTP handler. One client, not one per
   * account as the SDK's fromTemporaryCredentials builds: a sweep opens a session for each of thousands of accounts,
   * and each new client resolved its configuration again on its first call (about 2 ms of CPU, bench/sweep.bench.ts).
   */
  private async sts(): Promise<{ sts: STSClient; AssumeRoleCommand: typeof import('@aws-sdk/client-sts').AssumeRoleCommand }> {
    // Loaded with the first member session, as the SDK's own fromTemporaryCredentials loads STS: a function that only
    // acts in the management account never loads it.
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    this.stsClient ??= new STSClient({
      region: this.endpoints.stsRegion,
      requestHandler: this.requestHandler,
      cacheMiddleware: true,
      ...(this.config.credentials && { credentials: this.config.credentials }),
      ...(this.config.endpoint && { endpoint: this.config.endpoint }),
    });
    return { sts: this.stsClient, AssumeRoleCommand };
  }

  /**
   * The account's session, resolved now: one AssumeRole for a member account, kept in this object's memory only (never
   * written anywhere) and shared by every region's client until 5 minutes before it expires; the management account
   * has its own credentials. A sweep worker opens an account's session before handing its regions to concurrent lanes,
   * so no lane waits on another's AssumeRole. A refused AssumeRole rejects here and is not cached: the regions' own
   * calls then meet the same refusal and report the account unreachable.
   */
  async session(accountId: string): Promise<void> {
    const credentials = this.credentialsFor(accountId);
    if (typeof credentials === 'function') await credentials();
  }

  cloudTrail(accountId: string, region: string): CloudTrailClient {
    const key = `${accountId}/${region}`;
    let client = this.cloudtrailClients.get(key);
    if (client) {
      // Map order is insertion order: re-inserting marks the client most recently used.
      this.cloudtrailClients.delete(key);
      this.cloudtrailClients.set(key, client);
    } else {
      client = new CloudTrailClient({ ...this.clientConfig(accountId, region), ...this.sharedSettings() });
      const limits = this.limits;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const operation = String(context.commandName ?? '').replace(/Command$/, '');
          const write = !isReadOnlyOperation(operation);
          await limits.take(accountId, region, write, operation);
          try {
            return await next(args);
          } catch (e) {
            if (!isThrottling(e)) throw e;
            // Throttled: someone else spent this API's second here (a user's call whose event has not arrived yet). A
            // write is sent again once, in the next second of its API's budget, instead of into the same one by the
            // SDK's backoff (whose adaptive mode would also slow every later call of this client); a read, or a write
            // throttled twice, is left to the SDK's retries, also no sooner than the next second.
            limits.spentElsewhere(accountId, region, write, 0, operation);
            if (!write) throw e;
            await limits.take(accountId, region, write, operation);
            try {
              return await next(args);
            } catch (again) {
              if (isThrottling(again)) limits.spentElsewhere(accountId, region, write, 0, operation);
              throw again;
            }
          }
        },
        // After the retry middleware, so that every attempt is paced.
        { step: 'finalizeRequest', priority: 'low', name: 'accountRegionBudget' },
      );
      this.cloudtrailClients.set(key, client);
      // Dropped, not destroyed: destroy() would close the shared handler's sockets under the other clients.
      if (this.cloudtrailClients.size > (this.config.maxCachedClients ?? 64)) this.cloudtrailClients.delete(this.cloudtrailClients.keys().next().value!);
    }
    return client;
  }

  /**
   * The settings every CloudTrail client resolves from the environment and the shared config files the same way (FIPS
   * and dual-stack endpoints, the defaults mode, the app id and auth scheme preference of the user agent): resolved
   * once, by the SDK's own loaders in a first client that never sends, and shared as its memoized providers. A sweep
   * builds a client per account-region, and each one resolving them again cost about 1.5 ms of CPU on its first call
   * (bench/sweep.bench.ts), most of it errors the loaders throw and catch for every setting that is not set.
   */
  private sharedSettings() {
    const c = (this.settingsClient ??= new CloudTrailClient({ region: this.endpoints.stsRegion })).config;
    return { useFipsEndpoint: c.useFipsEndpoint, useDualstackEndpoint: c.useDualstackEndpoint, defaultsMode: c.defaultsMode, userAgentAppId: c.userAgentAppId, authSchemePreference: c.authSchemePreference };
  }

  /**
   * What a client of another service needs to act as the account in a region: its session (the member role, or the
   * management account's own credentials), the shared HTTP handler, retries and the endpoint override. Used by
   * lib/aws/securityhub.ts, which builds its client itself so that only the function that imports findings bundles
   * the Security Hub SDK (about 270 KB minified).
   */
  clientConfig(accountId: string, region: string) {
    const credentials = this.credentialsFor(accountId);
    return {
      region,
      requestHandler: this.requestHandler,
      // Each command class's middleware chain resolved once per client, not at every send (the SDK's default): a sweep's
      // clients send the same few commands over and over, and resolving the chain was the largest single cost of a call
      // on the client side (bench/sweep.bench.ts, --cpu-prof). Safe here: the clients' stacks are complete before their
      // first send (the budget middleware is added at construction) and no command adds middleware of its own.
      cacheMiddleware: true,
      retryMode: 'adaptive' as const,
      maxAttempts: this.config.maxAttempts ?? 6,
      ...(credentials && { credentials }),
      ...(this.config.endpoint && { endpoint: this.config.endpoint }),
    };
  }

  /**
   * The configuration of this organization's Organizations client (lib/aws/organization.ts builds it, so that only what
   * reads the organization bundles that SDK). Organizations is global within a partition: one region per partition
   * signs (us-east-1 in aws, the endpoint rules of `com.amazonaws.organizations#AWSOrganizationsV20161128`;
   * lib/domain/partitions.ts), the management account's credentials (its List* operations answer only the management
   * account or a delegated administrator: `com.amazonaws.organizations#ListAccounts`).
   */
  organizationsConfig() {
    return {
      region: this.endpoints.organizationsRegion,
      retryMode: 'adaptive' as const,
      maxAttempts: this.config.maxAttempts ?? 6,
      ...(this.config.credentials && { credentials: this.config.credentials }),
      ...(this.config.endpoint && { endpoint: this.config.endpoint }),
    };
  }
}
