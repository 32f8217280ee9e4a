// Fuzzes event-driven repair end to end: 16,000 generated events (mutations of every sample in events/, arbitrary JSON
// and JavaScript values, well-formed events naming nothing that exists) through handleEvent against the simulator.
import * as ct from '@aws-sdk/client-cloudtrail';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsClients } from '../../../lib/aws/clients';
import { InMemoryLedger } from '../../../lib/ledger/ledger';
import { handleEvent, retryReason, type EventHandlerDeps, type EventOutcome } from '../../../lib/pipeline/handle-event';
import { remediate, type Target } from '../../../lib/pipeline/remediate';
import type { Policy } from '../../../lib/policy/schema';
import { TARGET_BY_EVENT } from '../../../lib/targets/from-cloudtrail-event';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import type { WorldInput } from '../../../sim/world';
import { aPolicy } from '../../helpers/builders';
import { DEV, MGMT, OUTSIDER, PROD, ROLE, startSim, testWorld } from '../../helpers/sim';

/** Fixed, so a failure replays: fast-check prints this seed and the path of the counterexample. */
const SEED = 20_261_121;
/** Generated events per kind. Compliant organization: mutated samples, arbitrary values, events naming nothing real. */
const RUNS = { mutatedSamples: 6_000, arbitraryValues: 3_000, namingNothing: 3_000, namingNothingOnDrift: 2_000 };
const FUNCTION_ROLE = 'insights-remediator-on-change';

// ---------------------------------------------------------------------------------------------------------------------
// The organizations.

const BOTH = [{ InsightType: 'ApiCallRateInsight' as const }, { InsightType: 'ApiErrorRateInsight' as const }];
const INSIGHT_CATEGORY = [{ Name: 'Insights', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }];

/**
 * The test organization with nothing to repair, under either objective: every trail logs with both Insights types (the
 * organization trail covers every account-region), the management-event store delivers to an Insights store. It holds
 * the sources the samples in events/ name (audit, new-trail, prod-lake-0001, prod-insights-0001), so mutated samples
 * reach real reads. Any write made while it is fuzzed is a defect.
 */
function compliantWorld(): WorldInput {
  return testWorld({
    trails: [
      { account: MGMT, name: 'org-trail', homeRegion: 'us-east-1', organization: true, multiRegion: true, insightSelectors: BOTH },
      { account: PROD, name: 'audit', homeRegion: 'us-east-1', multiRegion: true, insightSelectors: BOTH },
      { account: PROD, name: 'new-trail', homeRegion: 'us-east-1', multiRegion: true, insightSelectors: BOTH },
      { account: DEV, name: 'dev-trail', homeRegion: 'eu-west-1', insightSelectors: BOTH },
    ],
    eventDataStores: [
      { account: PROD, region: 'us-east-1', id: 'prod-insights-0001', name: 'prod-insights', advancedEventSelectors: INSIGHT_CATEGORY },
      { account: PROD, region: 'us-east-1', id: 'prod-lake-0001', name: 'prod-lake', insightSelectors: BOTH, insightsDestination: 'prod-insights-0001' },
    ],
  });
}

const EVERYWHERE: Target[] = [MGMT, PROD, DEV].flatMap((accountId) => ['us-east-1', 'eu-west-1'].map((region) => ({ kind: 'accountRegion' as const, accountId, region })));

// ---------------------------------------------------------------------------------------------------------------------
// What is generated. Events are generated as compact recipes (a sample and edits; a huge string as its length), so a
// counterexample prints in a few lines; `build` makes the event from its recipe.

const SAMPLES: Record<string, unknown> = Object.fromEntries(
  readdirSync(join(__dirname, '../../../events'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(__dirname, '../../../events', f), 'utf8'))]),
);
const SAMPLE_NAMES = Object.keys(SAMPLES).sort();

const IN_ORG = [MGMT, PROD, DEV];
const ACCOUNTS = [...IN_ORG, OUTSIDER, '444444444444', '000000000000', '22222222222', '2222222222222', ' 222222222222', '222222222222\n', '２２２２２２２２２２２２', '-22222222222'];
const OTHER_PARTITION_REGIONS = ['cn-north-1', 'us-gov-west-1', 'eusc-de-east-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1', ...OTHER_PARTITION_REGIONS, 'US-EAST-1', 'us-east-1 ', 'us-east-1\u0000', '', 'mars-north-1'];
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-xx', ''];
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', '__defineGetter__'];
const SOURCE_NAMES = ['audit', 'new-trail', 'org-trail', 'dev-trail', 'prod-lake-0001', 'prod-insights-0001', 'nope', ...PROTOTYPE_KEYS, '..', '/', '*', 'audit\u0000', 'audit\n', '\u202eaudit', '🙂', '\ud800', 'trail/audit', 'a'.repeat(128)];
const EVENT_NAMES = [...Object.keys(TARGET_BY_EVENT), 'GetTrail', 'ListTrails', 'LookupEvents', 'DescribeTrails', 'Nope', ...PROTOTYPE_KEYS, 'createTrail', 'StopLogging ', 'PutInsightSelectors\n', ''];
const DETAIL_TYPES = ['AWS API Call via CloudTrail', 'AWS Insight via CloudTrail', 'AWS Service Event via CloudTrail', 'aws api call via cloudtrail', '', '__proto__'];
const ACTORS = [
  { type: 'IAMUser', arn: `arn:aws:iam::${PROD}:user/alice`, accountId: PROD },
  { type: 'AssumedRole', arn: `arn:aws:sts::${PROD}:assumed-role/${ROLE}/s`, accountId: PROD, sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${PROD}:role/${ROLE}`, accountId: PROD } } },
  { type: 'AssumedRole', arn: `arn:aws:sts::${MGMT}:assumed-role/${FUNCTION_ROLE}/s`, accountId: MGMT, sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${MGMT}:role/${FUNCTION_ROLE}`, accountId: MGMT } } },
  { type: 'AssumedRole', sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${OUTSIDER}:role/${ROLE}`, accountId: PROD } } },
];
/** JSON texts, parsed afresh for every event: own `__proto__` keys (as JSON.parse makes them), objects that cannot become text. */
const JSON_TEXTS = [
  '{"__proto__":{"name":"audit","trailName":"audit","eventDataStore":"prod-lake-0001","polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"toString":"x","valueOf":1,"toJSON":null}',
  '{"toString":{"name":"audit"},"name":{"toString":1}}',
  '[[["audit"]]]',
  '[{"name":"audit"}]',
  '{"name":{"name":"audit"},"trailName":["audit"],"eventDataStore":{"0":"prod-lake-0001"}}',
  '{"length":1e309,"0":"a"}',
  '[]',
  '{}',
  'null',
];

/** A value to put somewhere in an event. */
type Spec =
  | { value: unknown }
  | { json: string }
  | { huge: number; unit: string; prefix: string }
  | { arn: { partition: string; region: string; account: string; type: string; id: string } };

const iso = (min: string, max: string) => fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => d.toISOString());
const spec: fc.Arbitrary<Spec> = fc.oneof(
  fc.constantFrom(...ACCOUNTS, ...REGIONS, ...SOURCE_NAMES, ...EVENT_NAMES, ...DETAIL_TYPES, 'cloudtrail.amazonaws.com', 'AccessDenied').map((value) => ({ value })),
  fc.record({ partition: fc.constantFrom(...PARTITIONS), region: fc.constantFrom(...REGIONS), account: fc.constantFrom(...ACCOUNTS), type: fc.constantFrom('trail', 'eventdatastore', 'TRAIL', 'role'), id: fc.constantFrom(...SOURCE_NAMES) }).map((arn) => ({ arn })),
  fc.record({
    // Just over CloudTrail's identifier bounds, and far over them (300,000 characters).
    huge: fc.oneof(fc.integer({ min: 1_000, max: 1_100 }), fc.integer({ min: 1_101, max: 300_000 })),
    unit: fc.constantFrom('a', 'é', '🙂', '\u0000', '\n', '/', '*', '%s', '\\'),
    prefix: fc.constantFrom('', `arn:aws:cloudtrail:us-east-1:${PROD}:trail/`, `arn:aws:cloudtrail:us-east-1:${PROD}:eventdatastore/`, `arn:aws:iam::${PROD}:role/`),
  }),
  fc.constantFrom(...JSON_TEXTS).map((json) => ({ json })),
  fc.oneof(fc.integer(), fc.double(), fc.constantFrom(222_222_222_222, -0, 1e308, Number.MAX_SAFE_INTEGER + 2)).map((value) => ({ value })),
  fc.oneof(iso('1970-01-01', '2026-01-01'), iso('2026-11-01', '2026-12-31'), iso('2027-01-01', '2100-01-01'), fc.constantFrom('2026-13-45T99:99:99Z', 'yesterday', '0')).map((value) => ({ value })),
  fc.constantFrom(null, true, false, [], {}, [null], ['audit'], [[[]]]).map((value) => ({ value })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((value) => ({ value })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => ({ value })),
);

function materialize(s: Spec): unknown {
  if ('json' in s) return JSON.parse(s.json);
  if ('huge' in s) return s.prefix + s.unit.repeat(Math.ceil(s.huge / s.unit.length)).slice(0, s.huge);
  if ('arn' in s) return `arn:${s.arn.partition}:cloudtrail:${s.arn.region}:${s.arn.account}:${s.arn.type}/${s.arn.id}`;
  // Through JSON where it survives it: fresh objects for every event, and own `__proto__` keys stay own keys.
  const text = typeof s.value === 'object' && s.value !== null ? JSON.stringify(s.value) : undefined;
  return text === undefined ? s.value : JSON.parse(text);
}

/** Where an edit lands: a field the product reads, or any node of the sample (its index among them). */
const INTERESTING_PATHS: string[][] = [
  ['account'], ['region'], ['detail-type'], ['time'], ['detail'],
  ...['eventName', 'eventSource', 'recipientAccountId', 'awsRegion', 'errorCode', 'readOnly', 'eventTime', 'eventID', 'eventType', 'userIdentity', 'requestParameters', 'responseElements', 'insightDetails', 'insightSource'].map((k) => ['detail', k]),
  ...['arn', 'accountId', 'type', 'sessionContext'].map((k) => ['detail', 'userIdentity', k]),
  ['detail', 'userIdentity', 'sessionContext', 'sessionIssuer', 'arn'],
  ['detail', 'userIdentity', 'sessionContext', 'sessionIssuer', 'accountId'],
  ...['name', 'trailName', 'eventDataStore', 'resourceId', 'insightSelectors', 'isOrganizationTrail', 'isMultiRegionTrail', 'organizationEnabled', 'multiRegionEnabled'].map((k) => ['detail', 'requestParameters', k]),
  ...['trailARN', 'eventDataStoreArn'].map((k) => ['detail', 'responseElements', k]),
  ['detail', 'insightDetails', 'insightType'],
];
const at = fc.oneof(fc.constantFrom(...INTERESTING_PATHS), fc.nat());

type Edit =
  | { drop: string[] | number }
  | { set: string[] | number; to: Spec }
  | { add: string[] | number; key: string; to: Spec }
  | { wrap: string[] | number; depth: number }
  | { retype: string[] | number }
  | { accounts: { envelope: string; record: string } };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: fc.record({ drop: at }), weight: 2 },
  { arbitrary: fc.record({ set: at, to: spec }), weight: 6 },
  { arbitrary: fc.record({ add: at, key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'name', 'trailName', 'eventDataStore', 'trailARN', 'eventDataStoreArn', 'resourceId', 'errorCode', 'detail'), fc.string({ maxLength: 8 })), to: spec }), weight: 2 },
  { arbitrary: fc.record({ wrap: at, depth: fc.integer({ min: 1, max: 64 }) }), weight: 1 },
  { arbitrary: fc.record({ retype: at }), weight: 1 },
  { arbitrary: fc.record({ accounts: fc.record({ envelope: fc.constantFrom(...ACCOUNTS), record: fc.constantFrom(...ACCOUNTS) }) }), weight: 1 },
);

type Json = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Json => typeof v === 'object' && v !== null;
/** Defines a key, so `__proto__` is an own key as JSON.parse makes it, not the prototype. */
const put = (o: Json, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

function nodePaths(v: unknown, path: string[] = []): string[][] {
  if (!isContainer(v)) return [];
  return Object.keys(v).flatMap((k) => [[...path, k], ...nodePaths((v as Record<string, unknown>)[k], [...path, k])]);
}

function applyEdit(event: unknown, e: Edit, paths: string[][]): unknown {
  if ('accounts' in e) {
    if (!isContainer(event)) return event;
    put(event, 'account', e.accounts.envelope);
    if (isContainer((event as Record<string, unknown>).detail)) put((event as Record<string, Json>).detail!, 'recipientAccountId', e.accounts.record);
    return event;
  }
  const where = 'drop' in e ? e.drop : 'set' in e ? e.set : 'add' in e ? e.add : 'wrap' in e ? e.wrap : e.retype;
  const path = typeof where === 'number' ? (paths[where % Math.max(1, paths.length)] ?? []) : where;
  if (path.length === 0) return 'set' in e ? materialize(e.to) : event;
  // Walk to the parent, making missing mappings on the way (an edit may name a field the sample lacks).
  let parent: unknown = event;
  for (const key of path.slice(0, -1)) {
    if (!isContainer(parent)) return event;
    const next = (parent as Record<string, unknown>)[key];
    if (!isContainer(next) || !Object.hasOwn(parent, key)) put(parent, key, {});
    parent = (parent as Record<string, unknown>)[key];
  }
  if (!isContainer(parent)) return event;
  const key = path[path.length - 1]!;
  const old = Object.hasOwn(parent, key) ? (parent as Record<string, unknown>)[key] : undefined;
  if ('drop' in e) delete (parent as Record<string, unknown>)[key];
  else if ('set' in e) put(parent, key, materialize(e.to));
  else if ('add' in e) put(isContainer(old) ? old : parent, e.key, materialize(e.to));
  else if ('wrap' in e) put(parent, key, Array.from({ length: e.depth }).reduce<unknown>((x) => [x], old));
  else put(parent, key, retyped(old));
  return event;
}

/** The same content in the wrong type: text as a number, a number as text, a mapping as a list, and so on. */
function retyped(v: unknown): unknown {
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : [v];
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [i, x]));
  if (isContainer(v)) return Object.values(v);
  return v === null ? 'null' : null;
}

const SAMPLE_PATHS = Object.fromEntries(SAMPLE_NAMES.map((n) => [n, nodePaths(SAMPLES[n])]));
const mutatedSample = fc.record({ sample: fc.constantFrom(...SAMPLE_NAMES), edits: fc.array(edit, { minLength: 1, maxLength: 4 }) });
const buildMutated = (r: { sample: string; edits: Edit[] }) => r.edits.reduce((ev, e) => applyEdit(ev, e, SAMPLE_PATHS[r.sample]!), structuredClone(SAMPLES[r.sample]));

/**
 * Fully arbitrary input: any JSON value, any JavaScript value (boxed values, Maps, typed arrays, null prototypes,
 * sparse arrays, dates, bigints), and envelopes or bare records whose known fields hold anything.
 */
const DETAIL_KEYS = ['eventName', 'eventSource', 'recipientAccountId', 'awsRegion', 'requestParameters', 'responseElements', 'errorCode', 'readOnly', 'eventTime', 'eventID', 'userIdentity', 'eventType', 'insightDetails', 'insightSource'];
const anything = fc.anything({ maxDepth: 3, withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true, withDate: true, withBigInt: true });
const arbitraryValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  anything,
  fc.record({ 'detail-type': fc.constantFrom(...DETAIL_TYPES), account: fc.constantFrom(...ACCOUNTS), detail: fc.dictionary(fc.constantFrom(...DETAIL_KEYS), fc.jsonValue({ maxDepth: 2 })) }),
  fc.record({ 'detail-type': fc.constantFrom(...DETAIL_TYPES), detail: anything }),
  fc.dictionary(fc.constantFrom(...DETAIL_KEYS), fc.oneof(fc.constantFrom(...EVENT_NAMES, ...ACCOUNTS, ...REGIONS, 'cloudtrail.amazonaws.com'), anything)),
);

/**
 * Well-formed CloudTrail events, each key where the API puts it, naming sources or accounts that may not exist: a
 * random name, a name in an account outside the organization, an ARN of another partition or of an account the call
 * was not made in.
 */
interface NamingNothing {
  eventName: string;
  account: string;
  region: string;
  name: string;
  form: 'name' | 'arn';
  partition: string;
  /** Absent: the account the call was made in. */
  arnAccount: string | undefined;
  arnRegion: string;
  actor: number;
  response: boolean;
  eventTime: string;
  insight: boolean;
}
/** Where each call's request names its source (the others: trailName, or eventDataStore for a store). */
const REQUEST_KEY: Record<string, string> = { CreateTrail: 'name', UpdateTrail: 'name', DeleteTrail: 'name', StartLogging: 'name', StopLogging: 'name', CreateEventDataStore: 'name', AddTags: 'resourceId', RemoveTags: 'resourceId' };
const STORE_EVENTS = new Set(['CreateEventDataStore', 'UpdateEventDataStore', 'DeleteEventDataStore', 'RestoreEventDataStore', 'StartEventDataStoreIngestion', 'StopEventDataStoreIngestion']);
/** A random account id, never one of the organization's. */
const strangerAccount = fc.stringMatching(/^[1-9]\d{11}$/).filter((a) => !IN_ORG.includes(a) && a !== '444444444444');
const namingNothingWith = (names: fc.Arbitrary<string>, accounts: string[], partitions: string[], eventNames: string[]) =>
  fc.record<NamingNothing>({
    eventName: fc.constantFrom(...eventNames),
    account: fc.oneof(fc.constantFrom(...accounts), strangerAccount),
    region: fc.oneof({ arbitrary: fc.constantFrom('us-east-1', 'eu-west-1'), weight: 3 }, fc.constantFrom('ap-south-1', ...OTHER_PARTITION_REGIONS)),
    name: names,
    form: fc.constantFrom('name', 'arn'),
    partition: fc.constantFrom(...partitions),
    arnAccount: fc.option(fc.oneof(fc.constantFrom(...accounts), strangerAccount), { nil: undefined, freq: 2 }),
    arnRegion: fc.oneof({ arbitrary: fc.constantFrom('us-east-1', 'eu-west-1'), weight: 3 }, fc.constantFrom(...OTHER_PARTITION_REGIONS)),
    actor: fc.nat(ACTORS.length - 1),
    response: fc.boolean(),
    eventTime: fc.oneof(iso('2026-11-01', '2026-12-31'), iso('2027-01-01', '2100-01-01')),
    insight: fc.boolean(),
  });
const ghostName = fc.stringMatching(/^[A-Za-z0-9._-]{1,120}$/).map((s) => `ghost-${s}`);
const namingNothing = fc.oneof(
  { arbitrary: namingNothingWith(ghostName, [...IN_ORG, OUTSIDER], PARTITIONS.slice(0, 8), Object.keys(TARGET_BY_EVENT)), weight: 3 },
  { arbitrary: namingNothingWith(fc.constantFrom(...SOURCE_NAMES.slice(0, 6)), [OUTSIDER, '444444444444'], PARTITIONS.slice(0, 8), Object.keys(TARGET_BY_EVENT)), weight: 2 },
  { arbitrary: namingNothingWith(fc.constantFrom(...SOURCE_NAMES.slice(0, 6)), IN_ORG, PARTITIONS.slice(1, 8), Object.keys(TARGET_BY_EVENT)), weight: 2 },
);

function buildNamingNothing(n: NamingNothing): Record<string, unknown> {
  const store = STORE_EVENTS.has(n.eventName) || (n.eventName === 'PutInsightSelectors' && n.insight);
  const arn = `arn:${n.partition}:cloudtrail:${n.arnRegion}:${n.arnAccount ?? n.account}:${store ? 'eventdatastore' : 'trail'}/${n.name}`;
  const id = n.form === 'arn' || n.eventName === 'AddTags' || n.eventName === 'RemoveTags' ? arn : n.name;
  const key = REQUEST_KEY[n.eventName] ?? (store ? 'eventDataStore' : 'trailName');
  const responseKey = store ? 'eventDataStoreArn' : 'trailARN';
  const envelope = { version: '0', id: `fuzz-${n.name.length}`, source: 'aws.cloudtrail', account: n.account, time: n.eventTime, region: n.region, resources: [] };
  if (n.insight && n.eventName === 'DeleteTrail')
    return { ...envelope, 'detail-type': 'AWS Insight via CloudTrail', detail: { eventType: 'AwsCloudTrailInsight', recipientAccountId: n.account, awsRegion: n.region, eventTime: n.eventTime, ...(store && { insightSource: arn }), insightDetails: { state: 'Start', insightType: 'ApiCallRateInsight' } } };
  return {
    ...envelope,
    'detail-type': 'AWS API Call via CloudTrail',
    detail: {
      eventVersion: '1.11',
      userIdentity: ACTORS[n.actor],
      eventTime: n.eventTime,
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: n.eventName,
      awsRegion: n.region,
      requestParameters: { [key]: id, ...(n.eventName === 'UpdateTrail' && { isOrganizationTrail: false, isMultiRegionTrail: false }), ...(n.eventName === 'PutInsightSelectors' && { insightSelectors: [] }) },
      responseElements: n.response && !n.eventName.startsWith('Delete') ? { [responseKey]: arn } : null,
      eventID: `fuzz-${n.eventName}-${n.name.length}`,
      readOnly: false,
      eventType: 'AwsApiCall',
      recipientAccountId: n.account,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The harness.

let sim: Simulator;
afterEach(() => sim?.stop());

const isWrite = (c: Simulator['calls'][number]) => c.service === 'cloudtrail' && c.status === 200 && !/^(Get|List|Describe|Lookup)/.test(c.operation);
const writesSoFar = () => sim.calls.filter(isWrite);

async function setup(world: WorldInput): Promise<{ deps: EventHandlerDeps; policies: Policy[]; events: EventBridgeEvent[] }> {
  sim = await startSim({ world });
  const events: EventBridgeEvent[] = [];
  sim.onEvent((e) => events.push(e));
  const deps: EventHandlerDeps = {
    policy: aPolicy({ mode: 'enforce' }),
    aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 100_000, writesPerSecond: 100_000 } }),
    managementAccountId: MGMT,
    ledger: new InMemoryLedger(),
    now: () => sim.clock.now(),
    ownRoles: { functionRoleNames: [FUNCTION_ROLE], memberRoleName: ROLE },
  };
  // Both objectives: everySource checks every source named; coverage also follows coverage lost.
  return { deps, policies: [deps.policy, aPolicy({ mode: 'enforce', objective: 'coverage' })], events };
}

interface Tally {
  events: number;
  byDecision: Record<string, number>;
  writes: number;
  longestReason: number;
}
const newTally = (): Tally => ({ events: 0, byDecision: {}, writes: 0, longestReason: 0 });

/**
 * One event through the handler, as the Lambda runs it (handleEvent, then retryReason): it must not throw, must give a
 * reason, and an event it ignores must make no call to AWS at all, let alone a write. Answers the writes it made.
 */
async function feed(event: unknown, deps: EventHandlerDeps, tally: Tally): Promise<number> {
  const before = sim.calls.length;
  let out: EventOutcome;
  try {
    out = await handleEvent(event, deps);
  } catch (e) {
    throw new Error(`handleEvent threw for a generated event: ${(e as Error)?.stack ?? String(e)}`);
  }
  const retry = retryReason(out);
  const calls = sim.calls.slice(before);
  const writes = calls.filter(isWrite).length;
  tally.events++;
  tally.byDecision[out.decision] = (tally.byDecision[out.decision] ?? 0) + 1;
  tally.writes += writes;
  tally.longestReason = Math.max(tally.longestReason, out.reason.length);
  expect(['check', 'ignore', 'observe']).toContain(out.decision);
  expect(typeof out.reason).toBe('string');
  expect(out.reason.trim().length).toBeGreaterThan(0);
  if (out.decision === 'ignore') {
    expect({ writes, calls: calls.length, retry, reported: out.writes }).toEqual({ writes: 0, calls: 0, retry: undefined, reported: 0 });
  }
  return writes;
}

/** The longest reason a log line or an explain-event answer should carry: a few ARNs, not the event echoed back. */
const MAX_REASON_CHARS = 4_096;
/** Where a reason breaks its line or carries a terminal control character, shown as JSON; undefined when it does not. */
function unquoted(reason: string): string | undefined {
  const i = reason.search(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/);
  return i < 0 ? undefined : `at ${i}: ${JSON.stringify(reason.slice(Math.max(0, i - 60), i + 20))}`;
}

const params = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true });

describe('event-driven repair fed 16,000 generated events', () => {
  it('gives 12,000 generated events a reason and makes no write for any it ignores, nor any at all on a compliant organization', async () => {
    const { deps, policies, events } = await setup(compliantWorld());
    // The organization really is compliant under both objectives: nothing to do anywhere, before a single event.
    for (const policy of policies) {
      const plan = await remediate(EVERYWHERE, { policy, aws: deps.aws, managementAccountId: MGMT, now: deps.now, apply: false });
      expect(plan.results.flatMap((r) => r.decisions.filter((d) => d.actions.length > 0).map((d) => d.source.arn))).toEqual([]);
    }
    const start = Date.now();
    const tallies = { mutatedSamples: newTally(), arbitraryValues: newTally(), namingNothing: newTally() };
    const property = <T>(arb: fc.Arbitrary<T>, build: (t: T) => unknown, tally: Tally) =>
      fc.asyncProperty(arb, fc.nat(policies.length - 1), async (recipe, p) => void (await feed(build(recipe), { ...deps, policy: policies[p]! }, tally)));

    await fc.assert(property(mutatedSample, buildMutated, tallies.mutatedSamples), params(RUNS.mutatedSamples));
    await fc.assert(property(arbitraryValue, (v) => v, tallies.arbitraryValues), params(RUNS.arbitraryValues));
    await fc.assert(property(namingNothing, buildNamingNothing, tallies.namingNothing), params(RUNS.namingNothing));

    const total = Object.values(tallies).reduce((n, t) => n + t.events, 0);
    console.log(`events fuzz (seed ${SEED}): ${total} events in ${Date.now() - start} ms on a compliant organization`, JSON.stringify(tallies));
    expect(total).toBe(RUNS.mutatedSamples + RUNS.arbitraryValues + RUNS.namingNothing);
    expect(total).toBeGreaterThanOrEqual(10_000);
    // Every sample shape reached its real reads: the run checked sources, not only ignored events.
    expect(tallies.mutatedSamples.byDecision.check).toBeGreaterThan(500);
    // The bound of the whole run: the organization had nothing to repair, so not one write was made.
    expect(writesSoFar()).toEqual([]);

    // The counter sees writes: a real drift afterwards is repaired, and counted.
    await new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' }, maxAttempts: 1 }).send(new ct.StopLoggingCommand({ Name: 'audit' }));
    const drift = events.find((e) => (e.detail as { eventName?: string }).eventName === 'StopLogging')!;
    expect(await feed(drift, deps, newTally())).toBe(1);
  }, 180_000);

  it('makes no write for 2,000 well-formed events naming sources that do not exist, on an organization full of drift', async () => {
    // testWorld is drifted (Insights off, logging stopped, read-only selectors): a write here would be a repair of
    // something the event never named. Deletions are left out: they rightly check their whole account-region.
    const { deps, policies } = await setup(testWorld());
    const plan = await remediate(EVERYWHERE, { policy: policies[0]!, aws: deps.aws, managementAccountId: MGMT, now: deps.now, apply: false });
    expect(plan.results.flatMap((r) => r.decisions).filter((d) => d.actions.length > 0).length).toBeGreaterThan(3);
    const notDeletions = Object.keys(TARGET_BY_EVENT).filter((n) => !n.startsWith('Delete'));
    const ghosts = fc.oneof(
      namingNothingWith(ghostName, [...IN_ORG, OUTSIDER], PARTITIONS.slice(0, 8), notDeletions),
      namingNothingWith(fc.constantFrom(...SOURCE_NAMES.slice(0, 6)), [OUTSIDER, '444444444444'], PARTITIONS.slice(0, 8), notDeletions),
      namingNothingWith(fc.constantFrom(...SOURCE_NAMES.slice(0, 6)), IN_ORG, PARTITIONS.slice(1, 8), notDeletions),
    ).map((n) => ({ ...n, insight: n.insight && n.eventName === 'PutInsightSelectors' }));
    const tally = newTally();
    await fc.assert(
      fc.asyncProperty(ghosts, fc.nat(policies.length - 1), async (n, p) => {
        // A bare name resolves in the account the call was made in: an existing name there (audit in PROD) is no
        // ghost, so such a call is made from outside the organization.
        const ghost = n.name.startsWith('ghost-') || n.form === 'arn' ? n : { ...n, account: OUTSIDER };
        expect(await feed(buildNamingNothing(ghost), { ...deps, policy: policies[p]! }, tally)).toBe(0);
      }),
      params(RUNS.namingNothingOnDrift),
    );
    console.log(`events fuzz (seed ${SEED}): ${tally.events} events naming nothing on a drifted organization`, JSON.stringify(tally));
    expect(tally.events).toBe(RUNS.namingNothingOnDrift);
    expect(writesSoFar()).toEqual([]);
  }, 120_000);

  it('quotes what an event says in its reason: one line, at most 4,096 characters, for 2,000 mutated samples', async () => {
    // Reasons are logged and answered by explain-event; from-cloudtrail-event.ts quotes and shortens untrusted values
    // (`printable`), so a name with a line break or 300,000 characters must not come back raw.
    const { deps, policies } = await setup(compliantWorld());
    await fc.assert(
      fc.asyncProperty(mutatedSample, fc.nat(policies.length - 1), async (recipe, p) => {
        const out = await handleEvent(buildMutated(recipe), { ...deps, policy: policies[p]! });
        expect({ unquoted: unquoted(out.reason), length: out.reason.length > MAX_REASON_CHARS ? out.reason.length : 'within bound' }).toEqual({ unquoted: undefined, length: 'within bound' });
      }),
      // Shrunk on failure, to the smallest edit that shows it.
      { numRuns: 2_000, seed: SEED },
    );
  }, 60_000);
});
