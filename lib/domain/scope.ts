/**
 * Who the policy applies to: accounts (directly or through their OU path), regions, sources selected by
 * name and tag, and exemptions with their expiry. Pure functions of (policy, facts, now).
 */
import type { SourceKind, Tags } from './model';
import { matchesAnyGlob, matchesGlob } from './glob';
import type { Exemption, Policy, SourceSelection } from '../policy/schema';

export type ScopeVerdict = { inScope: true } | { inScope: false; reason: string };

const IN: ScopeVerdict = { inScope: true };

/**
 * An account is in scope when no include list is set or it is included directly or through an OU on its path,
 * and it is neither excluded directly nor through an OU. Exclusion wins.
 */
/** Whether the policy scopes accounts by organizational unit (then every judgement needs the account's OU path). */
export const usesOrganizationalUnits = (policy: Pick<Policy, 'scope'>): boolean => policy.scope.organizationalUnits.include.length > 0 || policy.scope.organizationalUnits.exclude.length > 0;

export function accountScope(policy: Policy, accountId: string, ouPath?: readonly string[]): ScopeVerdict {
  const { accounts, organizationalUnits: ous } = policy.scope;
  if (usesOrganizationalUnits(policy) && ouPath === undefined) {
    // A programming error, not bad input: the caller must read the organization when the policy scopes by OU.
    throw new Error(`accountScope: the OU path of account ${accountId} is required because the policy scopes by organizational unit`);
  }
  const path = ouPath ?? [];
  if (accounts.exclude.includes(accountId)) return { inScope: false, reason: `account ${accountId} is excluded by scope.accounts.exclude` };
  const excludedOu = path.find((ou) => ous.exclude.includes(ou));
  if (excludedOu) return { inScope: false, reason: `account ${accountId} is in ${excludedOu}, excluded by scope.organizationalUnits.exclude` };
  if (accounts.include.length === 0 && ous.include.length === 0) return IN;
  if (accounts.include.includes(accountId) || path.some((ou) => ous.include.includes(ou))) return IN;
  return { inScope: false, reason: `account ${accountId} is not in scope.accounts.include nor under an OU in scope.organizationalUnits.include` };
}

export function regionScope(policy: Policy, region: string): ScopeVerdict {
  const { include, exclude } = policy.scope.regions;
  if (exclude.includes(region)) return { inScope: false, reason: `region ${region} is excluded by scope.regions.exclude` };
  if (!include.includes(region)) return { inScope: false, reason: `region ${region} is not in scope.regions.include` };
  return IN;
}

/** The regions a sweep visits, in policy order. */
export const regionsInScope = (policy: Policy): string[] => policy.scope.regions.include.filter((r) => !policy.scope.regions.exclude.includes(r));

const selectionOf = (policy: Policy, kind: SourceKind): SourceSelection & { enabled: boolean } =>
  kind === 'trail' ? { ...policy.trails.select, enabled: policy.trails.enabled } : { ...policy.eventDataStores.select, enabled: policy.eventDataStores.enabled };

const KIND_WORDS: Record<SourceKind, string> = { trail: 'trails', eventDataStore: 'event data stores' };
const POLICY_KEY: Record<SourceKind, string> = { trail: 'trails', eventDataStore: 'eventDataStores' };

/** Whether the policy selects sources of this kind by tag, so readers know to fetch tags (ListTags). */
export function policyNeedsTags(policy: Policy, kind: SourceKind): boolean {
  const s = selectionOf(policy, kind);
  return s.enabled && (Object.keys(s.tags).length > 0 || Object.keys(s.excludeTags).length > 0);
}

/**
 * Own keys only: `key in tags` would also find `constructor`, `toString`... on Object.prototype, so a selection
 * `{constructor: "*"}` would select every source.
 */
const tagMatches = (tags: Tags, key: string, want: string): boolean => Object.hasOwn(tags, key) && (want === '*' || tags[key] === want);

export function sourceSelection(policy: Policy, source: { kind: SourceKind; name: string; tags?: Tags | undefined }): ScopeVerdict {
  const s = selectionOf(policy, source.kind);
  const key = POLICY_KEY[source.kind];
  if (!s.enabled) return { inScope: false, reason: `${KIND_WORDS[source.kind]} are disabled by ${key}.enabled` };
  if (!matchesAnyGlob(source.name, s.names)) return { inScope: false, reason: `name "${source.name}" matches none of ${key}.select.names` };
  if (matchesAnyGlob(source.name, s.excludeNames)) return { inScope: false, reason: `name "${source.name}" matches ${key}.select.excludeNames` };
  if (policyNeedsTags(policy, source.kind)) {
    if (source.tags === undefined) throw new Error(`sourceSelection: tags of ${source.name} are required because the policy selects ${KIND_WORDS[source.kind]} by tag`);
    const tags = source.tags;
    const missing = Object.entries(s.tags).find(([k, v]) => !tagMatches(tags, k, v));
    if (missing) return { inScope: false, reason: `tag ${missing[0]}=${missing[1]} required by ${key}.select.tags is absent` };
    const excluded = Object.entries(s.excludeTags).find(([k, v]) => tagMatches(tags, k, v));
    if (excluded) return { inScope: false, reason: `tag ${excluded[0]}=${excluded[1]} matches ${key}.select.excludeTags` };
  }
  return IN;
}

/**
 * An active exemption of a whole account-region: one whose match names only its account and/or region (no kind,
 * name or ARN). Its reason, or undefined.
 */
export function accountRegionExemption(policy: Policy, ar: { accountId: string; region: string }, now: Date): string | undefined {
  for (const e of policy.exemptions) {
    const m = e.match;
    if (m.kind !== undefined || m.name !== undefined || m.arn !== undefined) continue;
    if ((m.account ?? ar.accountId) !== ar.accountId || (m.region ?? ar.region) !== ar.region) continue;
    if (Date.parse(exemptionExpiresAt(e.expires)) > now.getTime()) return e.reason;
  }
  return undefined;
}

export interface ExemptionMatch {
  /** The first exemption that matches and has not expired. */
  active?: Exemption & { expiresAt: string };
  /** Matching exemptions that have expired: reported so someone renews or removes them. */
  expired: (Exemption & { expiresAt: string })[];
}

/** A date-only expiry is valid through the end of that day, UTC. */
export function exemptionExpiresAt(expires: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) return new Date(Date.parse(`${expires}T00:00:00Z`) + 86_400_000).toISOString();
  return new Date(expires).toISOString();
}

export function matchExemptions(
  policy: Policy,
  source: { kind: SourceKind; arn: string; name: string; accountId: string; homeRegion: string },
  now: Date,
): ExemptionMatch {
  const result: ExemptionMatch = { expired: [] };
  for (const exemption of policy.exemptions) {
    const m = exemption.match;
    const matches =
      (m.account === undefined || m.account === source.accountId) &&
      (m.region === undefined || m.region === source.homeRegion) &&
      (m.kind === undefined || m.kind === source.kind) &&
      (m.name === undefined || matchesGlob(source.name, m.name)) &&
      (m.arn === undefined || matchesGlob(source.arn, m.arn));
    if (!matches) continue;
    const withExpiry = { ...exemption, expiresAt: exemptionExpiresAt(exemption.expires) };
    if (Date.parse(withExpiry.expiresAt) <= now.getTime()) result.expired.push(withExpiry);
    else result.active ??= withExpiry;
  }
  return result;
}
