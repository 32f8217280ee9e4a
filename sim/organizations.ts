/**
 * AWS Organizations, read side (Smithy model `com.amazonaws.organizations#AWSOrganizationsV20161128`): the
 * organization, its root, OUs and accounts, delegated administrators and trusted services. List operations page by at
 * most 20 and, as the model warns, may return an empty page with a NextToken: the first page of every listing does, so
 * callers must keep paging.
 */
import { epochSeconds } from './clock';
import { SimError, fail } from './errors';
import type { SimState } from './state';
import type { Caller } from './state';

type Input = Record<string, unknown>;
type Op = (input: Input, caller: Caller, state: SimState) => Record<string, unknown>;

const inputError = (message: string, reason: string) => new SimError('InvalidInputException', message, 400, { Reason: reason });

function member(state: SimState, caller: Caller): void {
  if (!state.inOrganization(caller.account)) fail('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
}

/**
 * List operations: "only from the management account or a member account that is a delegated administrator"
 * (`com.amazonaws.organizations#ListAccounts` and the other List* operations).
 */
function managementOrDelegated(state: SimState, caller: Caller): void {
  member(state, caller);
  if (!state.isManagement(caller.account) && !state.org.delegatedAdministrators.some((d) => d.account === caller.account))
    fail('AccessDeniedException', 'You don\'t have permissions to access this resource.', 400);
}

function paged<T>(items: T[], input: Input, key: string, emptyFirstPage: boolean): Record<string, unknown> {
  const size = (input.MaxResults as number | undefined) ?? 20;
  const token = input.NextToken as string | undefined;
  let offset = 0;
  if (token !== undefined) {
    const m = /^sim-org:(\d+)$/.exec(Buffer.from(token, 'base64').toString());
    if (!m) throw inputError('The provided NextToken is not valid.', 'INVALID_PAGINATION_TOKEN'); // a Reason of `com.amazonaws.organizations#InvalidInputExceptionReason`
    offset = Number(m[1]);
  } else if (emptyFirstPage && items.length > 0) {
    return { [key]: [], NextToken: Buffer.from('sim-org:0').toString('base64') };
  }
  const next = offset + size < items.length ? Buffer.from(`sim-org:${offset + size}`).toString('base64') : undefined;
  return { [key]: items.slice(offset, offset + size), ...(next && { NextToken: next }) };
}

export function organizationsOperations(options: { emptyFirstPage: boolean }): Record<string, Op> {
  const arnOf = (state: SimState, kind: 'account' | 'root' | 'ou', id: string) => `arn:aws:organizations::${state.org.managementAccount}:${kind}/${state.org.id}/${id}`;
  const accountView = (state: SimState, id: string) => {
    const a = state.account(id)!;
    const status = a.state === 'CLOSED' || a.state === 'PENDING_ACTIVATION' ? (a.state === 'CLOSED' ? 'SUSPENDED' : 'ACTIVE') : a.state;
    return {
      Id: a.id,
      Arn: arnOf(state, 'account', a.id),
      Email: a.email ?? `aws+${a.id}@example.com`,
      Name: a.name,
      Status: status, // deprecated, retired 2026-09-09: State is the field to use (`com.amazonaws.organizations#Account$Status`)
      State: a.state,
      JoinedMethod: a.id === state.org.managementAccount ? 'CREATED' : 'INVITED',
      JoinedTimestamp: epochSeconds(a.joined ? Date.parse(a.joined) : Date.parse('2024-01-01T00:00:00Z')),
    };
  };
  const parentExists = (state: SimState, id: unknown): string => {
    if (typeof id === 'string' && (id === state.org.root || state.org.organizationalUnits.some((o) => o.id === id))) return id;
    return fail('ParentNotFoundException', `We can't find a root or OU with the ParentId that you specified.`);
  };
  const e = options.emptyFirstPage;
  return {
    DescribeOrganization: (_i, caller, state) => {
      member(state, caller);
      return {
        Organization: {
          Id: state.org.id,
          Arn: `arn:aws:organizations::${state.org.managementAccount}:organization/${state.org.id}`,
          FeatureSet: state.org.featureSet,
          MasterAccountArn: arnOf(state, 'account', state.org.managementAccount),
          MasterAccountId: state.org.managementAccount,
          MasterAccountEmail: state.account(state.org.managementAccount)?.email ?? `aws+${state.org.managementAccount}@example.com`,
          AvailablePolicyTypes: [],
        },
      };
    },
    ListAccounts: (i, caller, state) => {
      managementOrDelegated(state, caller);
      return paged(state.org.accounts.map((a) => accountView(state, a.id)), i, 'Accounts', e);
    },
    ListRoots: (i, caller, state) => {
      managementOrDelegated(state, caller);
      return paged([{ Id: state.org.root, Arn: arnOf(state, 'root', state.org.root), Name: 'Root', PolicyTypes: [] }], i, 'Roots', false);
    },
    ListOrganizationalUnitsForParent: (i, caller, state) => {
      managementOrDelegated(state, caller);
      const parent = parentExists(state, i.ParentId);
      const ous = state.org.organizationalUnits.filter((o) => o.parent === parent).map((o) => ({ Id: o.id, Arn: arnOf(state, 'ou', o.id), Name: o.name }));
      return paged(ous, i, 'OrganizationalUnits', e);
    },
    ListAccountsForParent: (i, caller, state) => {
      managementOrDelegated(state, caller);
      const parent = parentExists(state, i.ParentId);
      // Only accounts directly under the parent (`com.amazonaws.organizations#ListAccountsForParent`).
      return paged(state.org.accounts.filter((a) => a.parent === parent).map((a) => accountView(state, a.id)), i, 'Accounts', e);
    },
    ListChildren: (i, caller, state) => {
      managementOrDelegated(state, caller);
      const parent = parentExists(state, i.ParentId);
      const children =
        i.ChildType === 'ACCOUNT'
          ? state.org.accounts.filter((a) => a.parent === parent).map((a) => ({ Id: a.id, Type: 'ACCOUNT' }))
          : state.org.organizationalUnits.filter((o) => o.parent === parent).map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }));
      return paged(children, i, 'Children', e);
    },
    DescribeAccount: (i, caller, state) => {
      managementOrDelegated(state, caller);
      if (!state.account(i.AccountId as string)) fail('AccountNotFoundException', `We can't find an AWS account with the AccountId that you specified.`);
      return { Account: accountView(state, i.AccountId as string) };
    },
    ListDelegatedAdministrators: (i, caller, state) => {
      managementOrDelegated(state, caller);
      const admins = state.org.delegatedAdministrators
        .filter((d) => i.ServicePrincipal === undefined || d.servicePrincipal === i.ServicePrincipal)
        .map((d) => ({ ...accountView(state, d.account), DelegationEnabledDate: epochSeconds(Date.parse('2025-01-01T00:00:00Z')) }));
      return paged(admins, i, 'DelegatedAdministrators', e);
    },
    ListAWSServiceAccessForOrganization: (i, caller, state) => {
      managementOrDelegated(state, caller);
      return paged(state.org.trustedServices.map((s) => ({ ServicePrincipal: s, DateEnabled: epochSeconds(Date.parse('2024-01-01T00:00:00Z')) })), i, 'EnabledServicePrincipals', false);
    },
  };
}
