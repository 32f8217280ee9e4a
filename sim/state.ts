/**
 * The simulator's live state: the organization, IAM roles and sessions, and every trail and event data store, with
 * the visibility and ownership rules CloudTrail applies when an account looks at them from a region. Loaded from a
 * World and dumped back to one.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SimClock } from './clock';
import type { World, WorldInput } from './world';

export type Selector = Record<string, unknown>;
export interface InsightSelectorRec {
  InsightType: 'ApiCallRateInsight' | 'ApiErrorRateInsight';
  EventCategories?: ('Management' | 'Data')[];
}
export interface Tag {
  Key: string;
  Value?: string;
}

export interface TrailRec {
  arn: string;
  name: string;
  account: string;
  homeRegion: string;
  multiRegion: boolean;
  organization: boolean;
  s3BucketName: string;
  s3KeyPrefix?: string;
  s3: 'ok' | 'accessDenied' | 'missing';
  kmsKeyId?: string;
  kms: 'ok' | 'broken';
  includeGlobalServiceEvents: boolean;
  logFileValidation: boolean;
  /** Absent until CreateTrail / UpdateTrail (or the world) sets it: CloudTrail's default is true. */
  recursiveLogging?: boolean;
  isLogging: boolean;
  startLoggingTime?: number;
  stopLoggingTime?: number;
  /** Never configured: GetEventSelectors answers with the default (all management events). */
  eventSelectors?: Selector[];
  advancedEventSelectors?: Selector[];
  insightSelectors: InsightSelectorRec[];
  tags: Tag[];
}

export type EdsStatus = 'CREATED' | 'ENABLED' | 'PENDING_DELETION' | 'STARTING_INGESTION' | 'STOPPING_INGESTION' | 'STOPPED_INGESTION';

export interface EdsRec {
  arn: string;
  id: string;
  name: string;
  account: string;
  region: string;
  multiRegion: boolean;
  organization: boolean;
  terminationProtection: boolean;
  retentionPeriod: number;
  billingMode: 'EXTENDABLE_RETENTION_PRICING' | 'FIXED_RETENTION_PRICING';
  kmsKeyId?: string;
  status: EdsStatus;
  /** A transitional status settles into `to` at `at` (sim clock, ms). */
  transition?: { to: EdsStatus; at: number };
  /** When PENDING_DELETION began: the store is gone 7 days later (`com.amazonaws.cloudtrail#DeleteEventDataStore`). */
  deletionStartedAt?: number;
  advancedEventSelectors: Selector[];
  insightSelectors: InsightSelectorRec[];
  insightsDestination?: string;
  tags: Tag[];
  created: number;
  updated: number;
}

export interface Caller {
  account: string;
  accessKeyId: string;
  kind: 'user' | 'role';
  /** IAM user name, or the role name. */
  name: string;
  sessionName?: string;
  arn: string;
  userId: string;
}

interface Session extends Caller {
  expiresAt: number;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * What SigV4 verification needs for an access key: who it is, its secret, and for an AssumeRole session the token and
 * expiry STS handed out with it.
 */
export interface KeyCredentials {
  caller: Caller;
  secretAccessKey: string;
  /** Session credentials only: the token every request must carry (X-Amz-Security-Token). */
  sessionToken?: string;
  expiresAt?: number;
}

/**
 * The secret of every long-term key the world gives none: a world principal without `secretAccessKey`, and the implicit
 * key of each account (a 12-digit access key id is that account's IAM user "admin"). Documented in docs/simulator.md;
 * it is the `AWS_SECRET_ACCESS_KEY=x` the README and `insights-remediator sim` print.
 */
export const DEFAULT_SECRET_ACCESS_KEY = 'x';

/**
 * The stored form of basic selectors, as GetEventSelectors and PutEventSelectors answer it: ReadWriteType (default
 * All), IncludeManagementEvents (default true), DataResources and ExcludeManagementEventSources (default empty) always
 * present (the answers shown in
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html).
 */
export function storedBasicSelectors(selectors: Selector[]): Selector[] {
  return selectors.map((s) => ({
    ReadWriteType: s.ReadWriteType ?? 'All',
    IncludeManagementEvents: s.IncludeManagementEvents ?? true,
    DataResources: s.DataResources ?? [],
    ExcludeManagementEventSources: s.ExcludeManagementEventSources ?? [],
  }));
}

export const DEFAULT_MANAGEMENT_SELECTORS: Selector[] = [{ Name: 'Default management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];
export const PENDING_DELETION_MS = 7 * 24 * 3_600_000;

const storeId = (account: string, region: string, name: string) => {
  const h = createHash('sha256').update(`${account}/${region}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const toTags = (t: Record<string, string>): Tag[] => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
const fromTags = (t: Tag[]): Record<string, string> => Object.fromEntries(t.map((x) => [x.Key, x.Value ?? '']));

export class SimState {
  readonly trails = new Map<string, TrailRec>();
  /** Indexes so a call looks only at its account's resources and the organization's (5,000 accounts x 17 regions). */
  private readonly trailsByAccount = new Map<string, Set<TrailRec>>();
  private readonly organizationTrails = new Set<TrailRec>();
  private readonly storesByRegion = new Map<string, Set<EdsRec>>();
  /** Simulated milliseconds an event data store spends in a transitional status. */
  transitionMs = 100;
  readonly stores = new Map<string, EdsRec>();
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly world: World,
    readonly clock: SimClock,
  ) {
    const now = clock.nowMs();
    for (const t of world.trails) {
      const arn = `arn:${partitionOf(t.homeRegion)}:cloudtrail:${t.homeRegion}:${t.account}:trail/${t.name}`;
      this.addTrail({
        arn,
        name: t.name,
        account: t.account,
        homeRegion: t.homeRegion,
        multiRegion: t.multiRegion,
        organization: t.organization,
        s3BucketName: t.s3BucketName,
        ...(t.s3KeyPrefix !== undefined && { s3KeyPrefix: t.s3KeyPrefix }),
        s3: t.s3,
        ...(t.kmsKeyId !== undefined && { kmsKeyId: t.kmsKeyId }),
        kms: t.kms,
        includeGlobalServiceEvents: t.includeGlobalServiceEvents,
        logFileValidation: false,
        ...(t.recursiveLogging !== undefined && { recursiveLogging: t.recursiveLogging }),
        isLogging: t.logging,
        ...(t.startLoggingTime !== undefined ? { startLoggingTime: Date.parse(t.startLoggingTime) } : t.logging ? { startLoggingTime: now - 30 * 86_400_000 } : {}),
        ...(t.stopLoggingTime !== undefined && { stopLoggingTime: Date.parse(t.stopLoggingTime) }),
        ...(t.eventSelectors && { eventSelectors: storedBasicSelectors(t.eventSelectors) }),
        ...(t.advancedEventSelectors && { advancedEventSelectors: t.advancedEventSelectors }),
        insightSelectors: t.insightSelectors,
        tags: toTags(t.tags),
      });
    }
    for (const t of this.trails.values()) this.reindexTrail(t);
    for (const s of world.eventDataStores) {
      const id = s.id ?? storeId(s.account, s.region, s.name);
      const arn = `arn:${partitionOf(s.region)}:cloudtrail:${s.region}:${s.account}:eventdatastore/${id}`;
      const created = s.createdTimestamp ? Date.parse(s.createdTimestamp) : now - 90 * 86_400_000;
      this.addStore({
        arn,
        id,
        name: s.name,
        account: s.account,
        region: s.region,
        multiRegion: s.multiRegion,
        organization: s.organization,
        terminationProtection: s.terminationProtection,
        retentionPeriod: s.retentionPeriod,
        billingMode: s.billingMode,
        ...(s.kmsKeyId !== undefined && { kmsKeyId: s.kmsKeyId }),
        status: s.status,
        ...(s.status === 'PENDING_DELETION' && { deletionStartedAt: now }),
        advancedEventSelectors: s.advancedEventSelectors ?? DEFAULT_MANAGEMENT_SELECTORS,
        insightSelectors: s.insightSelectors,
        tags: toTags(s.tags),
        created,
        updated: created,
      });
    }
    // Destinations may be written as ids: resolve them in the store's account and region.
    for (const s of this.stores.values()) {
      const raw = world.eventDataStores.find((w) => (w.id ?? storeId(w.account, w.region, w.name)) === s.id && w.account === s.account)?.insightsDestination;
      if (raw) s.insightsDestination = raw.startsWith('arn:') ? raw : `arn:${partitionOf(s.region)}:cloudtrail:${s.region}:${s.account}:eventdatastore/${raw}`;
    }
  }

  addTrail(t: TrailRec): void {
    this.trails.set(t.arn, t);
    const own = this.trailsByAccount.get(t.account) ?? new Set();
    own.add(t);
    this.trailsByAccount.set(t.account, own);
  }

  removeTrail(t: TrailRec): void {
    this.trails.delete(t.arn);
    this.trailsByAccount.get(t.account)?.delete(t);
    this.organizationTrails.delete(t);
  }

  /** Call after changing a trail's organization flag. */
  reindexTrail(t: TrailRec): void {
    if (t.organization) this.organizationTrails.add(t);
    else this.organizationTrails.delete(t);
  }

  /** The account's own trails and the organization's: the only ones that can cover it. */
  coveringTrails(account: string): TrailRec[] {
    return [...this.trailsOf(account), ...this.organizationTrails];
  }

  trailsOf(account: string): TrailRec[] {
    return [...(this.trailsByAccount.get(account) ?? [])];
  }

  addStore(s: EdsRec): void {
    this.stores.set(s.arn, s);
    const here = this.storesByRegion.get(s.region) ?? new Set();
    here.add(s);
    this.storesByRegion.set(s.region, here);
  }

  private removeStore(s: EdsRec): void {
    this.stores.delete(s.arn);
    this.storesByRegion.get(s.region)?.delete(s);
  }

  // ---- organization -------------------------------------------------------------------------------------------

  get org() {
    return this.world.organization;
  }

  account(id: string) {
    return this.org.accounts.find((a) => a.id === id);
  }

  /** Accounts that are members of the organization now (not closed). */
  inOrganization(id: string): boolean {
    const a = this.account(id);
    return a !== undefined && a.state !== 'CLOSED';
  }

  isManagement(id: string): boolean {
    return id === this.org.managementAccount;
  }

  isDelegatedAdmin(id: string, servicePrincipal = 'cloudtrail.amazonaws.com'): boolean {
    return this.org.delegatedAdministrators.some((d) => d.account === id && d.servicePrincipal === servicePrincipal);
  }

  // ---- callers --------------------------------------------------------------------------------------------------

  /**
   * An access key's identity and secret: an AssumeRole session (its secret, token and expiry), a world principal (its
   * `secretAccessKey`, else the default), or a 12-digit key meaning that account's IAM user "admin" (the default
   * secret). Undefined: no such key.
   */
  credentialsFor(accessKeyId: string): KeyCredentials | undefined {
    const session = this.sessions.get(accessKeyId);
    if (session) {
      const { expiresAt, secretAccessKey, sessionToken, ...caller } = session;
      return { caller, secretAccessKey, sessionToken, expiresAt };
    }
    const p = this.world.principals.find((x) => x.accessKeyId === accessKeyId);
    const account = p?.account ?? (/^\d{12}$/.test(accessKeyId) ? accessKeyId : undefined);
    if (!account || !this.account(account)) return undefined;
    const name = p?.userName ?? 'admin';
    const partition = partitionOfAccountHome(this.world);
    return {
      caller: { account, accessKeyId, kind: 'user', name, arn: `arn:${partition}:iam::${account}:user/${name}`, userId: `AIDA${hash(`${account}/${name}`, 17)}` },
      secretAccessKey: p?.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY,
    };
  }

  /** The role of this name in the account, with whom it trusts and its maximum session duration (seconds). */
  roleExists(account: string, name: string): { trustedAccounts: string[]; maxSessionDuration: number } | undefined {
    const role = this.world.roles.find((r) => r.name === name && (r.accounts === 'all' || r.accounts.includes(account)));
    return role && this.account(account) ? { trustedAccounts: role.trustedAccounts, maxSessionDuration: role.maxSessionDuration } : undefined;
  }

  openSession(account: string, roleName: string, sessionName: string, durationSeconds: number): Session {
    const accessKeyId = `ASIA${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const roleId = `AROA${hash(`${account}/${roleName}`, 17)}`;
    const session: Session = {
      account,
      accessKeyId,
      kind: 'role',
      name: roleName,
      sessionName,
      arn: `arn:${partitionOfAccountHome(this.world)}:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      expiresAt: this.clock.nowMs() + durationSeconds * 1000,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `${Buffer.from(`sim-session/${accessKeyId}/`).toString('base64')}${randomBytes(48).toString('base64')}`,
    };
    this.sessions.set(accessKeyId, session);
    return session;
  }

  // ---- trails ---------------------------------------------------------------------------------------------------

  /**
   * The trails an account sees from a region (DescribeTrails,
   * `com.amazonaws.cloudtrail#DescribeTrailsRequest$includeShadowTrails`): its own trails homed there; with shadows,
   * its multi-region trails homed elsewhere and the organization's trails (members see them, read-only).
   */
  visibleTrails(account: string, region: string, includeShadows: boolean): TrailRec[] {
    const candidates = new Set([...this.trailsOf(account), ...(includeShadows ? this.organizationTrails : [])]);
    return [...candidates].filter((t) => {
      const home = t.account === account && t.homeRegion === region;
      if (home) return true;
      if (!includeShadows) return false;
      const reachesRegion = t.multiRegion || t.homeRegion === region;
      if (t.account === account) return t.multiRegion;
      return t.organization && reachesRegion && this.inOrganization(account) && this.account(account)?.state === 'ACTIVE';
    });
  }

  // ---- event data stores ----------------------------------------------------------------------------------------

  /** Settles transitional statuses and finishes deletions whose 7 days have passed. */
  settle(store: EdsRec): EdsRec | undefined {
    const now = this.clock.nowMs();
    if (store.transition && store.transition.at <= now) {
      store.status = store.transition.to;
      delete store.transition;
    }
    if (store.status === 'PENDING_DELETION' && store.deletionStartedAt !== undefined && now - store.deletionStartedAt >= PENDING_DELETION_MS) {
      this.removeStore(store);
      return undefined;
    }
    return store;
  }

  /**
   * Stores an account sees in a region: its own, and for the delegated administrator the organization's. "Member
   * accounts can't see the organization event data store, nor can they modify or delete it"
   * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake-organizations.html).
   */
  visibleStores(account: string, region: string): EdsRec[] {
    return [...(this.storesByRegion.get(region) ?? [])]
      .filter((s) => s.account === account || (s.organization && this.isDelegatedAdmin(account)))
      .map((s) => this.settle(s))
      .filter((s): s is EdsRec => s !== undefined);
  }

  // ---- dump ------------------------------------------------------------------------------------------------------

  dump(): WorldInput {
    return {
      ...this.world,
      trails: [...this.trails.values()].map((t) => ({
        account: t.account,
        name: t.name,
        homeRegion: t.homeRegion,
        multiRegion: t.multiRegion,
        organization: t.organization,
        s3BucketName: t.s3BucketName,
        ...(t.s3KeyPrefix !== undefined && { s3KeyPrefix: t.s3KeyPrefix }),
        s3: t.s3,
        ...(t.kmsKeyId !== undefined && { kmsKeyId: t.kmsKeyId }),
        kms: t.kms,
        includeGlobalServiceEvents: t.includeGlobalServiceEvents,
        ...(t.recursiveLogging !== undefined && { recursiveLogging: t.recursiveLogging }),
        logging: t.isLogging,
        ...(t.startLoggingTime !== undefined && { startLoggingTime: iso(t.startLoggingTime) }),
        ...(t.stopLoggingTime !== undefined && { stopLoggingTime: iso(t.stopLoggingTime) }),
        ...(t.eventSelectors && { eventSelectors: t.eventSelectors }),
        ...(t.advancedEventSelectors && { advancedEventSelectors: t.advancedEventSelectors }),
        insightSelectors: t.insightSelectors,
        tags: fromTags(t.tags),
      })),
      eventDataStores: [...this.stores.values()]
        .map((s) => this.settle(s))
        .filter((s): s is EdsRec => s !== undefined)
        .map((s) => ({
          account: s.account,
          region: s.region,
          id: s.id,
          name: s.name,
          status: s.status,
          multiRegion: s.multiRegion,
          organization: s.organization,
          terminationProtection: s.terminationProtection,
          retentionPeriod: s.retentionPeriod,
          billingMode: s.billingMode,
          ...(s.kmsKeyId !== undefined && { kmsKeyId: s.kmsKeyId }),
          advancedEventSelectors: s.advancedEventSelectors,
          insightSelectors: s.insightSelectors,
          ...(s.insightsDestination !== undefined && { insightsDestination: s.insightsDestination }),
          createdTimestamp: iso(s.created),
          tags: fromTags(s.tags),
        })),
    } as WorldInput;
  }
}

/**
 * The partition of a Region, as the AWS SDKs' partition table defines them by `regionRegex`
 * (https://github.com/aws/aws-sdk-js-v3/blob/main/packages/util-endpoints/src/lib/aws/partitions.json): `cn-` aws-cn,
 * `us-gov-` aws-us-gov, `us-iso-` aws-iso, `us-isob-` aws-iso-b, `eusc-` aws-eusc (the AWS European Sovereign Cloud,
 * `^eusc\-(de)\-\w+\-\d+$`, Region eusc-de-east-1), else aws.
 */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/** An organization lives in one partition: the one of the Regions its world places trails and stores in. */
function partitionOfAccountHome(world: World): string {
  const region = world.trails[0]?.homeRegion ?? world.eventDataStores[0]?.region;
  return region ? partitionOf(region) : 'aws';
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length).toUpperCase();
}
