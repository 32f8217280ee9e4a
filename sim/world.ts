/**
 * The world file: a whole simulated organization (Organizations structure, IAM roles and callers, trails and event
 * data stores per account and region, Cost Explorer's billed costs) as YAML or JSON. Validated with zod; `dumpWorld`
 * writes the live state back in the same format, so a world can be saved after a run and loaded again. Documented in
 * docs/simulator.md.
 */
import { isScalar, parseDocument, stringify, visit } from 'yaml';
import * as z from 'zod';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');
/**
 * Region names of every partition the SDKs' partition table lists (`regionRegex` in
 * https://github.com/aws/aws-sdk-js-v3/blob/main/packages/util-endpoints/src/lib/aws/partitions.json), the European
 * Sovereign Cloud's `eusc-de-east-1` among them.
 */
export const REGION_PATTERN = /^([a-z]{2}(-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-\d{1,2}$/;
const region = z.string().regex(REGION_PATTERN, 'must be a region name');
const parentId = z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, 'must be a root or OU id');
const tags = z.record(z.string(), z.string()).default({});

const insightSelector = z.strictObject({
  InsightType: z.enum(['ApiCallRateInsight', 'ApiErrorRateInsight']),
  EventCategories: z.array(z.enum(['Management', 'Data'])).optional(),
});
const fieldSelector = z.strictObject({
  Field: z.string(),
  Equals: z.array(z.string()).optional(),
  StartsWith: z.array(z.string()).optional(),
  EndsWith: z.array(z.string()).optional(),
  NotEquals: z.array(z.string()).optional(),
  NotStartsWith: z.array(z.string()).optional(),
  NotEndsWith: z.array(z.string()).optional(),
});
export const advancedSelectorSchema = z.strictObject({ Name: z.string().optional(), FieldSelectors: z.array(fieldSelector).min(1) });
export const basicSelectorSchema = z.strictObject({
  ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
  IncludeManagementEvents: z.boolean().optional(),
  DataResources: z.array(z.strictObject({ Type: z.string(), Values: z.array(z.string()).optional() })).optional(),
  ExcludeManagementEventSources: z.array(z.string()).optional(),
});
const isoTime = z.iso.datetime({ offset: true });

const trail = z
  .strictObject({
    account: accountId,
    name: z.string().min(3).max(128),
    homeRegion: region,
    multiRegion: z.boolean().default(false),
    organization: z.boolean().default(false),
    s3BucketName: z.string().default('cloudtrail-logs'),
    s3KeyPrefix: z.string().optional(),
    /**
     * Whether CloudTrail can write to the bucket (and so deliver Insights: the error list of
     * `com.amazonaws.cloudtrail#PutInsightSelectors`): a broken policy or a deleted bucket.
     */
    s3: z.enum(['ok', 'accessDenied', 'missing']).default('ok'),
    kmsKeyId: z.string().optional(),
    kms: z.enum(['ok', 'broken']).default('ok'),
    includeGlobalServiceEvents: z.boolean().default(true),
    /** The trail's RecursiveLogging; absent means never set (CloudTrail's default, true, and not returned). */
    recursiveLogging: z.boolean().optional(),
    logging: z.boolean().default(true),
    startLoggingTime: isoTime.optional(),
    stopLoggingTime: isoTime.optional(),
    /**
     * Basic selectors; absent (with no advanced ones) means never configured: all management events
     * (`com.amazonaws.cloudtrail#PutEventSelectors`).
     */
    eventSelectors: z.array(basicSelectorSchema).optional(),
    advancedEventSelectors: z.array(advancedSelectorSchema).optional(),
    insightSelectors: z.array(insightSelector).default([]),
    tags,
  })
  .refine((t) => !(t.eventSelectors && t.advancedEventSelectors), { error: 'a trail has eventSelectors or advancedEventSelectors, not both' });

const eventDataStore = z.strictObject({
  account: accountId,
  region,
  /** The id at the end of the ARN; generated from the name when absent. */
  id: z.string().regex(/^[a-zA-Z0-9._-]{3,64}$/).optional(),
  name: z.string().min(3).max(128),
  status: z.enum(['CREATED', 'ENABLED', 'PENDING_DELETION', 'STARTING_INGESTION', 'STOPPING_INGESTION', 'STOPPED_INGESTION']).default('ENABLED'),
  multiRegion: z.boolean().default(true),
  organization: z.boolean().default(false),
  terminationProtection: z.boolean().default(true),
  retentionPeriod: z.number().int().min(7).max(3653).default(366),
  billingMode: z.enum(['EXTENDABLE_RETENTION_PRICING', 'FIXED_RETENTION_PRICING']).default('EXTENDABLE_RETENTION_PRICING'),
  kmsKeyId: z.string().optional(),
  /**
   * Default: all management events, as CreateEventDataStore fills in
   * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/insights-events-CLI-enable.html).
   */
  advancedEventSelectors: z.array(advancedSelectorSchema).optional(),
  insightSelectors: z.array(insightSelector).default([]),
  /** ARN or id of the Insights destination store (same account). */
  insightsDestination: z.string().optional(),
  createdTimestamp: isoTime.optional(),
  tags,
});

/**
 * Cost Explorer (`com.amazonaws.costexplorer#AWSInsightsIndexService`): whether it was ever enabled, who may call it,
 * and the billed line items per calendar month that GetCostAndUsage aggregates (sim/cost-explorer.ts).
 */
const costLineItem = z.strictObject({
  /** The LINKED_ACCOUNT dimension: the account that incurred the charge. */
  account: accountId,
  /** The SERVICE dimension, as Cost Explorer names it (CloudTrail is "AWS CloudTrail"). */
  service: z.string().min(1).default('AWS CloudTrail'),
  /** The USAGE_TYPE dimension, region code first, e.g. USE1-InsightsEvents. */
  usageType: z.string().min(1),
  /** The REGION dimension. */
  region,
  /** The unblended cost of the item for the month, in `currency`. */
  amount: z.number(),
});
const costs = z.strictObject({
  /**
   * false: nobody ever opened Cost Explorer, so every call is refused (it cannot be enabled by API:
   * https://docs.aws.amazon.com/cost-management/latest/userguide/ce-enable.html).
   */
  enabled: z.boolean().default(true),
  /**
   * Whether the management account lets member accounts use Cost Explorer, all or none
   * (https://docs.aws.amazon.com/cost-management/latest/userguide/ce-access.html). Default false.
   */
  memberAccess: z.boolean().default(false),
  /** Callers whose IAM policies do not allow ce:GetCostAndUsage: an account id (all its callers) or an access key id. */
  deniedCallers: z.array(z.string().min(3)).default([]),
  /** false: the cost data is not prepared yet (DataUnavailableException). */
  dataAvailable: z.boolean().default(true),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a currency code such as USD').default('USD'),
  /** Line items per billing month, keyed YYYY-MM. */
  months: z.record(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM'), z.array(costLineItem)).default({}),
});

/** Security Hub (sim/securityhub.ts); absent: enabled everywhere, nobody denied. */
const securityHub = z.strictObject({
  /** `<account>/<region>` where Security Hub is not enabled: BatchImportFindings answers InvalidAccessException. */
  disabled: z.array(z.string().regex(/^\d{12}\/[a-z0-9-]+$/, 'must be <account-id>/<region>')).default([]),
  /** Callers whose IAM policies do not allow securityhub:BatchImportFindings: an account id (all its callers) or an access key id. */
  deniedCallers: z.array(z.string().min(3)).default([]),
});

const worldSchema = z.strictObject({
  version: z.literal(1),
  organization: z.strictObject({
    id: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must look like o-xxxxxxxxxx'),
    managementAccount: accountId,
    featureSet: z.enum(['ALL', 'CONSOLIDATED_BILLING']).default('ALL'),
    root: z.string().regex(/^r-[0-9a-z]{4,32}$/),
    organizationalUnits: z.array(z.strictObject({ id: parentId, name: z.string(), parent: parentId })).default([]),
    accounts: z
      .array(
        z.strictObject({
          id: accountId,
          name: z.string(),
          email: z.string().optional(),
          parent: parentId,
          state: z.enum(['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']).default('ACTIVE'),
          joined: isoTime.optional(),
        }),
      )
      .min(1),
    /**
     * Service principals with trusted access (CloudTrail needs it for organization trails and stores:
     * `com.amazonaws.cloudtrail#CloudTrailAccessNotEnabledException`).
     */
    trustedServices: z.array(z.string()).default(['cloudtrail.amazonaws.com']),
    delegatedAdministrators: z.array(z.strictObject({ account: accountId, servicePrincipal: z.string() })).default([]),
  }),
  /** IAM roles that can be assumed; `accounts: all` puts the role in every account. */
  roles: z
    .array(
      z.strictObject({
        name: z.string(),
        accounts: z.union([z.literal('all'), z.array(accountId)]).default('all'),
        trustedAccounts: z.array(accountId),
        /**
         * The role's maximum session duration in seconds, 3600 (the default) to 43200
         * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, MaxSessionDuration): AssumeRole
         * refuses a longer DurationSeconds.
         */
        maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
      }),
    )
    .default([]),
  /**
   * Long-term callers: an access key id maps to an IAM user. A 12-digit access key id is that account's user "admin".
   * Requests are verified with SigV4 against `secretAccessKey`; absent, the key's secret is `x` (docs/simulator.md).
   */
  principals: z.array(z.strictObject({ accessKeyId: z.string().min(3), account: accountId, userName: z.string(), secretAccessKey: z.string().min(1).optional() })).default([]),
  /** S3 buckets whose health is not "ok" (CreateTrail / UpdateTrail consult this; absent = exists and accepts writes). */
  buckets: z.record(z.string(), z.enum(['ok', 'accessDenied', 'missing'])).default({}),
  trails: z.array(trail).default([]),
  eventDataStores: z.array(eventDataStore).default([]),
  /** Cost Explorer; absent: enabled, with no costs. */
  costs: costs.optional(),
  securityHub: securityHub.optional(),
});

export type World = z.output<typeof worldSchema>;
export type WorldInput = z.input<typeof worldSchema>;
export type WorldTrail = World['trails'][number];
export type WorldEventDataStore = World['eventDataStores'][number];
export type WorldCosts = NonNullable<World['costs']>;

export class WorldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldError';
  }
}

/**
 * The most alias expansions a world may need (the `yaml` package's `maxAliasCount`, its default made explicit):
 * a few reused selectors stay far below it, a "billion laughs" document exceeds it instead of filling memory.
 */
const MAX_ALIAS_COUNT = 100;

/** A world is a description of an organization, not a dump: a bigger file is a mistake, refused before parsing. */
const MAX_WORLD_CHARS = 8 * 1024 * 1024;

/** One line a terminal shows as written: line breaks and control characters quoted from the file become escapes. */
const oneLine = (text: string): string => text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

/** A path for a problem line: plain keys joined with dots, any other key quoted. */
const pathText = (path: readonly PropertyKey[]): string =>
  path.map((k) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$-]*$/.test(String(k)) ? `.${String(k)}` : `[${oneLine(JSON.stringify(String(k)))}]`)).join('').replace(/^\./, '') || '(world)';

export function parseWorld(text: string, origin = 'world'): World {
  if (text.length > MAX_WORLD_CHARS) throw new WorldError(`${origin}: is ${text.length} characters long; a world file is at most ${MAX_WORLD_CHARS} (8 MiB)`);
  // logLevel error: no process warning on stderr (a key that is a list or a mapping) next to the one-line problem.
  // uniqueKeys off: yaml's check compares each key with every earlier one (quadratic); the same check is made below
  // with a Set.
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error' });
  if (doc.errors.length) throw new WorldError(`${origin}: ${oneLine(doc.errors[0]!.message.split('\n')[0]!)}`);
  let duplicate: string | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) duplicate ??= String(key.value);
        seen.add(key.value);
      }
    },
  });
  if (duplicate !== undefined) throw new WorldError(`${origin}: the key ${oneLine(JSON.stringify(duplicate.slice(0, 100)))} is given twice in one mapping`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws a ReferenceError while resolving aliases: too many expansions, or an alias before its anchor.
    const message = (e as Error).message.split('\n')[0]!;
    throw new WorldError(/excessive alias count/i.test(message) ? `${origin}: its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies (a YAML alias bomb?)` : `${origin}: ${oneLine(message)}`);
  }
  return validateWorld(data, origin);
}

/** Where a `__proto__` key is: zod would drop it silently (a tag `__proto__: x` would vanish), so it is refused. */
function protoKeyPath(data: unknown, path: PropertyKey[] = [], depth = 0): PropertyKey[] | undefined {
  if (typeof data !== 'object' || data === null || depth > 64) return undefined;
  if (!Array.isArray(data) && Object.hasOwn(data, '__proto__')) return [...path, '__proto__'];
  for (const [k, v] of Object.entries(data)) {
    const found = protoKeyPath(v, [...path, Array.isArray(data) ? Number(k) : k], depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function validateWorld(data: unknown, origin = 'world'): World {
  const proto = protoKeyPath(data);
  if (proto) throw new WorldError(`${origin} is not a valid world file:\n  ${pathText(proto)}: "__proto__" cannot be used as a key`);
  const r = worldSchema.safeParse(data);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 100).map((i) => `  ${pathText(i.path)}: ${oneLine(i.message)}`);
    if (r.error.issues.length > 100) lines.push(`  (world): and ${r.error.issues.length - 100} more problems, not listed`);
    throw new WorldError(`${origin} is not a valid world file:\n${lines.join('\n')}`);
  }
  const w = r.data;
  const accounts = new Set(w.organization.accounts.map((a) => a.id));
  const problems: string[] = [];
  if (!accounts.has(w.organization.managementAccount)) problems.push(`organization.managementAccount ${w.organization.managementAccount} is not one of organization.accounts`);
  const parents = new Set([w.organization.root, ...w.organization.organizationalUnits.map((o) => o.id)]);
  for (const a of w.organization.accounts) if (!parents.has(a.parent)) problems.push(`account ${a.id}: parent ${a.parent} is neither the root nor an OU`);
  for (const o of w.organization.organizationalUnits) if (!parents.has(o.parent)) problems.push(`OU ${o.id}: parent ${o.parent} is neither the root nor an OU`);
  for (const t of w.trails) if (!accounts.has(t.account)) problems.push(`trail ${t.name}: account ${t.account} is not in the organization`);
  for (const s of w.eventDataStores) if (!accounts.has(s.account)) problems.push(`event data store ${s.name}: account ${s.account} is not in the organization`);
  for (const [month, items] of Object.entries(w.costs?.months ?? {}))
    for (const i of items) if (!accounts.has(i.account)) problems.push(`costs.months.${month}: account ${i.account} is not in the organization`);
  for (const d of w.securityHub?.disabled ?? []) if (!accounts.has(d.split('/')[0]!)) problems.push(`securityHub.disabled: account of ${d} is not in the organization`);
  if (problems.length) throw new WorldError(`${origin} is not a valid world file:\n${problems.map((p) => `  ${oneLine(p)}`).join('\n')}`);
  return w;
}

export const worldToYaml = (world: WorldInput): string => stringify(world, { lineWidth: 140, aliasDuplicateObjects: false });
