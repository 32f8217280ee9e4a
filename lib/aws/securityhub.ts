/**
 * The optional Security Hub import (policy `securityHub.import`): an account-region's ASFF findings sent with
 * BatchImportFindings in batches of at most 100 (lib/report/asff.ts), through a client of the account the findings
 * name. Importing is a side report: an account-region without Security Hub (InvalidAccessException), a denied call
 * (AccessDeniedException) or any other failure is returned as the reason, never thrown, so the sweep goes on.
 */
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { asffBatches, type AsffFinding } from '../report/asff';
import type { AwsClients } from './clients';

const clientsOf = new WeakMap<AwsClients, Map<string, SecurityHubClient>>();

/**
 * Security Hub in an account-region, through that account's session (AwsClients.clientConfig: the member role, or the
 * management account's own credentials): BatchImportFindings must be called by the account a finding names
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html). Not paced by the CloudTrail
 * budget: Security Hub's own quota (10 TPS per account-region, burst 30: the partner guide,
 * https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html) is far above a
 * sweep's one call per 100 findings. The most recently used 64 are kept, as for CloudTrail.
 */
export function securityHubClient(aws: AwsClients, accountId: string, region: string): SecurityHubClient {
  let cache = clientsOf.get(aws);
  if (!cache) clientsOf.set(aws, (cache = new Map()));
  const key = `${accountId}/${region}`;
  const client = cache.get(key) ?? new SecurityHubClient(aws.clientConfig(accountId, region));
  cache.delete(key);
  cache.set(key, client);
  if (cache.size > (aws.config.maxCachedClients ?? 64)) cache.delete(cache.keys().next().value!);
  return client;
}

/**
 * The member role's permission for the import (infra/member-account.yaml; test/unit/infra/iam.test.ts checks it): the
 * action's resource is the product a custom integration imports to, the account's own default product
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html, BatchImportFindings:
 * resource type `product`).
 */
export const SECURITY_HUB_PERMISSIONS = {
  BatchImportFindings: { action: 'securityhub:BatchImportFindings', resource: 'arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default' },
} as const;

export interface ImportOutcome {
  /** Findings Security Hub accepted. */
  imported: number;
  /** Findings not imported: refused one by one, or in a batch that failed. */
  failed: number;
  /** Why some were not imported (the first failure), e.g. "InvalidAccessException: Security Hub is not enabled ...". */
  reason?: string;
  /** Calls made (each at most 100 findings). */
  calls: number;
}

const NOT_ENABLED = new Set(['InvalidAccessException']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied']);

export async function importFindings(client: SecurityHubClient, findings: readonly AsffFinding[]): Promise<ImportOutcome> {
  const out: ImportOutcome = { imported: 0, failed: 0, calls: 0 };
  const batches = asffBatches(findings);
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i]!;
    out.calls++;
    try {
      const answer = await client.send(new BatchImportFindingsCommand({ Findings: batch.Findings as unknown as AwsSecurityFinding[] }));
      out.imported += answer.SuccessCount ?? 0;
      out.failed += answer.FailedCount ?? 0;
      const first = answer.FailedFindings?.[0];
      if (first && !out.reason) out.reason = `finding ${first.Id ?? '?'} refused: ${first.ErrorCode ?? 'unknown'}: ${first.ErrorMessage ?? ''}`.trim();
    } catch (e) {
      const err = e as { name?: string; message?: string };
      const name = err.name ?? 'Error';
      out.failed += batch.Findings.length;
      out.reason ??= NOT_ENABLED.has(name)
        ? `${name}: Security Hub is not enabled in this account-region (${err.message ?? ''})`
        : DENIED.has(name)
          ? `${name}: the member role may not call securityhub:BatchImportFindings (${err.message ?? ''})`
          : `${name}: ${err.message ?? ''}`;
      // Not enabled or denied: every later batch would meet the same answer.
      if (NOT_ENABLED.has(name) || DENIED.has(name)) {
        for (const rest of batches.slice(i + 1)) out.failed += rest.Findings.length;
        break;
      }
    }
  }
  return out;
}
