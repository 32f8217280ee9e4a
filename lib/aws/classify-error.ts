/**
 * What an AWS error means for the pipeline: gone (deleted meanwhile: no retry), access denied (the member role is
 * missing or refused: reported, no retry), blocked by an organization policy (an SCP's explicit deny: reported with
 * its remedy, no retry, the account is not unreachable), a delivery prerequisite (the trail's bucket or key policy:
 * not remediable), throttled or a server fault (retryable, after the SDK's own retries gave up), conflict (a store
 * between states: retry later), validation (reported with AWS's message).
 */

export type ErrorClass = 'gone' | 'accessDenied' | 'blockedByPolicy' | 'deliveryPrerequisite' | 'quotaReached' | 'throttled' | 'serverFault' | 'conflict' | 'validation' | 'unknown';

export interface ClassifiedError {
  class: ErrorClass;
  name: string;
  message: string;
  retryable: boolean;
}

const GONE = new Set(['TrailNotFoundException', 'EventDataStoreNotFoundException', 'ResourceNotFoundException', 'InactiveEventDataStoreException']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'NotOrganizationMasterAccountException', 'OperationNotPermittedException']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
/**
 * A store between states (ConflictException); or a destination another invocation created between this one's read and
 * its CreateEventDataStore: names are unique in an account's region (`com.amazonaws.cloudtrail#EventDataStoreAlreadyExistsException`),
 * and the product names a destination after what it read, so two containers planning the same destination collide on
 * its name and only one store is made. The retry reads the new store and uses it. The name is the lock across
 * containers; nothing else is needed.
 */
const CONFLICT = new Set(['ConflictException', 'EventDataStoreAlreadyExistsException']);
/**
 * What PutInsightSelectors / StartLogging refuse when the trail cannot deliver to its bucket or key
 * (`com.amazonaws.cloudtrail#PutInsightSelectors` errors): the bucket or key policy needs a person, not a retry.
 */
const DELIVERY = new Set(['InsufficientS3BucketPolicyException', 'InsufficientEncryptionPolicyException', 'S3BucketDoesNotExistException', 'KmsException', 'KmsKeyNotFoundException']);
/**
 * An explicit deny from an organization policy: AWS's AccessDenied message names "an explicit deny in a service
 * control policy" (or resource control policy)
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). A Control Tower landing zone
 * denies CloudTrail writes on its `aws-controltower-*` trails this way: the account is reachable, the write is forbidden.
 */
/**
 * A quota that only a person can make room under: 10 event data stores per account and region
 * (`com.amazonaws.cloudtrail#EventDataStoreMaxLimitExceededException`; retrying changes nothing).
 */
const QUOTA = new Set(['EventDataStoreMaxLimitExceededException']);
const ORGANIZATION_POLICY = /explicit deny in an? (service|resource) control policy/i;

/**
 * What a person does about a write AWS refused, by the kind of refusal: one wording for the Slack message
 * (lib/notify/slack-message.ts), the finding's blocker and the reports (lib/pipeline/remediate.ts). Phrased to follow
 * "not remediable by the product: "; Slack capitalizes it. Classes a retry fixes have none.
 */
export const REMEDY_FOR_REFUSAL: Partial<Record<ErrorClass, string>> = {
  accessDenied: "check the member role's permissions, and any SCP or permissions boundary that denies it CloudTrail writes",
  blockedByPolicy: 'an SCP denies this write (as a Control Tower landing zone does on its own trails): exempt the source in the policy, or allow the member role in the SCP',
  deliveryPrerequisite: "fix the trail's S3 bucket policy or KMS key policy (or create the bucket) so CloudTrail can deliver to it; the next check then repairs it",
  quotaReached: 'the account-region has as many event data stores as CloudTrail allows (10): delete one, or name an existing Insight store in eventDataStores.destination',
  validation: "read AWS's message: the source's settings conflict with what the policy asks; fix them by hand or exempt the source",
  gone: 'the source was deleted while being repaired: nothing to do unless it should exist',
};

export function classifyError(error: unknown): ClassifiedError {
  const e = error as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const name = e?.name ?? 'Error';
  const message = e?.message ?? String(error);
  if (GONE.has(name)) return { class: 'gone', name, message, retryable: false };
  if (DENIED.has(name)) return { class: ORGANIZATION_POLICY.test(message) ? 'blockedByPolicy' : 'accessDenied', name, message, retryable: false };
  if (DELIVERY.has(name)) return { class: 'deliveryPrerequisite', name, message, retryable: false };
  if (QUOTA.has(name)) return { class: 'quotaReached', name, message, retryable: false };
  if (THROTTLED.has(name)) return { class: 'throttled', name, message, retryable: true };
  if (CONFLICT.has(name)) return { class: 'conflict', name, message, retryable: true };
  const status = e?.$metadata?.httpStatusCode;
  const network = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError'].includes(e?.code ?? name);
  if (e?.$fault === 'server' || (status !== undefined && status >= 500) || network) return { class: 'serverFault', name, message, retryable: true };
  if (e?.$fault === 'client') return { class: 'validation', name, message, retryable: false };
  return { class: 'unknown', name, message, retryable: true };
}
