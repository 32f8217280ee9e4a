/**
 * The desired Insights policy, version 1: its zod schema, its TypeScript type, and the JSON Schema editors use.
 * Pure. The schema is the single source of truth: defaults, documentation and cross-field rules live here,
 * and `lib/policy/policy.schema.json` is generated from it (`npm run gen:policy-schema`).
 */
import * as z from 'zod';
import { INSIGHT_TYPES } from '../domain/model';
import { ACCOUNT_ID, quoted, REGION_NAME } from '../domain/names';

export const POLICY_VERSION = 1;

// One line whatever the policy says: text is quoted with its line breaks escaped and cut short.
const show = (value: unknown): string => (typeof value === 'string' ? quoted(value) : (JSON.stringify(value) ?? String(value)));

const accountId = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : `${show(i.input)} must be a 12-digit account id`) })
  .regex(ACCOUNT_ID, { error: (i) => `${show(i.input)} must be a 12-digit account id` });

const ouId = z
  .string()
  .regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, {
    error: (i) => `${show(i.input)} is not an organization root or OU id (r-xxxx or ou-xxxx-xxxxxxxx)`,
  });

const region = z
  .string()
  .regex(REGION_NAME, {
    error: (i) => `${show(i.input)} is not an AWS region name (like eu-west-1)`,
  });

const glob = z.string().min(1, { error: 'must not be empty' }).meta({
  description: 'A glob: `*` matches any run of characters, `?` one character; case-sensitive.',
});

/** Lists whose entries must be unique: a duplicate is almost always a typo for something else. */
function uniqueList<T extends z.ZodType>(item: T) {
  return z.array(item).superRefine((list, ctx) => {
    list.forEach((value, i) => {
      if (list.indexOf(value) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${show(value)} is listed twice` });
    });
  });
}

const insightType = z.enum(INSIGHT_TYPES);
const insightTypes = uniqueList(insightType)
  .min(1, { error: 'must list at least one Insights type (ApiCallRateInsight, ApiErrorRateInsight)' })
  .meta({
    description:
      'Insights types every selected source must have. ApiCallRateInsight needs write management events; ApiErrorRateInsight needs read or write management events.',
  });

const selection = z
  .strictObject({
    names: z.array(glob).default(['*']).meta({ description: 'Sources whose name matches any of these globs are selected.' }),
    excludeNames: z.array(glob).default([]).meta({ description: 'Sources whose name matches any of these globs are not selected.' }),
    tags: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'Every tag listed must be present with this value ("*" = any value).' }),
    excludeTags: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'A source carrying any tag listed here with this value ("*" = any value) is not selected.' }),
  })
  .meta({ description: 'Which sources of this kind are in scope: by name and by tag.' });

const trails = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'Whether trails are in scope at all.' }),
    insightTypes: insightTypes.default([...INSIGHT_TYPES]),
    eventCategories: uniqueList(z.enum(['Management', 'Data']))
      .default(['Management'])
      .refine((list) => list.includes('Management'), {
        error: 'must include Management: Insights on management events are required on every source',
      })
      .meta({ description: 'Event categories the Insights types analyze on trails. Management is required; Data is optional.' }),
    dataCategory: z
      .enum(['whenLogged', 'always'])
      .default('whenLogged')
      .meta({
        description:
          'With Data in eventCategories: whenLogged requires data-event Insights only on trails that log data events; always reports a trail without data events as not remediable (the product never invents data-event selectors).',
      }),
    select: selection.default({ names: ['*'], excludeNames: [], tags: {}, excludeTags: {} }),
    managementEventsOnDataOnlyTrails: z
      .enum(['leave', 'add'])
      .default('leave')
      .meta({
        description:
          'A trail that logs no management events (data events only) keeps its purpose: leave. add (objective everySource only) adds a management-event selector so Insights can analyze it, which makes the trail a billed second copy of management events.',
      }),
  })
  .meta({ description: 'The Insights a trail must have to count (coverage), or every selected trail must have (everySource).' });

const namedDestination = z.strictObject({
  account: accountId,
  region,
  eventDataStore: z
    .string()
    .regex(/^[a-zA-Z0-9._/\-:]{3,256}$/, { error: (i) => `${show(i.input)} is not an event data store ARN or id` })
    .meta({ description: 'ARN or id of an event data store of this account that logs eventCategory Insight.' }),
});

/**
 * The store the product creates when a source has no valid destination: CreateEventDataStore's members
 * (`com.amazonaws.cloudtrail#CreateEventDataStoreRequest`), with the Insight selector of the user guide's "Create an
 * event data store for CloudTrail Insights events". Retention and billing are checked together in the policy's
 * superRefine (7..3653 days, at most 2557 for FIXED_RETENTION_PRICING: `...#CreateEventDataStoreRequest$RetentionPeriod`).
 */
const createDestination = z
  .strictObject({
    strategy: z.literal('create'),
    name: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be text') })
      .regex(/^[a-zA-Z0-9._-]{3,128}$/, {
        error: (i) => `${show(i.input)} is not an event data store name: 3 to 128 letters, digits, '.', '_' or '-' (\`com.amazonaws.cloudtrail#EventDataStoreName\`)`,
      })
      .default('insights-destination')
      .meta({ description: "The new store's name, in each region it is created in (a taken name gets -2, -3, ...)." }),
    retentionPeriod: z
      .number()
      .int({ error: 'must be a whole number of days' })
      .min(7, { error: 'must be at least 7 days' })
      .max(3653, { error: 'must be at most 3653 days (2557 with FIXED_RETENTION_PRICING)' })
      .default(366)
      .meta({ description: "Days the new store keeps Insights events: 7 to 3653 (EXTENDABLE_RETENTION_PRICING) or 2557 (FIXED_RETENTION_PRICING); AWS's default 366." }),
    billingMode: z
      .enum(['EXTENDABLE_RETENTION_PRICING', 'FIXED_RETENTION_PRICING'], { error: (i) => `${show(i.input)} is not one of EXTENDABLE_RETENTION_PRICING, FIXED_RETENTION_PRICING` })
      .default('EXTENDABLE_RETENTION_PRICING')
      .meta({ description: "The new store's billing mode (`com.amazonaws.cloudtrail#BillingMode`)." }),
    kmsKeyId: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[a-zA-Z0-9._/-]{1,300}$/, {
        error: (i) => `${show(i.input)} is not a KMS key or alias ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); it cannot be changed once the store exists`,
      })
      .optional()
      .meta({ description: 'KMS key ARN that encrypts the new store; absent: CloudTrail encrypts with its own key. Fixed once set; its key policy must allow CloudTrail.' }),
    terminationProtection: z.boolean().default(true).meta({ description: 'Termination protection of the new store (on: it cannot be deleted until turned off).' }),
    tags: z
      .record(
        z.string().min(1, { error: 'a tag key must not be empty' }).max(128, { error: 'a tag key must be at most 128 characters' }),
        z.string().min(1, { error: 'must not be empty' }).max(256, { error: 'must be at most 256 characters' }),
      )
      .default({})
      .refine((t) => Object.keys(t).length <= 199, { error: 'must list at most 199 tags (200 per store, one is the product\'s own)' })
      .meta({ description: "Tags of the new store; the product adds its own (insights-remediator:destination)." }),
    scope: z
      .enum(['perAccount', 'perRegion'], { error: (i) => `${show(i.input)} is not one of perAccount, perRegion` })
      .default('perAccount')
      .meta({ description: 'perAccount: one destination serves every region of the account (an Insight store anywhere in the account is used first). perRegion: one in each region with a source.' }),
  })
  .meta({
    description:
      'Keep a valid current destination; else use an Insight-category store of the account (of the region, for perRegion); else create one (only in an account that already has a store of its own: CloudTrail Lake takes no new customers). Ingesting Insights events into it is billed.',
  });

const destination = z
  .discriminatedUnion(
    'strategy',
    [
      z
        .strictObject({ strategy: z.literal('anyInsightStoreInAccount') })
        .meta({ description: 'Keep a valid current destination; otherwise use an Insight-category store of the same account, same region first.' }),
      z
        .strictObject({
          strategy: z.literal('named'),
          stores: z.array(namedDestination).min(1, { error: 'must name at least one destination' }),
        })
        .meta({ description: 'Each account-region delivers to the store named for it.' }),
      createDestination,
    ],
    {
      error: (i) => {
        const strategy = (i.input as { strategy?: unknown } | undefined)?.strategy;
        return strategy === undefined ? 'is required: anyInsightStoreInAccount, named or create' : `${show(strategy)} is not one of anyInsightStoreInAccount, named, create`;
      },
    },
  )
  .meta({ description: 'How the Insights destination event data store is chosen. Destinations must be in the same account and log eventCategory Insight.' });

const eventDataStores = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'Whether event data stores are in scope at all.' }),
    insightTypes: insightTypes.default([...INSIGHT_TYPES]),
    eventCategories: uniqueList(
      z.enum(['Management', 'Data']).refine((c) => c === 'Management', {
        error: '"Data" is not allowed: Insights on data events are not supported on event data stores (management events only)',
      }),
    )
      .default(['Management'])
      .refine((list) => list.includes('Management'), { error: 'must include Management' })
      .meta({ description: 'Always [Management]: event data stores support Insights on management events only.' }),
    select: selection.default({ names: ['*'], excludeNames: [], tags: {}, excludeTags: {} }),
    destination: destination.default({ strategy: 'anyInsightStoreInAccount' }),
  })
  .meta({ description: 'The Insights every selected event data store must have.' });

const includeExclude = <T extends z.ZodType>(item: T, what: string) =>
  z
    .strictObject({
      include: uniqueList(item).default([]).meta({ description: `${what} in scope; empty means all.` }),
      exclude: uniqueList(item).default([]).meta({ description: `${what} out of scope; wins over include.` }),
    })
    .default({ include: [], exclude: [] });

const scope = z
  .strictObject({
    accounts: includeExclude(accountId, 'Account ids'),
    organizationalUnits: includeExclude(ouId, 'Organization root or OU ids (an account is in an OU when the OU is anywhere on its path)'),
    regions: z.strictObject({
      include: uniqueList(region)
        .min(1, { error: 'must list at least one region: sweeps visit exactly these regions' })
        .meta({ description: 'Regions swept and repaired.' }),
      exclude: uniqueList(region).default([]).meta({ description: 'Regions never swept or repaired: subtracted from include (e.g. a region taken out during an incident).' }),
    }),
  })
  .meta({ description: 'Which accounts, OUs and regions the product looks at and repairs.' });

const repairOrReport = z.enum(['repair', 'report']);

const prerequisites = z
  .strictObject({
    eventSelectors: repairOrReport
      .default('repair')
      .meta({ description: 'repair: widen event selectors so the needed management events are logged (data-event selectors kept). report: only report.' }),
    logging: repairOrReport
      .default('repair')
      .meta({ description: 'repair: StartLogging / StartEventDataStoreIngestion when stopped (restarts the Insights clock). report: only report.' }),
  })
  .default({ eventSelectors: 'repair', logging: 'repair' });

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: (i) => `${show(i.input)} is not a date like 2027-01-31 (or an ISO date-time)`,
});

const exemption = z.strictObject({
  match: z
    .strictObject({
      account: accountId.optional(),
      region: region.optional(),
      kind: z.enum(['trail', 'eventDataStore']).optional(),
      name: glob.optional(),
      arn: glob.optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      error: 'must name at least one of account, region, kind, name, arn',
    })
    .meta({ description: 'Every field given must match the source.' }),
  reason: z
    .string({ error: (i) => (i.input === undefined ? 'is required: say why this source is exempt' : 'must be text') })
    .trim()
    .min(1, { error: 'must not be empty: say why this source is exempt' }),
  expires: dateOrDateTime.meta({
    description: 'A date (valid through the end of that day, UTC) or an ISO date-time. An expired exemption stops applying and is reported as expired.',
  }),
});

const breaker = z
  .strictObject({
    maxRepairs: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).default(3).meta({ description: 'Repairs of one source within the window before the product stops repairing it.' }),
    windowMinutes: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(10080, { error: 'must be at most 10080 (a week)' }).default(60),
  })
  .default({ maxRepairs: 3, windowMinutes: 60 })
  .meta({ description: 'Circuit breaker: a source reverted and repaired more than maxRepairs times within the window is left alone (and someone notified once) until the window passes.' });

const limits = z
  .strictObject({
    breaker,
    maxWritesPerSweep: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be 0 or more' })
      .max(100000, { error: 'must be at most 100000' })
      .default(100)
      .meta({ description: 'Blast-radius cap: at most this many CloudTrail writes per sweep, across all its workers; further repairs are reported, not made.' }),
    maxEventWritesPerHour: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be 0 or more' })
      .max(100000, { error: 'must be at most 100000' })
      .default(100)
      .meta({ description: 'Blast-radius cap of event-driven repair: at most this many CloudTrail writes per clock hour, organization-wide; further repairs are reported and left to the next sweep.' }),
  })
  .default({ maxWritesPerSweep: 100, maxEventWritesPerHour: 100, breaker: { maxRepairs: 3, windowMinutes: 60 } });

export const CARRIER_KINDS = [
  'organizationTrail',
  'multiRegionTrail',
  'regionalTrail',
  'organizationEventDataStore',
  'multiRegionEventDataStore',
  'regionalEventDataStore',
] as const;
export type CarrierKind = (typeof CARRIER_KINDS)[number];

const carrierPreference = z
  .array(z.enum(CARRIER_KINDS))
  .default([...CARRIER_KINDS])
  .superRefine((list, ctx) => {
    const missing = CARRIER_KINDS.filter((k) => !list.includes(k));
    if (missing.length) ctx.addIssue({ code: 'custom', message: `must rank every carrier kind; missing ${missing.join(', ')}` });
    list.forEach((k, i) => {
      if (list.indexOf(k) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${show(k)} is listed twice` });
    });
  })
  .meta({
    description:
      'The order in which carriers are preferred when an uncovered account-region needs Insights: the first kind that covers it without analyzing an already-analyzed account-region a second time wins.',
  });

const coverage = z
  .strictObject({
    requireInsightsInEveryAccountRegion: z
      .boolean()
      .default(true)
      .meta({
        description:
          'objective everySource: also report an in-scope account-region that no logging source (own, organization or multi-region) analyzes. objective coverage always requires it.',
      }),
    carrierPreference,
    pin: z
      .array(glob)
      .default([])
      .meta({
        description:
          'Carriers to use first, by name or ARN glob (e.g. "org-trail" or "arn:aws:cloudtrail:us-east-1:111122223333:trail/*"): an uncovered account-region one of them covers gets Insights there, whatever the preference.',
      }),
    redundant: z
      .enum(['report', 'disable'])
      .default('report')
      .meta({
        description:
          'An account-region analyzed by more than one source is billed once per source. report: name them (a cost warning, not drift). disable (objective coverage only): turn Insights off on the sources that are not the preferred carrier, once the preferred carrier delivers, never the last one.',
      }),
  })
  .default({ requireInsightsInEveryAccountRegion: true, carrierPreference: [...CARRIER_KINDS], pin: [], redundant: 'report' });

function sameInBoth(ctx: z.RefinementCtx, path: (string | number)[], include: readonly string[], exclude: readonly string[], what: string) {
  exclude.forEach((value, i) => {
    if (include.includes(value))
      ctx.addIssue({ code: 'custom', path: [...path, 'exclude', i], message: `${show(value)} is also included; ${what} cannot be both included and excluded` });
  });
}

const securityHub = z
  .strictObject({
    import: z
      .boolean({ error: (i) => `${show(i.input)} is not true or false` })
      .default(false)
      .meta({
        description:
          'true: each sweep imports one AWS Security Hub finding per in-scope source and per account-region nothing analyzes, in the finding\'s own account and region through the member role (securityhub:BatchImportFindings); an account-region without Security Hub, or a denied call, is reported and never fails the sweep. Default false.',
      }),
  })
  .default({ import: false })
  .meta({ description: 'Importing the sweep\'s findings into AWS Security Hub (a custom integration, off by default).' });

export const policySchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'Path of the JSON Schema, for editors.' }),
    version: z.literal(POLICY_VERSION, {
      error: (i) =>
        i.input === undefined
          ? `is required: add "version: ${POLICY_VERSION}"`
          : `${show(i.input)} is not a supported policy version (this release reads version ${POLICY_VERSION})`,
    }),
    mode: z
      .enum(['enforce', 'report'], {
        error: (i) => (i.input === undefined ? 'is required: enforce (repair) or report (dry run)' : `${show(i.input)} is not one of enforce, report`),
      })
      .meta({ description: 'enforce: repair drift. report: a dry run that shows the exact calls it would make.' }),
    objective: z
      .enum(['coverage', 'everySource'], { error: (i) => `${show(i.input)} is not one of coverage, everySource` })
      .default('coverage')
      .meta({
        description:
          'coverage: every in-scope account-region analyzed by Insights once, on the cheapest carrier (usually the organization trail); other sources are left as they are. everySource: Insights on every selected trail and event data store (each billed separately).',
      }),
    trails: trails.default(trails.parse({})),
    eventDataStores: eventDataStores.default(eventDataStores.parse({})),
    scope,
    prerequisites,
    exemptions: z.array(exemption).default([]).meta({ description: 'Sources exempt from the policy, each with a reason and an expiry.' }),
    limits,
    coverage,
    securityHub,
  })
  .superRefine((p, ctx) => {
    sameInBoth(ctx, ['scope', 'accounts'], p.scope.accounts.include, p.scope.accounts.exclude, 'an account');
    sameInBoth(ctx, ['scope', 'organizationalUnits'], p.scope.organizationalUnits.include, p.scope.organizationalUnits.exclude, 'an OU');
    // Regions are different: include is an explicit list, so exclude subtracts from it (take a region out for a
    // while without editing the list), and listing a region in both is how that is written.
    if (p.scope.regions.include.length > 0 && p.scope.regions.include.every((r) => p.scope.regions.exclude.includes(r)))
      ctx.addIssue({ code: 'custom', path: ['scope', 'regions', 'exclude'], message: 'excludes every included region: nothing would be in scope' });
    if (p.trails.managementEventsOnDataOnlyTrails === 'add' && p.objective !== 'everySource')
      ctx.addIssue({
        code: 'custom',
        path: ['trails', 'managementEventsOnDataOnlyTrails'],
        message: 'add is allowed only with objective everySource: coverage never makes a data-only trail a billed second copy of management events',
      });
    if (p.coverage.redundant === 'disable' && p.objective !== 'coverage')
      ctx.addIssue({ code: 'custom', path: ['coverage', 'redundant'], message: 'disable is allowed only with objective coverage: everySource wants Insights on every source' });
    if (!p.trails.enabled && !p.eventDataStores.enabled)
      ctx.addIssue({ code: 'custom', path: ['eventDataStores', 'enabled'], message: 'trails and event data stores are both disabled: nothing would be in scope' });
    const dest = p.eventDataStores.destination;
    if (dest.strategy === 'create' && dest.billingMode === 'FIXED_RETENTION_PRICING' && dest.retentionPeriod > 2557)
      ctx.addIssue({
        code: 'custom',
        path: ['eventDataStores', 'destination', 'retentionPeriod'],
        message: `${dest.retentionPeriod} days is more than FIXED_RETENTION_PRICING allows (at most 2557)`,
      });
    if (dest.strategy === 'named') {
      const seen = new Map<string, number>();
      dest.stores.forEach((s, i) => {
        const key = `${s.account}/${s.region}`;
        const first = seen.get(key);
        if (first !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['eventDataStores', 'destination', 'stores', i],
            message: `account ${s.account} in ${s.region} already has a destination (stores[${first}])`,
          });
        else seen.set(key, i);
      });
    }
  })
  .meta({ title: 'cloudtrail-insights-remediator policy', description: 'The desired CloudTrail Insights state of an AWS Organization.' });

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type SourceSelection = Policy['trails']['select'];
export type Exemption = Policy['exemptions'][number];
export type DestinationPolicy = Policy['eventDataStores']['destination'];
export type CreateDestinationPolicy = Extract<DestinationPolicy, { strategy: 'create' }>;
export type Objective = Policy['objective'];

/** The JSON Schema for editor completion: the input side, so defaulted fields are optional. */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(policySchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
}
