import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyValidationError } from '../../../lib/policy/errors';
import { defaultPolicy, parsePolicy } from '../../../lib/policy/load';
import { readRuntimePolicy, RUNTIME_POLICY_FORMAT, runtimePolicyText } from '../../../lib/runtime-policy';

const policy = parsePolicy('version: 1\nmode: enforce\nscope: {regions: {include: [us-east-1, eu-west-1]}}\nexemptions:\n  - {match: {name: "legacy-*"}, reason: "owned by the platform team", expires: "2027-01-31"}\n');

function problemOf(text: string): string {
  try {
    readRuntimePolicy(text);
  } catch (e) {
    if (e instanceof PolicyValidationError) return e.problems.map((p) => `${e.origin} ${p.path}: ${p.message}`).join('\n');
    throw e;
  }
  throw new Error('accepted');
}

describe('the policy as the Lambdas receive it (validated JSON, no YAML parser, no schema)', () => {
  it('gives back exactly the policy the validator accepted', () => {
    expect(readRuntimePolicy(runtimePolicyText(policy))).toEqual(policy);
    expect(readRuntimePolicy(runtimePolicyText(defaultPolicy()))).toEqual(defaultPolicy());
  });

  it('ships the default policy in that form, identical to the YAML it is made from (npm run gen:default-policy)', () => {
    const shipped = readFileSync(join(__dirname, '../../../lib/policy/default-policy.json'), 'utf8');
    expect(shipped).toBe(runtimePolicyText(defaultPolicy()));
  });

  it('refuses the YAML itself, saying which command makes the form the functions read', () => {
    expect(problemOf('version: 1\nmode: enforce\n')).toBe('POLICY (policy): is not the validated JSON form of a policy (YAML is read only by the CLI): put the output of `insights-remediator validate-policy FILE --output policy.json` there');
  });

  it('refuses JSON that did not come from the validator: a bare policy, another format, a missing digest', () => {
    expect(problemOf(JSON.stringify(policy))).toMatch(/^POLICY \(policy\): is not the validated form of a policy \(format insights-remediator\/validated-policy@1\)/);
    expect(problemOf(JSON.stringify({ format: 'insights-remediator/validated-policy@2', sha256: 'x', policy }))).toMatch(/is not the validated form/);
    expect(problemOf(JSON.stringify({ format: RUNTIME_POLICY_FORMAT, policy }))).toMatch(/is not the validated form/);
    expect(problemOf(JSON.stringify({ format: RUNTIME_POLICY_FORMAT, sha256: 'x', policy: null }))).toMatch(/is not the validated form/);
    expect(problemOf('null')).toMatch(/is not the validated form/);
  });

  it('refuses a form edited after validation (one value changed, the digest kept), in one line', () => {
    const edited = runtimePolicyText(policy).replace('"mode":"enforce"', '"mode":"enforec"');
    const problem = problemOf(edited);
    expect(problem).toBe('POLICY (policy): was changed after it was validated (its sha256 does not match): validate the policy again and put the output of `insights-remediator validate-policy FILE --output policy.json` there');
    expect(problem.split('\n')).toHaveLength(1);
  });
});
