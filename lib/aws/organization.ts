/**
 * Organization discovery for sweeps: the management account, the ACTIVE accounts in scope (OU paths read only when
 * the policy scopes by OU), and the policy's regions. Organizations pages by at most 20 and may return empty pages with
 * a NextToken (`com.amazonaws.organizations#ListAccounts`, `MaxResults` 1..20): the SDK paginators keep going until
 * there is no token.
 */
import {
  DescribeOrganizationCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListRoots,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AwsClients } from './clients';
import { accountScope, regionsInScope, usesOrganizationalUnits } from '../domain/scope';
import type { Policy } from '../policy/schema';

const clients = new WeakMap<AwsClients, OrganizationsClient>();

/** The organization's Organizations client, one per AwsClients (lib/aws/clients.ts `organizationsConfig`). */
export function organizationsClient(aws: AwsClients): OrganizationsClient {
  let client = clients.get(aws);
  if (!client) clients.set(aws, (client = new OrganizationsClient(aws.organizationsConfig())));
  return client;
}

/**
 * The IAM permission of every Organizations call discovery makes (drift-sweep's role only), keyed by operation, and
 * what it is scoped to: the organization's root and OUs where Organizations allows it, '*' where it does not
 * (DescribeOrganization, ListAccounts, ListRoots). test/unit/infra/iam.test.ts holds template.yaml to it.
 */
export const DISCOVERY_PERMISSIONS: Readonly<Record<string, { action: string; scope: readonly ('root' | 'organizationalUnit' | '*')[] }>> = {
  DescribeOrganization: { action: 'organizations:DescribeOrganization', scope: ['*'] },
  ListAccounts: { action: 'organizations:ListAccounts', scope: ['*'] },
  ListRoots: { action: 'organizations:ListRoots', scope: ['*'] },
  ListOrganizationalUnitsForParent: { action: 'organizations:ListOrganizationalUnitsForParent', scope: ['root', 'organizationalUnit'] },
  ListAccountsForParent: { action: 'organizations:ListAccountsForParent', scope: ['root', 'organizationalUnit'] },
};

/** The calls `ouPaths` makes (the event function's OU lookup): a subset of discovery's. */
export const OU_WALK_PERMISSIONS = {
  ListRoots: DISCOVERY_PERMISSIONS.ListRoots!,
  ListOrganizationalUnitsForParent: DISCOVERY_PERMISSIONS.ListOrganizationalUnitsForParent!,
  ListAccountsForParent: DISCOVERY_PERMISSIONS.ListAccountsForParent!,
};

export interface OrganizationAccount {
  id: string;
  name: string;
  /** Root id, then OU ids down to the account's parent; present when the policy scopes by OU. */
  ouPath?: string[];
  /** The name of the account's parent (its OU, or the root), as Organizations lists it; read with ouPath. */
  ouName?: string;
}

export interface DiscoveredTargets {
  managementAccountId: string;
  accounts: OrganizationAccount[];
  /** Accounts left out, and why: not ACTIVE, or out of the policy's scope. */
  skipped: { id: string; reason: string }[];
  regions: string[];
  /** Every ACTIVE account, in scope or not: what an organization trail or event data store covers. */
  organizationAccounts: string[];
  /**
   * The management account's OU path when the policy scopes by OU: a coverage sweep surveys it (it owns the
   * organization's carriers) even when the policy leaves it out, and its sources are judged against that scope.
   */
  managementAccountOuPath?: string[];
}

/**
 * Every account's OU path (root id, then OU ids down to its parent), by walking the organization from its roots with
 * the discovery calls (ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent), and the name of every root
 * and OU met (for reports: a name, not an id). The event function uses the paths to judge an OU-scoped policy, cached
 * per container (`ouPathLookup`).
 */
export async function walkOrganization(client: OrganizationsClient): Promise<{ paths: Map<string, string[]>; names: Map<string, string> }> {
  const paths = new Map<string, string[]>();
  const names = new Map<string, string>();
  const walk = async (parent: string, path: string[]): Promise<void> => {
    for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent })) for (const a of page.Accounts ?? []) paths.set(a.Id!, path);
    for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parent }))
      for (const ou of page.OrganizationalUnits ?? []) {
        if (ou.Name) names.set(ou.Id!, ou.Name);
        await walk(ou.Id!, [...path, ou.Id!]);
      }
  };
  for await (const page of paginateListRoots({ client }, {}))
    for (const root of page.Roots ?? []) {
      if (root.Name) names.set(root.Id!, root.Name);
      await walk(root.Id!, [root.Id!]);
    }
  return { paths, names };
}

export const ouPaths = async (client: OrganizationsClient): Promise<Map<string, string[]>> => (await walkOrganization(client)).paths;

export async function discoverTargets(client: OrganizationsClient, policy: Policy): Promise<DiscoveredTargets> {
  const org = (await client.send(new DescribeOrganizationCommand({}))).Organization!;
  const usesOus = usesOrganizationalUnits(policy);
  const walked = usesOus ? await walkOrganization(client) : undefined;
  const paths = walked?.paths;
  const out: DiscoveredTargets = {
    managementAccountId: org.MasterAccountId!,
    accounts: [],
    skipped: [],
    regions: regionsInScope(policy),
    organizationAccounts: [],
    ...(paths && { managementAccountOuPath: paths.get(org.MasterAccountId!) ?? [] }),
  };
  for await (const page of paginateListAccounts({ client }, {})) {
    for (const a of page.Accounts ?? []) {
      // Account.Status retires in 2026: State is authoritative (`com.amazonaws.organizations#Account$Status`).
      const state = a.State ?? a.Status;
      if (state !== 'ACTIVE') {
        out.skipped.push({ id: a.Id!, reason: `account is ${state}` });
        continue;
      }
      out.organizationAccounts.push(a.Id!);
      const ouPath = paths?.get(a.Id!) ?? (usesOus ? [] : undefined);
      const scope = accountScope(policy, a.Id!, ouPath);
      if (!scope.inScope) out.skipped.push({ id: a.Id!, reason: scope.reason });
      else {
        const ouName = ouPath?.length ? walked?.names.get(ouPath.at(-1)!) : undefined;
        out.accounts.push({ id: a.Id!, name: a.Name ?? a.Id!, ...(ouPath && { ouPath }), ...(ouName && { ouName }) });
      }
    }
  }
  return out;
}

/**
 * An account's OU path for the event path: the organization walked once and kept for `ttlMs` (an account moved
 * between OUs is seen within that time; an account not found is at no OU, so out of an OU-scoped policy).
 */
export function ouPathLookup(client: OrganizationsClient, now: () => number = Date.now, ttlMs = 15 * 60_000): (accountId: string) => Promise<string[]> {
  let cached: { at: number; paths: Promise<Map<string, string[]>> } | undefined;
  return async (accountId) => {
    if (!cached || now() - cached.at > ttlMs) {
      const paths = ouPaths(client);
      cached = { at: now(), paths };
      paths.catch(() => (cached = undefined)); // a failed walk is not kept
    }
    return (await cached.paths).get(accountId) ?? [];
  };
}
