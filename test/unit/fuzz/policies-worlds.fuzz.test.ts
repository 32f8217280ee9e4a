// Fuzzes the loaders of operator text: 10,000 generated policies (valid-looking and hostile YAML or JSON) through
// parsePolicy, 10,000 generated simulator worlds through parseWorld / validateWorld, and 10,000 generated name globs.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PolicyValidationError } from '../../../lib/policy/errors';
import { globStepBound, globWork, matchesGlob } from '../../../lib/domain/glob';
import { MAX_POLICY_CHARS, MAX_PROBLEMS, parsePolicy } from '../../../lib/policy/load';
import type { Policy } from '../../../lib/policy/schema';
import { matchExemptions, sourceSelection } from '../../../lib/domain/scope';
import { SimClock } from '../../../sim/clock';
import { SimState } from '../../../sim/state';
import { parseWorld, validateWorld, WorldError, type World } from '../../../sim/world';
import { testWorld } from '../../helpers/sim';

/** Fixed, so a failure replays: fast-check prints this seed and the path of the counterexample. */
const SEED = 20_261_122;
const RUNS = { policies: 10_000, worlds: 10_000, globs: 10_000, oneLine: 1_000, bigDocuments: 8 };
/** Not a benchmark: a bound that a backtracking matcher (`.*` runs) blows by orders of magnitude on these inputs. */

const params = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true });
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
/** A key written onto Object.prototype (through a `__proto__` or `constructor.prototype` path) would show here. */
function prototypeIntact(): void {
  const names = Object.getOwnPropertyNames(Object.prototype);
  if (names.length !== PROTOTYPE_NAMES.length || ({} as Record<string, unknown>).polluted !== undefined)
    expect({ names: names.sort(), polluted: ({} as Record<string, unknown>).polluted }).toEqual({ names: PROTOTYPE_NAMES, polluted: undefined });
}

/** A failed expectation of the hot path, as an Error fast-check reports with its counterexample (expect is slow here). */
function must(holds: boolean, what: string): void {
  if (!holds) throw new Error(what);
}

/** A stack frame ("    at fn (file.ts:1:2)") in a message: an exception's internals shown to the operator. */
const STACK_FRAME = /^\s*at (\S+ \(.*:\d+:\d+\)|\S+:\d+:\d+)/m;
/** A line break or a terminal control character (a tab is neither) inside what should be one line. */
const LINE_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/;

// ---------------------------------------------------------------------------------------------------------------------
// Hostile YAML, shared by policies and worlds: each is built from a base text that is valid on its own.

type Hostile =
  | { aliasBomb: { levels: number; width: number } }
  | { selfReference: number }
  | { aliasBeforeAnchor: true }
  | { deep: { depth: number; open: string; close: string } }
  | { huge: { chars: number; line: string } }
  | { duplicates: number }
  | { tag: string }
  | { splice: { at: number; fragment: string }[] }
  | { prefix: string };

const FRAGMENTS = [': ', '- ', '&a ', '*a', '*nowhere', '|', '>', '{', '}', '[', ']', '"', "'", '#', '\t', '\n', '\r\n', '%YAML 1.1\n---\n', '---\n', '...\n', '? ', '!!', '!', '<<: ', '\u0000', '\ufeff', '\u2028', '\u001b[31m', '  ', ',', 'null', '~', '.inf', '0x1F', '1e400', '__proto__: ', 'constructor: '];
const YAML_TAGS = ['!!js/function "function () {}"', '!!binary aGk=', '!!set {a, b}', '!!omap [a: 1, b: 2]', '!!timestamp 2001-12-14', '!!python/object:os.system ls', '!custom x', '!!str 1', '!!int "1"', '!!float x', '!<tag:yaml.org,2002:js/undefined> ~'];
/**
 * Hostile documents; nesting and size bounded for the 10,000-run properties (a document 20,000 levels deep takes
 * seconds to refuse), and up to the policy's 1 MiB limit in the few-run ones.
 */
const hostileOf = (bound: { depth: number; chars: number; overLimit: boolean }): fc.Arbitrary<Hostile> => fc.oneof(
  fc.record({ aliasBomb: fc.record({ levels: fc.integer({ min: 2, max: 12 }), width: fc.integer({ min: 2, max: 10 }) }) }),
  fc.record({ selfReference: fc.nat(3) }),
  fc.constant({ aliasBeforeAnchor: true as const }),
  fc.record({ deep: fc.record({ depth: fc.integer({ min: 50, max: bound.depth }), open: fc.constantFrom('[', '{a: ', '- ', '{"a": [', '? '), close: fc.constantFrom(']', '}', '', ']}') }) }),
  fc.record({ huge: fc.record({ chars: bound.overLimit ? fc.oneof(fc.integer({ min: 1_000, max: bound.chars }), fc.integer({ min: MAX_POLICY_CHARS + 1, max: MAX_POLICY_CHARS + 100 })) : fc.integer({ min: 1_000, max: bound.chars }), line: fc.constantFrom('- x', '# comment', 'k: v', '"a": [1, 2, 3]', 'x'.repeat(200)) }) }),
  fc.record({ duplicates: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ tag: fc.constantFrom(...YAML_TAGS) }),
  fc.record({ splice: fc.array(fc.record({ at: fc.nat(), fragment: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 6 })) }), { minLength: 1, maxLength: 5 }) }),
  fc.record({ prefix: fc.constantFrom('\ufeff', '%YAML 1.1\n---\n', '---\n', '\r\n', '# c\n', '%TAG ! tag:x,2000:\n---\n', '\u0000') }),
);
const hostile = hostileOf({ depth: 300, chars: 10_000, overLimit: true });
/** Worlds have no size limit, and yaml's duplicate-key check (uniqueKeys) is quadratic: their huge mappings stay small. */
const worldHostile = hostileOf({ depth: 300, chars: 4_000, overLimit: false });
const bigHostile = fc.oneof(
  fc.record({ deep: fc.record({ depth: fc.integer({ min: 5_000, max: 20_000 }), open: fc.constantFrom('[', '{a: ', '- ', '{"a": [', '? '), close: fc.constantFrom(']', '}', '') }) }),
  fc.record({ huge: fc.record({ chars: fc.integer({ min: MAX_POLICY_CHARS - 2_000, max: MAX_POLICY_CHARS - 100 }), line: fc.constantFrom('- x', '# comment', 'k: v', 'x'.repeat(200)) }) }),
  fc.record({ aliasBomb: fc.record({ levels: fc.integer({ min: 9, max: 30 }), width: fc.integer({ min: 9, max: 50 }) }) }),
);

/**
 * A base document made hostile at `key`: the hostile value is the key's value (so the schema reads it), written after
 * the rest of the document; splices and prefixes change the whole document.
 */
function hostileText(h: Hostile, base: Record<string, unknown>, key: string): string {
  const rest = (() => {
    const { [key]: _replaced, ...others } = base;
    return stringify(others);
  })();
  if ('aliasBomb' in h) {
    const { levels, width } = h.aliasBomb;
    const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
    for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
    return `${rest}${lines.join('\n')}\n${key}: *l${levels - 1}\n`;
  }
  if ('selfReference' in h) return `${rest}${[`${key}: &s [*s]`, `${key}: &s {a: *s}`, `${key}: &s [{a: [*s]}]`, `${key}: &s {<<: *s}`][h.selfReference]}\n`;
  if ('aliasBeforeAnchor' in h) return `${rest}${key}: *later\nlater: &later [a]\n`;
  if ('deep' in h) return `${rest}${key}: ${h.deep.open.repeat(h.deep.depth)}1${h.deep.close.repeat(h.deep.depth)}\n`;
  if ('huge' in h) {
    const reps = Math.ceil(h.huge.chars / (h.huge.line.length + 3));
    return `${rest}${key}:\n${`  ${h.huge.line}\n`.repeat(reps)}`;
  }
  if ('duplicates' in h) return `${rest}${Array.from({ length: h.duplicates }, (_, i) => `${key}: ${i}`).join('\n')}\n`;
  if ('tag' in h) return `${rest}${key}: ${h.tag}\n`;
  const whole = stringify(base);
  if ('prefix' in h) return `${h.prefix}${whole}`;
  return h.splice.reduce((text, s) => {
    const i = s.at % (text.length + 1);
    return `${text.slice(0, i)}${s.fragment}${text.slice(i)}`;
  }, whole);
}

/** Text that is not YAML of anything in particular: any code units, or any JSON value written as JSON or YAML. */
const strayText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...FRAGMENTS, 'a', '1', ' '), maxLength: 40 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
);

// ---------------------------------------------------------------------------------------------------------------------
// Policies.

const MINIMAL_POLICY = { version: 1, mode: 'enforce', scope: { regions: { include: ['us-east-1'] } } };

// Edits that make a valid document wrong, shared by policies and worlds: a node dropped, replaced with a hostile
// value, given an extra key (a prototype key among them), retyped, or a list entry repeated. Nodes are numbered in
// document order, so an edit is a small number and prints in a counterexample.

/** Values a document may hold where it should not. */
const hostileValue = fc.oneof(
  fc.constantFrom('111111111111', '999999999999', '1234', '１２３４５６７８９０１２', 'us-east-1', 'mars-1', 'US-EAST-1', 'us-east-1 ', 'r-ab12', 'ou-nowhere', 'ApiCallRate', 'Enforce', 'all', '2027-02-30', 'tomorrow', '', '*', '?'.repeat(128), '*'.repeat(1_000), 'x'.repeat(200)),
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, 100_001, [], {}, [{}], [[]], ['a', 'a']),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', '\n', '\r', '\t', '\u0000', '\u001b', '\u2028', '"', ':', '#'), maxLength: 6 }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Edit = { drop: number } | { set: number; to: unknown } | { add: number; key: string; to: unknown } | { retype: number } | { copy: number };
const anEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ drop: fc.nat() }),
  { arbitrary: fc.record({ set: fc.nat(), to: hostileValue }), weight: 3 },
  fc.record({ add: fc.nat(), key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'polluted', 'mdoe', 'regoins', 'tags', 'name', 'extra', '<<', ''), fc.string({ maxLength: 8 })), to: hostileValue }),
  fc.record({ retype: fc.nat() }),
  // A list entry repeated: a region or an account listed twice, two trails of one name.
  fc.record({ copy: fc.nat() }),
);

function nodePaths(v: unknown, path: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null) return [];
  return Object.keys(v).flatMap((k) => [[...path, k], ...nodePaths((v as Record<string, unknown>)[k], [...path, k])]);
}
/** Defines a key, so `__proto__` is an own key as JSON.parse and yaml make it, not the prototype. */
const put = (o: object, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

function retyped(old: unknown): unknown {
  if (typeof old === 'string') return /^\d+$/.test(old) ? Number(old) : [old];
  if (typeof old === 'number' || typeof old === 'boolean') return String(old);
  if (Array.isArray(old)) return { ...old };
  return old === null ? 'null' : Object.values(old as object);
}

function edited<T>(doc: T, edits: readonly Edit[]): T {
  for (const e of edits) {
    const paths = nodePaths(doc);
    const index = 'drop' in e ? e.drop : 'set' in e ? e.set : 'add' in e ? e.add : 'retype' in e ? e.retype : e.copy;
    const path = paths[index % Math.max(1, paths.length)];
    if (!path) continue;
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc) as Record<string, unknown>;
    const key = path[path.length - 1]!;
    const old = parent[key];
    if ('drop' in e) delete parent[key];
    else if ('set' in e) put(parent, key, structuredClone(e.to));
    else if ('add' in e) put(typeof old === 'object' && old !== null ? old : parent, e.key, structuredClone(e.to));
    else if ('retype' in e) put(parent, key, retyped(old));
    else if (Array.isArray(parent)) parent.push(structuredClone(old));
  }
  return doc;
}
const edits = fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(anEdit, { minLength: 1, maxLength: 3 }), weight: 3 });

type Format = 'yaml' | 'yaml-flow' | 'json' | 'json-indented';
const formats = fc.constantFrom<Format>('yaml', 'yaml-flow', 'json', 'json-indented');
const asText = (data: unknown, format: Format): string =>
  format === 'json' ? JSON.stringify(data) : format === 'json-indented' ? JSON.stringify(data, null, 2) : stringify(data, format === 'yaml-flow' ? { collectionStyle: 'flow' } : {});

// ---------------------------------------------------------------------------------------------------------------------
// Policies: valid ones generated from the schema's own vocabulary, then edited, written as YAML or JSON.

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1', 'cn-north-1', 'us-gov-west-1', 'eusc-de-east-1', 'us-isob-east-1'];
const CARRIERS = ['organizationTrail', 'multiRegionTrail', 'regionalTrail', 'organizationEventDataStore', 'multiRegionEventDataStore', 'regionalEventDataStore'];
const accountId = fc.integer({ min: 0, max: 999_999_999_999 }).map((n) => String(n).padStart(12, '0'));
/** Globs of every shape: the usual, long runs of `*` and `?`, the pathological `*a*a*...b`, any text. */
const glob = fc.oneof(
  fc.constantFrom('*', 'org-*', 'prod-?', '*a*a*a*a*a*a*a*a*a*a*b', '?'.repeat(128), '*'.repeat(1_000), `${'*a'.repeat(60)}*b`, 'arn:aws:cloudtrail:*:*:trail/*'),
  fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '9', '-', '*', '?'), minLength: 1, maxLength: 40 }),
  fc.tuple(fc.constantFrom('*a', 'a*', '?', '*?', 'ab*', '**'), fc.integer({ min: 1, max: 150 })).map(([unit, n]) => unit.repeat(n)),
  fc.string({ minLength: 1, maxLength: 20 }),
);
/** Tag selectors keyed by anything a mapping can hold: `constructor`, `toString`, `__proto__` (refused) among them. */
const tagSelector = fc.dictionary(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'team', 'insights', 'aws:cloudformation:stack-name'), fc.string({ maxLength: 10 })), fc.oneof(fc.constantFrom('*', 'prod', 'opt-out'), fc.string({ maxLength: 10 })), { maxKeys: 3 });
const selection = fc.record({ names: fc.array(glob, { maxLength: 3 }), excludeNames: fc.array(glob, { maxLength: 2 }), tags: tagSelector, excludeTags: tagSelector }, { requiredKeys: [] });
/** Mostly the usual choice, sometimes the other one (which may break a rule across fields). */
const mostly = <T>(usual: T, other: T) => fc.oneof({ arbitrary: fc.constant(usual), weight: 4 }, fc.constant(other));
const insightTypes = fc.shuffledSubarray(['ApiCallRateInsight', 'ApiErrorRateInsight'], { minLength: 1 });
const date = fc.oneof(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2027-01-31', '2030-12-31'));

const validLookingPolicy = fc.record(
  {
    version: fc.constant(1),
    mode: fc.constantFrom('enforce', 'report'),
    objective: fc.constantFrom('coverage', 'everySource'),
    trails: fc.record({ enabled: mostly(true, false), insightTypes, eventCategories: fc.constantFrom(['Management'], ['Management', 'Data']), dataCategory: fc.constantFrom('whenLogged', 'always'), select: selection, managementEventsOnDataOnlyTrails: mostly('leave', 'add') }, { requiredKeys: [] }),
    eventDataStores: fc.record(
      {
        enabled: mostly(true, false),
        insightTypes,
        eventCategories: fc.constant(['Management']),
        select: selection,
        destination: fc.oneof(fc.constant({ strategy: 'anyInsightStoreInAccount' }), fc.record({ strategy: fc.constant('named'), stores: fc.array(fc.record({ account: accountId, region: fc.constantFrom(...REGIONS), eventDataStore: fc.constantFrom('insights-dest', 'prod-insights-0001', 'a.b_c-d', `arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/${'x'.repeat(36)}`) }), { minLength: 1, maxLength: 3 }) })),
      },
      { requiredKeys: [] },
    ),
    scope: fc.record(
      {
        accounts: fc.record({ include: fc.uniqueArray(accountId, { maxLength: 3 }), exclude: fc.uniqueArray(accountId, { maxLength: 2 }) }, { requiredKeys: [] }),
        organizationalUnits: fc.record({ include: fc.shuffledSubarray(['r-ab12', 'ou-ab12-prod0001', 'ou-zz99-abcdefgh'], { maxLength: 2 }) }, { requiredKeys: [] }),
        regions: fc.record({ include: fc.shuffledSubarray(REGIONS, { minLength: 1, maxLength: 4 }), exclude: fc.shuffledSubarray(REGIONS, { maxLength: 1 }) }, { requiredKeys: ['include'] }),
      },
      { requiredKeys: ['regions'] },
    ),
    prerequisites: fc.record({ eventSelectors: fc.constantFrom('repair', 'report'), logging: fc.constantFrom('repair', 'report') }, { requiredKeys: [] }),
    exemptions: fc.array(fc.record({ match: fc.record({ account: accountId, region: fc.constantFrom(...REGIONS), kind: fc.constantFrom('trail', 'eventDataStore'), name: glob, arn: glob }, { requiredKeys: ['name'] }), reason: fc.constantFrom('migration', 'owned by the security team'), expires: date }), { maxLength: 3 }),
    limits: fc.record({ breaker: fc.record({ maxRepairs: fc.integer({ min: 1, max: 100 }), windowMinutes: fc.integer({ min: 1, max: 10_080 }) }), maxWritesPerSweep: fc.integer({ min: 0, max: 100_000 }), maxEventWritesPerHour: fc.integer({ min: 0, max: 100_000 }) }, { requiredKeys: [] }),
    coverage: fc.record({ requireInsightsInEveryAccountRegion: fc.boolean(), carrierPreference: fc.shuffledSubarray(CARRIERS, { minLength: CARRIERS.length }), pin: fc.array(glob, { maxLength: 2 }), redundant: mostly('report', 'disable') }, { requiredKeys: [] }),
  },
  { requiredKeys: ['version', 'mode', 'scope'] },
);

/** A policy document: a generated policy (edited or not) as YAML or JSON, a policy made hostile, or stray text. */
const policyText = fc.oneof(
  // Cloned before the edits: constants (fc.constant) are shared between runs.
  { arbitrary: fc.tuple(validLookingPolicy, edits, formats).map(([p, e, f]) => asText(edited(structuredClone(p), e), f)), weight: 12 },
  { arbitrary: fc.tuple(hostile, fc.constantFrom('trails', 'scope', 'exemptions', 'coverage', 'unknown')).map(([h, key]) => hostileText(h, MINIMAL_POLICY, key)), weight: 3 },
  { arbitrary: fc.tuple(validLookingPolicy, hostile, fc.constantFrom('trails', 'eventDataStores', 'exemptions', 'coverage')).map(([p, h, key]) => hostileText(h, p, key)), weight: 2 },
  { arbitrary: strayText, weight: 2 },
);

const bigPolicyText = fc.tuple(bigHostile, fc.constantFrom('trails', 'scope', 'unknown')).map(([h, key]) => hostileText(h, MINIMAL_POLICY, key));

type PolicyResult = { policy: Policy } | { error: PolicyValidationError };

/** Loads the text; anything thrown but a PolicyValidationError fails the property with its class and first line. */
function loadPolicy(text: string, origin: string): PolicyResult {
  try {
    return { policy: parsePolicy(text, origin) };
  } catch (e) {
    if (e instanceof PolicyValidationError) return { error: e };
    const err = e as Error;
    throw new Error(`parsePolicy threw ${err?.constructor?.name ?? typeof e} (not a PolicyValidationError): ${String(err?.message).split('\n')[0]}`);
  }
}

const NAMES_128 = (g: string) => ['a'.repeat(128), g.replace(/[*?]/g, 'a').padEnd(128, 'a').slice(0, 128), `${'ab'.repeat(63)}-c`];

/** Every glob of a loaded policy, matched against 128-character names: each match within its step bound. */
function globsOf(p: Policy): string[] {
  return [
    ...p.trails.select.names, ...p.trails.select.excludeNames, ...p.eventDataStores.select.names, ...p.eventDataStores.select.excludeNames, ...p.coverage.pin,
    ...p.exemptions.flatMap((e) => [e.match.name, e.match.arn].filter((g): g is string => g !== undefined)),
  ];
}

/** Each glob against 128-character names: the first whose steps exceed the bound, if any (work, not time, is bounded). */
function overBound(globs: readonly string[]): string | undefined {
  for (const g of globs)
    for (const name of NAMES_128(g)) {
      const before = globWork.steps;
      matchesGlob(name, g);
      const steps = globWork.steps - before;
      if (steps > globStepBound(name.length, g.length)) return `${JSON.stringify(g.slice(0, 80))} took ${steps} steps against a 128-character name`;
    }
  return undefined;
}

/**
 * One policy document through the loader: loaded, or refused with a PolicyValidationError whose every problem has a
 * message; never another exception, never a prototype touched. A loaded policy selects by own tag keys only, and each
 * of its globs matches a 128-character name within (name + 1) x (glob + 1) steps.
 */
function checkPolicy(text: string, seen: { loaded: number; refused: number }): void {
  const out = loadPolicy(text, 'fuzz.yaml');
  prototypeIntact();
  if ('error' in out) {
    seen.refused++;
    const e = out.error;
    must(e.name === 'PolicyValidationError' && e.origin === 'fuzz.yaml', `named ${e.name} from ${e.origin}`);
    must(e.message.startsWith('fuzz.yaml is not a valid policy:\n'), `a message that does not start with the file: ${e.message.slice(0, 100)}`);
    must(!STACK_FRAME.test(e.message), `a stack frame in the message: ${e.message.slice(0, 300)}`);
    must(e.problems.length >= 1 && e.problems.length <= MAX_PROBLEMS + 1, `${e.problems.length} problems`);
    for (const p of e.problems) must(typeof p.path === 'string' && typeof p.message === 'string' && p.message.trim().length > 0, `a problem without a message: ${JSON.stringify(p)}`);
    return;
  }
  seen.loaded++;
  const p = out.policy;
  must(Object.getPrototypeOf(p) === Object.prototype, 'a policy whose prototype is not Object.prototype');
  // Tag selectors hold only own keys: `constructor: "*"` must not select (or exclude) a source without tags.
  for (const kind of ['trail', 'eventDataStore'] as const) {
    const select = kind === 'trail' ? p.trails.select : p.eventDataStores.select;
    const untagged = sourceSelection(p, { kind, name: 'x', tags: {} });
    if (Object.keys(select.tags).length > 0) must(!untagged.inScope, `an untagged ${kind} selected by tags ${JSON.stringify(select.tags)}`);
    else if (!untagged.inScope) must(!/^tag /.test(untagged.reason), `an untagged ${kind} refused: ${untagged.reason}`);
  }
  const over = overBound(globsOf(p));
  must(over === undefined, over ?? '');
  const arn = `arn:aws:cloudtrail:us-east-1:111111111111:trail/${'a'.repeat(128)}`;
  const before = globWork.steps;
  matchExemptions(p, { kind: 'trail', arn, name: 'a'.repeat(128), accountId: '111111111111', homeRegion: 'us-east-1' }, new Date());
  const bound = p.exemptions.reduce((n, e) => n + (e.match.name ? globStepBound(128, e.match.name.length) : 0) + (e.match.arn ? globStepBound(arn.length, e.match.arn.length) : 0), 0);
  must(globWork.steps - before <= bound, `exemptions took ${globWork.steps - before} steps to match, over ${bound}`);
}

describe('the policy loader fed 10,000 generated policies', () => {
  it('loads or refuses every one with a PolicyValidationError, never another exception', () => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(policyText, (text) => checkPolicy(text, seen)),
      params(RUNS.policies),
    );
    console.log(`policy fuzz (seed ${SEED}): ${RUNS.policies} documents`, JSON.stringify(seen));
    expect(seen.loaded + seen.refused).toBe(RUNS.policies);
    // Both sides were exercised: valid-looking policies load, hostile ones are refused.
    expect(seen.loaded).toBeGreaterThan(RUNS.policies / 20);
    expect(seen.refused).toBeGreaterThan(RUNS.policies / 4);
  }, 120_000);

  it('refuses documents up to the 1 MiB limit, 20,000 levels deep or an alias bomb of any size, the same way', () => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(bigPolicyText, (text) => checkPolicy(text, seen)),
      params(RUNS.bigDocuments),
    );
    expect(seen.refused + seen.loaded).toBe(RUNS.bigDocuments);
  }, 120_000);

  it('names where each problem is, on a line of its own, whatever text of the policy a problem quotes', () => {
    // PolicyValidationError is "<origin> is not a valid policy:" then one "  path: problem" line per problem, and
    // validate-policy prints them as they are: a key or value holding a line break must not make a second line, and
    // a key that is empty text must still show where it is.
    fc.assert(
      fc.property(policyText, (text) => {
        const out = loadPolicy(text, 'fuzz.yaml');
        if (!('error' in out)) return;
        const broken = out.error.problems.map((p) => `${p.path}: ${p.message}`).find((line) => LINE_BREAKING.test(line) || line.startsWith(': '));
        expect(broken === undefined ? 'every problem on one line, with its place' : JSON.stringify(broken.slice(0, 200))).toBe('every problem on one line, with its place');
        expect(out.error.message.split('\n')).toHaveLength(1 + out.error.problems.length);
      }),
      { numRuns: RUNS.oneLine, seed: SEED },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------------
// Worlds.

const WORLD_FILES = ['demo.yaml', 'drifted-organization.yaml'].map((f) => readFileSync(join(__dirname, '../../../sim/worlds', f), 'utf8'));
const TEST_WORLD = JSON.parse(JSON.stringify(testWorld())) as Record<string, unknown>;
const BASE_WORLDS: unknown[] = [testWorld(), ...WORLD_FILES.map((t) => parseWorld(t))].map((w) => JSON.parse(JSON.stringify(w)));

const worldData = fc.tuple(fc.nat(BASE_WORLDS.length - 1), edits).map(([i, e]) => edited(structuredClone(BASE_WORLDS[i]), e));
const worldText = fc.oneof(
  { arbitrary: fc.tuple(worldData, formats).map(([w, f]) => asText(w, f)), weight: 8 },
  { arbitrary: fc.tuple(worldHostile, fc.constantFrom('trails', 'organization', 'eventDataStores', 'buckets')).map(([h, key]) => hostileText(h, TEST_WORLD, key)), weight: 3 },
  { arbitrary: strayText, weight: 2 },
);

type WorldResult = { world: World } | { error: WorldError };
function loadWorld(load: () => World): WorldResult {
  try {
    return { world: load() };
  } catch (e) {
    if (e instanceof WorldError) return { error: e };
    const err = e as Error;
    throw new Error(`the world loader threw ${err?.constructor?.name ?? typeof e} (not a WorldError): ${String(err?.message).split('\n')[0]}`);
  }
}

/** One world through the loader: loaded, and one the simulator can hold, or refused with a WorldError; nothing else. */
function checkWorld(input: unknown, seen: { loaded: number; refused: number }): void {
  const out = typeof input === 'string' ? loadWorld(() => parseWorld(input, 'fuzz.yaml')) : loadWorld(() => validateWorld(input, 'fuzz.yaml'));
  prototypeIntact();
  if ('error' in out) {
    seen.refused++;
    must(out.error.name === 'WorldError' && out.error.message.startsWith('fuzz.yaml'), `${out.error.name}: ${out.error.message.slice(0, 100)}`);
    must(!STACK_FRAME.test(out.error.message), `a stack frame in the message: ${out.error.message.slice(0, 300)}`);
    return;
  }
  seen.loaded++;
  new SimState(out.world, new SimClock()); // throws if the simulator cannot hold what the loader accepted
}

/** Worlds 20,000 levels deep, and alias bombs of any size. */
const bigWorldText = fc.tuple(bigHostile.filter((h) => !('huge' in h)), fc.constantFrom('trails', 'organization')).map(([h, key]) => hostileText(h, TEST_WORLD, key));

describe('the simulator\'s world loader fed 10,000 generated worlds', () => {
  it('loads or refuses every one with a WorldError, and a world it loads is one the simulator can hold', () => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(worldText, worldData), (input) => checkWorld(input, seen)),
      params(RUNS.worlds),
    );
    console.log(`world fuzz (seed ${SEED}): ${RUNS.worlds} worlds`, JSON.stringify(seen));
    expect(seen.loaded + seen.refused).toBe(RUNS.worlds);
    expect(seen.loaded).toBeGreaterThan(RUNS.worlds / 20);
    expect(seen.refused).toBeGreaterThan(RUNS.worlds / 4);
  }, 120_000);

  it('refuses worlds 20,000 levels deep or an alias bomb of any size the same way', () => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(bigWorldText, (text) => checkWorld(text, seen)),
      params(RUNS.bigDocuments),
    );
    expect(seen.refused).toBe(RUNS.bigDocuments);
  }, 120_000);

  it('says each problem of a world on a line of its own, whatever text of the world a problem quotes', () => {
    // WorldError is "<origin>: <problem>", or "<origin> is not a valid world file:" then one "  path: problem" line each.
    fc.assert(
      fc.property(fc.oneof(worldText, worldData), (input) => {
        const out = typeof input === 'string' ? loadWorld(() => parseWorld(input, 'fuzz.yaml')) : loadWorld(() => validateWorld(input, 'fuzz.yaml'));
        if (!('error' in out)) return;
        const broken = out.error.message.split('\n').find((line, i) => LINE_BREAKING.test(line) || (i > 0 && !/^ {2}\S/.test(line)));
        expect(broken === undefined ? 'every problem on one line' : JSON.stringify(out.error.message.slice(0, 300))).toBe('every problem on one line');
      }),
      { numRuns: RUNS.oneLine, seed: SEED },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------------
// Globs.

/** The reference: a glob as a regular expression, only ever run on short inputs (it backtracks on long ones). */
const referenceMatch = (value: string, g: string) => new RegExp(`^${[...g].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))).join('')}$`).test(value);

describe('name globs', () => {
  it('match 10,000 generated patterns against 128-character names within (name + 1) x (glob + 1) steps each, as the reference does on short ones', () => {
    const pattern = fc.oneof(
      glob,
      fc.array(fc.constantFrom('*', '?', 'a', 'b', '-'), { maxLength: 2_000 }).map((p) => p.join('')),
      fc.tuple(fc.integer({ min: 1, max: 64 }), fc.constantFrom('a', 'ab', '?a', 'a?')).map(([n, unit]) => `${`*${unit}`.repeat(n)}*b`),
      fc.integer({ min: 10_000, max: 100_000 }).map((n) => `${'*a'.repeat(n / 2)}*b`),
    );
    const name = fc.oneof(fc.constantFrom('a'.repeat(128), `${'a'.repeat(127)}b`, `${'ab'.repeat(64)}`), fc.string({ unit: fc.constantFrom('a', 'b', '-'), minLength: 128, maxLength: 128 }), fc.string({ minLength: 128, maxLength: 128 }));
    fc.assert(
      fc.property(pattern, name, fc.string({ unit: fc.constantFrom('a', 'b', '-', '*'), maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', '-', '*', '?'), maxLength: 6 }), (g, value, short, shortGlob) => {
        const before = globWork.steps;
        matchesGlob(value, g);
        must(globWork.steps - before <= globStepBound(value.length, g.length), `${globWork.steps - before} steps for a ${g.length}-character glob`);
        must(matchesGlob(short, shortGlob) === referenceMatch(short, shortGlob), `matchesGlob(${JSON.stringify(short)}, ${JSON.stringify(shortGlob)}) differs from the reference`);
      }),
      params(RUNS.globs),
    );
  }, 60_000);
});
