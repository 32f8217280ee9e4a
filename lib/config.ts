/**
 * The Lambda functions' configuration, from the environment, validated once at start: a missing or malformed
 * variable fails the cold start with a message naming it, rather than a later call.
 */
import { ACCOUNT_ID } from './domain/names';
import * as z from 'zod/mini';
import './zod-english';
import defaultPolicyForm from './policy/default-policy.json';
import { readRuntimePolicy } from './runtime-policy';
import type { Policy } from './policy/schema';

/** An SQS queue URL (or the simulated queue's on loopback, for tests). */
export const SQS_QUEUE_URL = /^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[\w-]+$|^http:\/\/127\.0\.0\.1:\d+\/.+$/;

const envSchema = z.object({
  MANAGEMENT_ACCOUNT_ID: z.string().check(z.regex(ACCOUNT_ID, 'must be a 12-digit account id')),
  MEMBER_ROLE_NAME: z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')),
  LEDGER_TABLE: z.string().check(z.minLength(3, 'must name the ledger DynamoDB table')),
  IDEMPOTENCY_TABLE: z.string().check(z.minLength(3, 'must name the idempotency DynamoDB table')),
  /**
   * The policy in its validated runtime form (lib/runtime-policy.ts: JSON written by `insights-remediator
   * validate-policy FILE --output policy.json`); default: the shipped default policy.
   */
  POLICY: z.optional(z.string()),
  /**
   * The product's execution role names, comma-separated, also ignored as event sources: their writes in the management
   * account (the event function's and the sweep worker's) are the product's own, not drift.
   */
  FUNCTION_ROLE_NAME: z.optional(z.string().check(z.regex(/^[\w+=,.@-]{1,64}(,[\w+=,.@-]{1,64})*$/, 'must be IAM role names, comma-separated'))),
  /** Secrets Manager secret holding the Slack incoming webhook URL; no Slack when absent. */
  SLACK_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(1))),
  /** The sweep queue, where the event function asks for a sweep of the account-regions a change took coverage from. */
  SWEEP_QUEUE_URL: z.optional(z.string().check(z.regex(SQS_QUEUE_URL, 'must be an SQS queue URL'))),
});

export interface Config {
  managementAccountId: string;
  memberRoleName: string;
  ledgerTable: string;
  idempotencyTable: string;
  policy: Policy;
  /** The function roles in the management account (FUNCTION_ROLE_NAME): their writes there are the product's own. */
  functionRoleNames: string[];
  slackWebhookSecret?: string;
  sweepQueueUrl?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const r = envSchema.safeParse(env);
  if (!r.success) throw new ConfigError(`invalid configuration: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message === 'Invalid input: expected string, received undefined' ? 'is required' : i.message}`).join('; ')}`);
  const e = r.data;
  return {
    managementAccountId: e.MANAGEMENT_ACCOUNT_ID,
    memberRoleName: e.MEMBER_ROLE_NAME,
    ledgerTable: e.LEDGER_TABLE,
    idempotencyTable: e.IDEMPOTENCY_TABLE,
    policy: readRuntimePolicy(e.POLICY ?? JSON.stringify(defaultPolicyForm), e.POLICY ? 'POLICY' : 'default-policy.json'),
    functionRoleNames: e.FUNCTION_ROLE_NAME ? e.FUNCTION_ROLE_NAME.split(',') : [],
    ...(e.SLACK_WEBHOOK_SECRET && { slackWebhookSecret: e.SLACK_WEBHOOK_SECRET }),
    ...(e.SWEEP_QUEUE_URL && { sweepQueueUrl: e.SWEEP_QUEUE_URL }),
  };
}
