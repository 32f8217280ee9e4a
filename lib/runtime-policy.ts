/**
 * The policy's runtime form: what the Lambdas receive in `POLICY`. The deploy path (`insights-remediator
 * validate-policy FILE --output policy.json`) validates the YAML with the full schema and writes the result as JSON
 * with the SHA-256 of that JSON; the functions read it with JSON.parse and check the digest, so they carry neither a
 * YAML parser nor the policy schema (about 200 KB of each bundle, README "Performance").
 * Why no schema check at run time: the parameter's value is written by the validator and reaches the functions only
 * through CloudFormation, and the digest proves the value is the validator's output byte for byte; anything else (the
 * YAML itself, a hand edit, a truncated copy) is refused at cold start with one line saying what to run.
 */
import { createHash } from 'node:crypto';
import { PolicyValidationError } from './policy/errors';
import type { Policy } from './policy/schema';

/** Names the form, so a later change of it is refused instead of misread. */
export const RUNTIME_POLICY_FORMAT = 'insights-remediator/validated-policy@1';

const digest = (json: string): string => createHash('sha256').update(json).digest('hex');

/** The runtime form of a policy that `validatePolicy` accepted. */
export function runtimePolicyText(policy: Policy): string {
  const json = JSON.stringify(policy);
  return `{"format":${JSON.stringify(RUNTIME_POLICY_FORMAT)},"sha256":"${digest(json)}","policy":${json}}\n`;
}

const HOW = 'put the output of `insights-remediator validate-policy FILE --output policy.json` there';

/** The policy of a runtime form, or a PolicyValidationError whose one problem says what is wrong and what to do. */
export function readRuntimePolicy(text: string, origin = 'POLICY'): Policy {
  const fail = (message: string): never => {
    throw new PolicyValidationError(origin, [{ path: '(policy)', message }]);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail(`is not the validated JSON form of a policy (YAML is read only by the CLI): ${HOW}`);
  }
  const form = data as { format?: unknown; sha256?: unknown; policy?: unknown };
  if (typeof data !== 'object' || data === null || form.format !== RUNTIME_POLICY_FORMAT || typeof form.sha256 !== 'string' || typeof form.policy !== 'object' || form.policy === null)
    return fail(`is not the validated form of a policy (format ${RUNTIME_POLICY_FORMAT}): ${HOW}`);
  // JSON.parse then JSON.stringify gives back the validator's bytes (same key order, same numbers): any edit shows.
  if (digest(JSON.stringify(form.policy)) !== form.sha256) return fail(`was changed after it was validated (its sha256 does not match): validate the policy again and ${HOW}`);
  return form.policy as Policy;
}
