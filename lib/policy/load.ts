/**
 * Reads a policy file (YAML or JSON text) into a validated `Policy`, or fails with a `PolicyValidationError`
 * whose every line names the path and the problem, e.g.
 * `trails.insightTypes[1]: "ApiCallRate" is not one of ApiCallRateInsight, ApiErrorRateInsight`.
 * Pure: the caller reads the file.
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { PolicyValidationError, type PolicyProblem } from '../errors';
import { policySchema, type Policy } from './schema';
import defaultPolicyYaml from './default-policy.yaml';

/** Loads and validates policy text. `origin` names the file in error messages. */
export function parsePolicy(text: string, origin = 'policy'): Policy {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyValidationError(
      origin,
      doc.errors.map((e) => ({ path: location(text, e.pos[0]), message: firstLine(e.message) })),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) throw new PolicyValidationError(origin, [{ path: '(policy)', message: 'is empty: expected a mapping with version, mode and scope' }]);
  if (typeof data !== 'object' || Array.isArray(data))
    throw new PolicyValidationError(origin, [{ path: '(policy)', message: `must be a mapping (key: value), got ${describe(data)}` }]);
  return validatePolicy(data, origin);
}

/** Validates an already-parsed policy object. */
export function validatePolicy(data: unknown, origin = 'policy'): Policy {
  const result = policySchema.safeParse(data, { error: defaultMessage });
  if (result.success) return result.data;
  throw new PolicyValidationError(origin, result.error.issues.flatMap(toProblems));
}

/** The commented default policy shipped with the product (bundled as text). */
export function defaultPolicyText(): string {
  return defaultPolicyYaml;
}

export function defaultPolicy(): Policy {
  return parsePolicy(defaultPolicyYaml, 'default-policy.yaml');
}

function toProblems(issue: z.core.$ZodIssue): PolicyProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: `unknown key${suggestion(key)}`,
    }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

/**
 * Messages for issues whose schema gave none (every length, range and format check in schema.ts carries its own):
 * they name what was found, not only what was expected.
 */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'is required' : `expected ${article(issue.expected)}, got ${describe(issue.input)}`;
  if (issue.code === 'invalid_value') return `${describe(issue.input, true)} is not one of ${issue.values.map(String).join(', ')}`;
  return undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(policy)';
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function describe(value: unknown, bare = false): string {
  if (typeof value === 'string') return bare ? `"${value}"` : `text "${value}"`;
  if (bare) return JSON.stringify(value) ?? String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

const ARTICLES: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  record: 'a mapping',
};
const article = (expected: string): string => ARTICLES[expected] ?? expected;

/** yaml's pretty message starts "<problem> at line L, column C:" followed by a code frame; keep the problem. */
const firstLine = (message: string): string => (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
function location(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/** Every key the schema knows, for "did you mean" on an unknown key. */
const KNOWN_KEYS = [
  'version', 'mode', 'trails', 'eventDataStores', 'scope', 'prerequisites', 'exemptions', 'limits', 'coverage',
  'enabled', 'insightTypes', 'eventCategories', 'dataCategory', 'select', 'names', 'excludeNames', 'tags', 'excludeTags',
  'destination', 'strategy', 'stores', 'account', 'region', 'eventDataStore', 'accounts', 'organizationalUnits', 'regions',
  'include', 'exclude', 'eventSelectors', 'logging', 'match', 'kind', 'name', 'arn', 'reason', 'expires',
  'maxWritesPerSweep', 'requireInsightsInEveryAccountRegion', 'breaker', 'maxRepairs', 'windowMinutes',
  'objective', 'managementEventsOnDataOnlyTrails', 'carrierPreference', 'pin', 'redundant',
];

function suggestion(key: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
