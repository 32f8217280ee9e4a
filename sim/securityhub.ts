/**
 * AWS Security Hub, BatchImportFindings only (restJson1: POST /findings/import, body `{Findings: [...]}`, signing name
 * `securityhub`): a custom integration's findings kept per account-region by Id, a second import of an Id updating it in
 * place, with the documented request limits and the refusals of an account without Security Hub or without the
 * permission. Each rule cites its source; what AWS does not document is marked UNVERIFIED.
 * Sources: API Reference https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html and the
 * partner guide https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html.
 */
import { fail } from './errors';
import type { Caller } from './state';

/** "Maximum of 100 findings per request", at least 1 (BatchImportFindingsRequest.Findings, API_BatchImportFindings). */
export const MAX_FINDINGS_PER_REQUEST = 100;
/** "up to 240 KB per finding, and up to 6 MB per batch" (the partner guide above). */
export const MAX_FINDING_BYTES = 240 * 1024;
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export interface StoredHubFinding {
  /** The finding as last imported, with Workflow kept from its creation (below). */
  finding: Record<string, unknown>;
  /** Simulated time of the first and the latest import. */
  firstImportedAt: number;
  lastImportedAt: number;
  imports: number;
}

export interface SecurityHubWorld {
  /** `<account>/<region>` where Security Hub is not enabled. */
  disabled: string[];
  /** Callers whose IAM policies do not allow securityhub:BatchImportFindings: an account id or an access key id. */
  deniedCallers: string[];
}

export class SecurityHubState {
  /** Findings per `<account>/<region>`, by Id. */
  readonly findings = new Map<string, Map<string, StoredHubFinding>>();
  /** Every accepted request's size in findings, for tests of batching. */
  readonly requestSizes: number[] = [];

  constructor(private readonly world: SecurityHubWorld) {}

  /** The findings stored in an account-region (empty when none). */
  in(account: string, region: string): StoredHubFinding[] {
    return [...(this.findings.get(`${account}/${region}`)?.values() ?? [])];
  }

  all(): StoredHubFinding[] {
    return [...this.findings.values()].flatMap((m) => [...m.values()]);
  }

  batchImportFindings(rawBody: Buffer, input: Record<string, unknown>, caller: Caller, region: string, nowMs: number): Record<string, unknown> {
    // IAM first (the IAM message format: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html);
    // AccessDeniedException (403) is one of the operation's errors (API_BatchImportFindings, Errors).
    if (this.world.deniedCallers.some((d) => d === caller.account || d === caller.accessKeyId))
      fail('AccessDeniedException', `User: ${caller.arn} is not authorized to perform: securityhub:BatchImportFindings because no identity-based policy allows the securityhub:BatchImportFindings action`, 403);
    // "InvalidAccessException: The account doesn't have permission to perform this action." (401, API_BatchImportFindings,
    // Errors): what an account-region without Security Hub enabled gets. The message naming the account is what users
    // report ("Account ... is not subscribed to AWS Security Hub"); its exact text is UNVERIFIED.
    if (this.world.disabled.includes(`${caller.account}/${region}`)) fail('InvalidAccessException', `Account ${caller.account} is not subscribed to AWS Security Hub`, 401);
    const findings = input.Findings;
    // InvalidInputException (400): "The request was rejected because you supplied an invalid or out-of-range value for
    // an input parameter." (API_BatchImportFindings, Errors); Findings is required, 1 to 100 members.
    if (!Array.isArray(findings)) fail('InvalidInputException', 'Findings is required: a list of 1 to 100 findings');
    const list = findings as unknown[];
    if (list.length < 1 || list.length > MAX_FINDINGS_PER_REQUEST) fail('InvalidInputException', `Findings must hold 1 to ${MAX_FINDINGS_PER_REQUEST} findings; this request holds ${list.length}`);
    // 6 MB per batch (partner guide). Whether a larger request is refused this way or by the front end is UNVERIFIED.
    if (rawBody.length > MAX_REQUEST_BYTES) fail('InvalidInputException', `The request is ${rawBody.length} bytes; a batch may be at most 6 MB`);
    this.requestSizes.push(list.length);
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const key = `${caller.account}/${region}`;
    const stored = this.findings.get(key) ?? new Map<string, StoredHubFinding>();
    for (const raw of list) {
      const f = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      const id = typeof f.Id === 'string' ? f.Id : '';
      const problem = findingProblem(f, caller.account, region);
      if (problem) {
        // Per-finding refusals are FailedFindings entries, not errors (BatchImportFindingsResponse.FailedFindings:
        // "The list of findings that failed to import", each with Id, ErrorCode and ErrorMessage). The codes used here
        // are UNVERIFIED: AWS does not list them.
        failed.push({ Id: id, ErrorCode: problem.code, ErrorMessage: problem.message });
        continue;
      }
      const before = stored.get(id);
      // "After a finding is created, BatchImportFindings cannot be used to update the following finding fields and
      // objects ...: Note, UserDefinedFields, VerificationState, Workflow" (API_BatchImportFindings): an update keeps them.
      const kept = before ? pick(before.finding, ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow']) : {};
      let workflow = (kept.Workflow ?? f.Workflow ?? { Status: 'NEW' }) as Record<string, unknown>;
      // Security Hub "resets the workflow status from NOTIFIED or RESOLVED to NEW" when "ComplianceStatus changes from
      // PASSED to either WARNING, FAILED, or NOT_AVAILABLE" (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Workflow.html).
      const was = (before?.finding.Compliance as { Status?: string } | undefined)?.Status;
      const now = (f.Compliance as { Status?: string } | undefined)?.Status;
      if (before && (workflow.Status === 'RESOLVED' || workflow.Status === 'NOTIFIED') && was === 'PASSED' && now !== undefined && now !== 'PASSED') workflow = { Status: 'NEW' };
      stored.set(id, {
        finding: { ...f, ...kept, Workflow: workflow },
        firstImportedAt: before?.firstImportedAt ?? nowMs,
        lastImportedAt: nowMs,
        imports: (before?.imports ?? 0) + 1,
      });
    }
    this.findings.set(key, stored);
    return { FailedCount: failed.length, SuccessCount: list.length - failed.length, FailedFindings: failed };
  }
}

const REQUIRED = ['AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'Resources', 'SchemaVersion', 'Title', 'UpdatedAt'] as const;

function findingProblem(f: Record<string, unknown>, account: string, region: string): { code: string; message: string } | undefined {
  // The required attributes (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html;
  // Severity and Types may come in FindingProviderFields instead, the same page).
  const missing = REQUIRED.filter((k) => f[k] === undefined || f[k] === '');
  if (missing.length) return { code: 'InvalidInput', message: `Finding is missing required attribute(s): ${missing.join(', ')}` };
  const id = String(f.Id);
  if (id.length > 512) return { code: 'InvalidInput', message: 'Id must be at most 512 characters' };
  // "The maximum allowed size for a finding is 240 Kb. An error is returned for any finding larger than 240 Kb."
  // (API_BatchImportFindings).
  const bytes = Buffer.byteLength(JSON.stringify(f));
  if (bytes > MAX_FINDING_BYTES) return { code: 'InvalidInput', message: `Finding is ${bytes} bytes; the maximum allowed size for a finding is 240 Kb` };
  // "the identifier of the account that you are calling BatchImportFindings from needs to be the same as the
  // AwsAccountId attribute for the finding" (API_BatchImportFindings, with the default product ARN).
  if (f.AwsAccountId !== account) return { code: 'AccessDeniedException', message: `AwsAccountId ${String(f.AwsAccountId)} is not the calling account ${account}` };
  // A custom integration's ProductArn is the calling account's default product in the region called
  // (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-custom-providers.html); another product is a
  // partner's, which this simulator does not serve.
  const product = new RegExp(`^arn:aws[a-z-]*:securityhub:${region}:${account}:product/${account}/default$`);
  if (!product.test(String(f.ProductArn))) return { code: 'AccessDeniedException', message: `ProductArn ${String(f.ProductArn)} is not the default product of account ${account} in ${region}` };
  return undefined;
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

export const isSecurityHubImport = (method: string | undefined, url: string | undefined): boolean => method === 'POST' && (url ?? '').split('?')[0] === '/findings/import';

