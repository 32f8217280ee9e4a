/**
 * Reads a policy file (YAML or JSON text) into a validated `Policy`, or fails with a `PolicyValidationError`
 * whose every line names the path and the problem, e.g.
 * `trails.insightTypes[1]: "ApiCallRate" is not one of ApiCallRateInsight, ApiErrorRateInsight`.
 * Pure: the caller reads the file.
 */
import { isScalar, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { PolicyValidationError, type PolicyProblem } from './errors';
import { policySchema, type Policy } from './schema';
import { propertyPath, quoted } from '../domain/names';
import defaultPolicyYaml from './default-policy.yaml';

/**
 * The longest policy text read, in characters. The shipped default is about 5 KB and a policy listing thousands of
 * accounts stays well under this; anything longer is a mistake (the wrong file) or an attempt to exhaust memory.
 */
export const MAX_POLICY_CHARS = 1024 * 1024;

/**
 * The most alias expansions a policy may need (the `yaml` package's `maxAliasCount`: expansions of anchors times the
 * aliases inside them). Anchors reused a few times (`regions: *eu`) stay far below it; a "billion laughs" document
 * (each anchor a list of aliases of the previous one) exceeds it at once instead of expanding to gigabytes.
 */
const MAX_ALIAS_COUNT = 100;

/** Loads and validates policy text. `origin` names the file in error messages. */
export function parsePolicy(text: string, origin = 'policy'): Policy {
  if (text.length > MAX_POLICY_CHARS)
    throw new PolicyValidationError(origin, [{ path: '(policy)', message: `is ${text.length} characters long; a policy is at most ${MAX_POLICY_CHARS} (1 MiB): is this the right file?` }]);
  // logLevel error: yaml would otherwise print a process warning for a key that is a list or a mapping, a second
  // line on stderr next to the one-line problem (which names the key as unknown).
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, logLevel: 'error' });
  const location = locator(text);
  // yaml reports a document nested past its parser's stack once per level reached: one problem says it.
  const tooDeep = doc.errors.find((e) => /Maximum call stack size exceeded/.test(e.message));
  const syntax = tooDeep ? [{ path: location(tooDeep.pos[0]), message: 'is nested too deeply to read: a policy is a few levels of mappings and lists' }] : doc.errors.map((e) => ({ path: location(e.pos[0]), message: firstLine(e.message) }));
  const problems = syntax.length > 0 ? syntax : duplicateKeys(doc, location);
  if (problems.length > 0) throw new PolicyValidationError(origin, firstProblems(problems));
  const data = toData(doc, origin);
  if (data === null || data === undefined) throw new PolicyValidationError(origin, [{ path: '(policy)', message: 'is empty: expected a mapping with version, mode and scope' }]);
  if (typeof data !== 'object' || Array.isArray(data))
    throw new PolicyValidationError(origin, [{ path: '(policy)', message: `must be a mapping (key: value), got ${describe(data)}` }]);
  return validatePolicy(data, origin);
}

/**
 * Keys given twice in one mapping, found in one pass. yaml's own `uniqueKeys` compares each key with every earlier one
 * (quadratic: a 400 KB mapping took 38 s), so it is off and this makes the same comparison (equal scalar values) with a
 * Set. Aliases are not followed: a key is checked where it is written.
 */
function duplicateKeys(doc: Document, location: (offset: number) => string): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) problems.push({ path: location(key.range![0]), message: 'Map keys must be unique' });
        seen.add(key.value);
      }
    },
  });
  return problems;
}

/**
 * The document's data. Resolving aliases is where an alias bomb is caught: yaml throws (a ReferenceError) when the
 * expansions exceed `maxAliasCount`, and an alias to an anchor defined later fails the same way.
 */
function toData(doc: Document, origin: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = (e as Error).message;
    const problem = /excessive alias count/i.test(message)
      ? `its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies: a YAML alias bomb? Write the values out instead`
      : `cannot be read: ${firstLine(message)}`;
    throw new PolicyValidationError(origin, firstProblems([{ path: '(policy)', message: problem }]));
  }
}

/** Validates an already-parsed policy object. */
export function validatePolicy(data: unknown, origin = 'policy'): Policy {
  const structural = structuralProblem(data);
  if (structural) throw new PolicyValidationError(origin, firstProblems([structural]));
  const result = policySchema.safeParse(data, { error: defaultMessage });
  if (result.success) return result.data;
  throw new PolicyValidationError(origin, firstProblems(result.error.issues.flatMap(toProblems)));
}

/** Problems listed at most; a file of garbage (800 KB of `- x` lines makes 600,000) would otherwise print megabytes. */
export const MAX_PROBLEMS = 100;

function firstProblems(problems: PolicyProblem[]): PolicyProblem[] {
  const listed = problems.slice(0, MAX_PROBLEMS).map((p) => ({ path: oneLine(p.path), message: oneLine(p.message) }));
  if (problems.length <= MAX_PROBLEMS) return listed;
  return [...listed, { path: '(policy)', message: `and ${problems.length - MAX_PROBLEMS} more problems, not listed` }];
}

/**
 * Each problem is one line that a terminal shows as written: a line break or control character any message still
 * carries (zod's or yaml's own wording quoting the file) becomes its escape.
 */
const oneLine = (text: string): string => text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

/** The commented default policy shipped with the product (bundled as text). */
export function defaultPolicyText(): string {
  return defaultPolicyYaml;
}

export function defaultPolicy(): Policy {
  return parsePolicy(defaultPolicyYaml, 'default-policy.yaml');
}

/**
 * What no policy can mean, found before zod sees the data:
 * - a `__proto__` key: zod builds records by assignment, and assigning `__proto__` sets the prototype instead of a
 *   key, so `tags: {__proto__: prod}` would silently become `tags: {}` and select every source;
 * - data that contains itself through an alias (`mode: &m [*m]`): messages that quote a value could never finish.
 * Shared (aliased) data is looked at once.
 */
function structuralProblem(data: unknown, path: PropertyKey[] = [], open = new Set<object>(), done = new Set<object>()): PolicyProblem | undefined {
  if (typeof data !== 'object' || data === null || done.has(data)) return undefined;
  if (open.has(data)) return { path: formatPath(path), message: 'contains itself through an alias (*name): write the value out' };
  if (!Array.isArray(data) && Object.hasOwn(data, '__proto__')) return { path: formatPath([...path, '__proto__']), message: '"__proto__" cannot be used as a key' };
  open.add(data);
  for (const [key, value] of Object.entries(data)) {
    const found = structuralProblem(value, [...path, Array.isArray(data) ? Number(key) : key], open, done);
    if (found) return found;
  }
  open.delete(data);
  done.add(data);
  return undefined;
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
  return propertyPath(path, '(policy)');
}

function describe(value: unknown, bare = false): string {
  if (typeof value === 'string') return bare ? quoted(value) : `text ${quoted(value)}`;
  // String(), not JSON: JSON shows .inf, .nan and 1e400 as null.
  if (typeof value === 'number') return bare ? String(value) : `number ${String(value)}`;
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
/**
 * "line L, column C" of an offset. The line starts are found once per text: a large file with many problems would
 * otherwise be scanned again from the start for each one.
 */
function locator(text: string): (offset: number) => string {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let [lo, hi] = [0, lineStarts.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return `line ${lo + 1}, column ${offset - lineStarts[lo]! + 1}`;
  };
}

/** Every key the schema knows, for "did you mean" on an unknown key. */
const KNOWN_KEYS = [
  'version', 'mode', 'trails', 'eventDataStores', 'scope', 'prerequisites', 'exemptions', 'limits', 'coverage',
  'enabled', 'insightTypes', 'eventCategories', 'dataCategory', 'select', 'names', 'excludeNames', 'tags', 'excludeTags',
  'destination', 'strategy', 'stores', 'account', 'region', 'eventDataStore', 'accounts', 'organizationalUnits', 'regions',
  'include', 'exclude', 'eventSelectors', 'logging', 'match', 'kind', 'name', 'arn', 'reason', 'expires',
  'maxWritesPerSweep', 'requireInsightsInEveryAccountRegion', 'breaker', 'maxRepairs', 'windowMinutes',
  'objective', 'managementEventsOnDataOnlyTrails', 'carrierPreference', 'pin', 'redundant', 'maxEventWritesPerHour',
  'retentionPeriod', 'billingMode', 'kmsKeyId', 'terminationProtection', 'scope',
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
