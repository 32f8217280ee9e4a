/**
 * What an AWS error means for the pipeline (issue 4, part 3): gone (deleted meanwhile: no retry), access denied (the member
 * role is missing or refused: reported, no retry), throttled or a server fault (retryable, after the SDK's own
 * retries gave up), conflict (a store between states: retry later), validation (reported with AWS's message).
 */

export type ErrorClass = 'gone' | 'accessDenied' | 'throttled' | 'serverFault' | 'conflict' | 'validation' | 'unknown';

export interface ClassifiedError {
  class: ErrorClass;
  name: string;
  message: string;
  retryable: boolean;
}

const GONE = new Set(['TrailNotFoundException', 'EventDataStoreNotFoundException', 'ResourceNotFoundException', 'InactiveEventDataStoreException']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'NotOrganizationMasterAccountException', 'OperationNotPermittedException']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
const CONFLICT = new Set(['ConflictException']);

export function classifyError(error: unknown): ClassifiedError {
  const e = error as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const name = e?.name ?? 'Error';
  const message = e?.message ?? String(error);
  if (GONE.has(name)) return { class: 'gone', name, message, retryable: false };
  if (DENIED.has(name)) return { class: 'accessDenied', name, message, retryable: false };
  if (THROTTLED.has(name)) return { class: 'throttled', name, message, retryable: true };
  if (CONFLICT.has(name)) return { class: 'conflict', name, message, retryable: true };
  const status = e?.$metadata?.httpStatusCode;
  const network = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError'].includes(e?.code ?? name);
  if (e?.$fault === 'server' || (status !== undefined && status >= 500) || network) return { class: 'serverFault', name, message, retryable: true };
  if (e?.$fault === 'client') return { class: 'validation', name, message, retryable: false };
  return { class: 'unknown', name, message, retryable: true };
}
