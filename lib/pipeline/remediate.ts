/**
 * The one pipeline both modes share: for each target account-region (or one source in it), read -> decide -> apply ->
 * verify, and report findings, outcomes, the Insights clock facts the ledger must store, and each source as a carrier
 * of Insights after the run (lib/domain/carriers.ts), from which coverage is judged organization-wide
 * (lib/pipeline/coverage.ts). `apply: false` stops after the decisions: a coverage survey, whose repairs are chosen
 * once every account-region is known. Account-regions run concurrently; a failure in one (a missing member role, a
 * quota) is contained there and reported, never lost.
 *
 * An Insights destination the policy lets the product create (eventDataStores.destination strategy create) is made
 * once per scope (the account, or the account-region): the writes that create one run under a lock on the scope
 * (this process: the sweep reads and writes an account's regions in one place), after the account's stores in its
 * other policy regions are read (perAccount), so a region that comes second uses the store the first one made; within
 * a run, a scope whose destination was already planned (report mode) or failed is named by reference, never created
 * twice.
 */
import type { Action } from '../domain/actions';
import { clockAfter } from '../domain/actions';
import { carrierOf, type Carrier } from '../domain/carriers';
import type { CoverageJudgement } from '../domain/coverage-plan';
import { decide, type Blocker, type Decision } from '../domain/decide';
import type { ClockFacts } from '../domain/insights-clock';
import type { SourceKind, SourceState } from '../domain/model';
import type { Policy } from '../policy/schema';
import { applyPlan, localBudget, type CreatedDestinations, type Outcome, type WriteBudget } from '../aws/apply';
import { classifyError, REMEDY_FOR_REFUSAL, type ClassifiedError } from '../aws/classify-error';
import type { AwsClients } from '../aws/clients';
import { readAccountRegion, type AccountRegionRead, type NotSelected, type ShadowCopy } from '../aws/read';
import { readEventDataStoresElsewhere } from '../aws/stores-elsewhere';
import { regionsInScope } from '../domain/scope';

export type Target = { kind: 'accountRegion'; accountId: string; region: string } | { kind: 'source'; accountId: string; region: string; arn: string };

/** What the ledger knows about a source's Insights clock (issue 5 stores it in DynamoDB). */
export interface ClockLedger {
  clockFacts(arn: string): Promise<ClockFacts | undefined>;
}

export interface RemediateDeps {
  policy: Policy;
  aws: AwsClients;
  managementAccountId: string;
  now: () => Date;
  ledger?: ClockLedger;
  /** Shared across the run; default: the policy's limits.maxWritesPerSweep. */
  budget?: WriteBudget;
  /** Account-regions processed at once (each is paced by its own CloudTrail budget). Default 8. */
  concurrency?: number;
  /** OU path of an account, when the policy scopes by OU. */
  ouPath?: (accountId: string) => string[] | undefined;
  /**
   * false: read and decide only (no write, no verify). A function: write only the sources it accepts, given their
   * decision and what they are as carriers before the write (the event path under the coverage objective). Default true.
   */
  apply?: boolean | ((decision: Decision, carrier: Carrier | undefined) => boolean);
  /** Brackets each source's writes (lock, breaker, fresh read); absent: the caller already holds what it needs. */
  gate?: SourceGate;
  /**
   * Told of a source's writes just before they are made (enforce mode): the ledger records them first, so a crash
   * after CloudTrail took them loses neither the write nor its effect on the Insights clock.
   */
  /** Asked before every write: false when the source's lock lapsed (lib/ledger/ledger.ts `mayAct`). */
  mayAct?: (sourceArn: string) => boolean;
  beforeWrite?: (source: { arn: string; kind: SourceKind; accountId: string; region: string }, actions: readonly Action[], clock: { from: ClockFacts; to: ClockFacts }) => Promise<void>;
  /** Shared by the remediate() calls of one run that may create Insights destinations; default: one per call. */
  destinations?: DestinationRegistry;
}

/**
 * Insights destinations created or planned in a run: per scope (account, or account/region) the reference of the
 * store one source's plan creates and which source plans it, the ARNs CloudTrail answered, and one lock per scope.
 */
export interface DestinationRegistry {
  claims: Map<string, { ref: string; by: string }>;
  created: CreatedDestinations;
  exclusive<T>(scope: string, run: () => Promise<T>): Promise<T>;
}

/**
 * The scope locks are the process's, not a run's: the sweep runs an account's regions as separate account-region runs
 * on one container's lanes (lib/sweep/sweep.ts sweepOne), and they must still create one destination between them.
 */
const scopeLocks = new Map<string, Promise<unknown>>();

export function destinationRegistry(): DestinationRegistry {
  const tails = scopeLocks;
  return {
    claims: new Map(),
    created: new Map(),
    exclusive<T>(scope: string, run: () => Promise<T>): Promise<T> {
      const result = (tails.get(scope) ?? Promise.resolve()).then(run, run);
      const tail = result.catch(() => undefined);
      tails.set(scope, tail);
      void tail.then(() => tails.get(scope) === tail && tails.delete(scope));
      return result;
    },
  };
}

/**
 * Brackets one source's writes (the sweep, which reads an account-region long before it writes): `write` runs while
 * nothing else writes the source (its lock in the ledger), given the source's clock facts as they are now and whether
 * the ledger saw the source change since it was read; the gate answers why not instead when the source must not be
 * written now (its circuit breaker is open).
 */
export interface SourceGate {
  hold(source: { arn: string; kind: SourceKind }, write: (now: { clock: ClockFacts | undefined; changed: boolean }) => Promise<GatedWrite>): Promise<GatedWrite | { refused: string }>;
}

export interface GatedWrite {
  decision: Decision;
  state: SourceState;
  outcomes: Outcome[];
}

export interface ClockUpdate {
  arn: string;
  kind: SourceKind;
  facts: ClockFacts;
  /**
   * What `facts` were computed from, for a three-way merge with what the ledger holds by the time they are written
   * (lib/domain/insights-clock.ts mergeClockFacts): the clock the run read, or the write-ahead clock it recorded
   * before writing (so a write that failed after all takes its restart back).
   */
  base: ClockFacts | undefined;
}

export interface AccountRegionResult {
  accountId: string;
  region: string;
  /** done; unreachable: the member role is missing or denied; failed: the read failed otherwise (retry later). */
  status: 'done' | 'unreachable' | 'failed';
  error?: ClassifiedError;
  decisions: Decision[];
  notSelected: NotSelected[];
  shadows: ShadowCopy[];
  outcomes: Outcome[];
  /** Sources written and read again: converged when planning again finds nothing to do. */
  verified: {
    arn: string;
    converged: boolean;
    remaining: Action[];
    error?: ClassifiedError;
    /** The source's Insights clock as read back, with the windows its writes started at the moments they were made. */
    clock?: Decision['clock'];
  }[];
  clockUpdates: ClockUpdate[];
  /** Its home sources as carriers of Insights, as they stand after this run's writes. */
  carriers: Carrier[];
  /** Set once coverage is judged organization-wide (lib/pipeline/coverage.ts). */
  coverage?: CoverageJudgement;
}

/**
 * Why AWS may answer differently if the account-region is tried again: its read failed for a retryable reason
 * (throttled, 5xx), or a write was refused for one (also a store changing state). Undefined when neither happened.
 */
export function retryableFailure(r: AccountRegionResult): string | undefined {
  if (r.status === 'failed' && r.error?.retryable) return `${r.accountId}/${r.region}: ${r.error.name}: ${r.error.message}`;
  const write = r.outcomes.find((o) => o.status === 'failed' && o.error.retryable);
  if (write?.status === 'failed') return `${write.action.operation} on ${write.action.sourceArn}: ${write.error.name}: ${write.error.message}`;
  return undefined;
}

export interface RemediationResult {
  mode: Policy['mode'];
  results: AccountRegionResult[];
  writesApplied: number;
  writeBudgetLeft: number;
}

export async function remediate(targets: readonly Target[], deps: RemediateDeps): Promise<RemediationResult> {
  const budget = deps.budget ?? localBudget(deps.policy.limits.maxWritesPerSweep);
  deps = deps.destinations ? deps : { ...deps, destinations: destinationRegistry() };
  const groups = new Map<string, { accountId: string; region: string; only: Set<string> | undefined }>();
  for (const t of targets) {
    const key = `${t.accountId}/${t.region}`;
    const g = groups.get(key) ?? { accountId: t.accountId, region: t.region, only: new Set<string>() };
    // A whole account-region wins over single sources in it.
    if (t.kind === 'accountRegion') g.only = undefined;
    else g.only?.add(t.arn);
    groups.set(key, g);
  }
  const queue = [...groups.values()];
  const results: AccountRegionResult[] = [];
  const worker = async () => {
    for (let g = queue.shift(); g; g = queue.shift()) results.push(await remediateAccountRegion(g, deps, budget));
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 8, queue.length) }, worker));
  results.sort((a, b) => `${a.accountId}/${a.region}`.localeCompare(`${b.accountId}/${b.region}`));
  return {
    mode: deps.policy.mode,
    results,
    writesApplied: results.reduce((n, r) => n + r.outcomes.filter((o) => o.status === 'applied').length, 0),
    writeBudgetLeft: budget.left() ?? 0,
  };
}

/** One pass over the account-region, reading in detail only the named sources when there are any. */
const readAll = (deps: RemediateDeps, where: { accountId: string; region: string }, only: Set<string> | undefined): Promise<AccountRegionRead> =>
  readAccountRegion(deps.aws.cloudTrail(where.accountId, where.region), deps.policy, where, { ...(only && { only }), clientFor: (region) => deps.aws.cloudTrail(where.accountId, region) });

async function remediateAccountRegion(g: { accountId: string; region: string; only: Set<string> | undefined }, deps: RemediateDeps, budget: WriteBudget): Promise<AccountRegionResult> {
  const where = { accountId: g.accountId, region: g.region };
  const empty = { ...where, decisions: [], notSelected: [], shadows: [], outcomes: [], verified: [], clockUpdates: [], carriers: [] };
  let read: AccountRegionRead;
  try {
    read = await readAll(deps, where, g.only);
  } catch (e) {
    const error = classifyError(e);
    return { ...empty, status: error.class === 'accessDenied' ? 'unreachable' : 'failed', error };
  }

  const now = deps.now();
  const context = { managementAccountId: deps.managementAccountId, eventDataStoresInAccount: read.eventDataStores, unreadDestinations: read.unreadDestinations, accountOuPath: deps.ouPath?.(g.accountId) };
  const creates = deps.policy.eventDataStores.destination.strategy === 'create' ? deps.policy.eventDataStores.destination : undefined;
  const destinationScope = creates?.scope === 'perRegion' ? `${g.accountId}/${g.region}` : g.accountId;
  const registry = deps.destinations ?? destinationRegistry();
  const bases = new Map<string, ClockFacts | undefined>();
  const decisions = await Promise.all(
    read.sources.map(async (source) => {
      const clockFacts = await deps.ledger?.clockFacts(source.arn);
      bases.set(source.arn, clockFacts);
      return decide({ policy: deps.policy, source, context, clockFacts, now });
    }),
  );
  const carrierOfRead = (i: number) => carrierOf(deps.policy, read.sources[i]!, decisions[i]!, context);
  if (deps.apply === false) {
    const carriers = decisions.map((_, i) => carrierOfRead(i)).filter((c): c is Carrier => c !== undefined);
    const clockUpdates = decisions.filter((d) => d.clockFactsChanged).map((d) => ({ arn: d.source.arn, kind: d.source.kind, facts: d.clockFacts, base: bases.get(d.source.arn) }));
    return { ...empty, status: 'done', decisions, notSelected: read.notSelected, shadows: read.shadows, clockUpdates, carriers };
  }
  const accepts = deps.apply;
  const sources = [...read.sources];
  const accepted = (d: Decision, i: number) => d.actions.length > 0 && (typeof accepts !== 'function' || accepts(d, carrierOf(deps.policy, sources[i]!, d, context)));
  const at = now.toISOString();
  const announced = new Set<string>();
  const write = async (d: Decision): Promise<Outcome[]> => {
    if (deps.policy.mode === 'enforce' && deps.beforeWrite) {
      // The write-ahead clock is as of now, not the run's start: a window cannot have begun before its write.
      const to = clockAfter(d.clockFacts, d.actions.map((action) => ({ action })), deps.now().toISOString());
      await deps.beforeWrite({ arn: d.source.arn, kind: d.source.kind, accountId: g.accountId, region: g.region }, d.actions, { from: d.clockFacts, to });
      bases.set(d.source.arn, to);
      announced.add(d.source.arn);
    }
    return applyPlan((a, r) => deps.aws.cloudTrail(a, r), d.actions, { mode: deps.policy.mode, budget, now: deps.now, created: registry.created, ...(deps.mayAct && { mayAct: deps.mayAct }) });
  };
  /**
   * One destination per scope: the first plan that creates it claims it; any other names the claimed store (by its ARN
   * once created, else by reference, which the executor resolves or, when the create failed, skips).
   */
  const share = (d: Decision): Decision => {
    const create = d.actions.find((a): a is Extract<Action, { kind: 'createInsightsDestination' }> => a.kind === 'createInsightsDestination');
    if (!create) return d;
    const claim = registry.claims.get(destinationScope);
    if (!claim || claim.by === d.source.arn) {
      registry.claims.set(destinationScope, { ref: create.creates, by: d.source.arn });
      return d;
    }
    const named = registry.created.get(claim.ref) ?? claim.ref;
    const actions = d.actions
      .filter((a) => a !== create)
      .map((a) => (a.kind === 'putInsightSelectors' && 'InsightsDestination' in a.input ? { ...a, why: a.why.replace(create.creates, named), input: { ...a.input, InsightsDestination: named } } : a));
    return { ...d, actions };
  };
  const plansCreate = (d: Decision) => d.actions.some((a) => a.kind === 'createInsightsDestination');
  const outcomes: Outcome[] = [];
  const writeAll = async () => {
    for (const [i, d0] of decisions.entries()) {
      if (!accepted(d0, i)) continue;
      const d = share(d0);
      decisions[i] = d;
      if (!deps.gate || deps.policy.mode === 'report') {
        outcomes.push(...(await write(d)));
        continue;
      }
      const gated = await deps.gate
        .hold(d.source, async ({ clock, changed }) => {
          // Someone (an event) changed the source since it was read: decide again on what it is now.
          const state = changed ? (await readAll(deps, where, new Set([d.source.arn]))).sources.find((x) => x.arn === d.source.arn) : sources[i]!;
          if (!state) return { decision: d, state: sources[i]!, outcomes: d.actions.map((action) => ({ action, status: 'skipped' as const, reason: 'gone since the sweep read it' })) };
          bases.set(d.source.arn, clock);
          const fresh = changed ? share(decide({ policy: deps.policy, source: state, context, clockFacts: clock, now })) : d;
          return { decision: fresh, state, outcomes: accepted(fresh, i) ? await write(fresh) : [] };
        })
        .catch((e: unknown) => ({ refused: `${classifyError(e).name}: ${classifyError(e).message}` }));
      if ('refused' in gated) {
        outcomes.push(...d.actions.map((action) => ({ action, status: 'skipped' as const, reason: gated.refused })));
        continue;
      }
      decisions[i] = gated.decision;
      sources[i] = gated.state;
      outcomes.push(...gated.outcomes);
    }
  };
  if (creates && decisions.some((d, i) => accepted(d, i) && plansCreate(d))) {
    await registry.exclusive(destinationScope, async () => {
      // Only now, with a create about to be made: the account's stores in its other policy regions, where an Insight
      // store (perhaps made a moment ago for another region) serves this one too.
      if (creates.scope === 'perAccount') {
        const others = regionsInScope(deps.policy).filter((r) => r !== g.region);
        try {
          const elsewhere = await readEventDataStoresElsewhere((r) => deps.aws.cloudTrail(g.accountId, r), g.accountId, others);
          context.eventDataStoresInAccount = [...read.eventDataStores, ...elsewhere.filter((s) => !read.eventDataStores.some((x) => x.arn === s.arn))];
        } catch (e) {
          // Without the other regions a second destination could be made: no create this time, the next check retries.
          const error = classifyError(e);
          for (const [i, d] of decisions.entries())
            if (plansCreate(d)) decisions[i] = { ...d, actions: [], finding: { ...d.finding, summary: `${d.finding.summary}; the account's other regions could not be read (${error.name}: ${error.message}), so no destination is created now` } };
          return writeAll();
        }
        for (const [i, d] of decisions.entries()) if (plansCreate(d)) decisions[i] = decide({ policy: deps.policy, source: sources[i]!, context, clockFacts: bases.get(d.source.arn), now });
      }
      await writeAll();
    });
  } else await writeAll();

  // A write AWS refused for a reason only a person can remove makes the finding not remediable, with that remedy.
  for (const [i, d] of decisions.entries()) {
    const refused = outcomes.find((o): o is Extract<Outcome, { status: 'failed' }> => o.status === 'failed' && o.action.sourceArn === d.source.arn && o.error.class in NEEDS_A_PERSON);
    if (refused) decisions[i] = refusedByAws(d, refused);
  }

  const clockUpdates: ClockUpdate[] = [];
  for (const d of decisions) {
    const applied = outcomes.filter((o): o is Extract<Outcome, { status: 'applied' }> => o.status === 'applied' && o.action.sourceArn === d.source.arn);
    const facts = clockAfter(d.clockFacts, applied, at);
    // A source whose writes were announced but not made has its write-ahead clock to take back.
    if (d.clockFactsChanged || facts !== d.clockFacts || announced.has(d.source.arn)) clockUpdates.push({ arn: d.source.arn, kind: d.source.kind, facts, base: bases.get(d.source.arn) });
  }

  // Verify: read the written sources again and decide again with the clocks the writes set; a converged source has
  // nothing left to do, and is the carrier it now is.
  const written = [...new Set(outcomes.filter((o) => o.status === 'applied').map((o) => o.action.sourceArn))];
  const verified: AccountRegionResult['verified'] = [];
  const after = new Map<string, Carrier | undefined>();
  if (written.length) {
    try {
      const again = await readAll(deps, where, new Set(written));
      const againContext = { ...context, eventDataStoresInAccount: again.eventDataStores.length ? again.eventDataStores : read.eventDataStores };
      for (const arn of written) {
        const state = again.sources.find((x) => x.arn === arn);
        const facts = clockUpdates.find((u) => u.arn === arn)?.facts;
        const d = state && decide({ policy: deps.policy, source: state, context: againContext, ...(facts && { clockFacts: facts }), now: deps.now() });
        verified.push({ arn, converged: d !== undefined && d.actions.length === 0, remaining: d?.actions ?? [], ...(d && { clock: d.clock }) });
        after.set(arn, state && d && carrierOf(deps.policy, state, d, againContext));
      }
    } catch (e) {
      // The writes stand; only the confirmation is missing, and the next check will see the state.
      const error = classifyError(e);
      for (const arn of written) verified.push({ arn, converged: false, remaining: [], error });
    }
  }
  const carriers = decisions
    .map((d, i) => (after.has(d.source.arn) ? after.get(d.source.arn) : carrierOf(deps.policy, sources[i]!, d, context)))
    .filter((c): c is Carrier => c !== undefined);
  return { ...where, status: 'done', decisions, notSelected: read.notSelected, shadows: read.shadows, outcomes, verified, clockUpdates, carriers };
}

/** The refusals that make a source not remediable by the product, and the blocker code each is reported with. */
const NEEDS_A_PERSON: Partial<Record<ClassifiedError['class'], Blocker['code']>> = {
  blockedByPolicy: 'blockedByOrganizationPolicy',
  deliveryPrerequisite: 'deliveryRefused',
  quotaReached: 'eventDataStoreLimitReached',
};

function refusedByAws(d: Decision, o: Extract<Outcome, { status: 'failed' }>): Decision {
  const code = NEEDS_A_PERSON[o.error.class]!;
  const remedy = REMEDY_FOR_REFUSAL[o.error.class]!;
  const message = `${o.action.operation} refused: ${o.error.name}: ${o.error.message}`;
  return {
    ...d,
    finding: { ...d.finding, status: 'not-remediable', summary: `${d.finding.summary}; ${message}; not remediable by the product: ${remedy}`, blockers: [...d.finding.blockers, { code, message, remedy, transient: false }] },
  };
}

