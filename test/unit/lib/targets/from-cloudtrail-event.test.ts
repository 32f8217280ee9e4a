import fc from 'fast-check';
import { interpretEvent, TARGET_BY_EVENT } from '../../../../lib/targets/from-cloudtrail-event';
import { aPolicy } from '../../../helpers/builders';
import { loadEvent } from '../../../helpers/events';

const PROD = '222222222222';
const AUDIT = `arn:aws:cloudtrail:us-east-1:${PROD}:trail/audit`;
const LAKE = `arn:aws:cloudtrail:us-east-1:${PROD}:eventdatastore/prod-lake-0001`;
const MGMT = '111111111111';
const opts = { ownRoles: { managementAccountId: MGMT, functionRoleNames: ['stack-OnCloudTrailChangeRole-1A'], memberRoleName: 'InsightsRemediatorRole' } };

describe("the product's own writes: known by exact role ARN in the exact account, and checked all the same", () => {
  const withIssuer = (arn: string, accountId: string, recipient = PROD) => {
    const e = loadEvent('own-role-write');
    const identity = e.detail.userIdentity as { accountId: string; sessionContext: { sessionIssuer: { arn: string; accountId: string } } };
    identity.sessionContext.sessionIssuer.arn = arn;
    identity.sessionContext.sessionIssuer.accountId = accountId;
    identity.accountId = accountId;
    e.detail.recipientAccountId = recipient;
    e.account = recipient;
    (e.detail.requestParameters as Record<string, unknown>).trailName = `arn:aws:cloudtrail:us-east-1:${recipient}:trail/audit`;
    (e.detail.responseElements as Record<string, unknown>).trailARN = `arn:aws:cloudtrail:us-east-1:${recipient}:trail/audit`;
    return e;
  };

  it('checks a write made with the member role in the event\'s own account, naming the role (not skipped: convergence ends loops)', () => {
    const out = interpretEvent(loadEvent('own-role-write'), opts);
    expect(out).toMatchObject({ decision: 'check', ownRole: `arn:aws:iam::${PROD}:role/InsightsRemediatorRole`, target: { arn: AUDIT } });
    expect(out.reason).toMatch(/made with the product's role arn:aws:iam::222222222222:role\/InsightsRemediatorRole\)$/);
  });

  it("recognizes a function role only in the management account", () => {
    expect(interpretEvent(withIssuer(`arn:aws:iam::${MGMT}:role/stack-OnCloudTrailChangeRole-1A`, MGMT, MGMT), opts).ownRole).toBe(`arn:aws:iam::${MGMT}:role/stack-OnCloudTrailChangeRole-1A`);
    // A member admin who creates a role with the function role's name in their own account is not the product.
    expect(interpretEvent(withIssuer(`arn:aws:iam::${PROD}:role/stack-OnCloudTrailChangeRole-1A`, PROD), opts).ownRole).toBeUndefined();
  });

  it("does not take the member role's name in another account, or a role path ending in it, for the product", () => {
    expect(interpretEvent(withIssuer('arn:aws:iam::333333333333:role/InsightsRemediatorRole', '333333333333'), opts).ownRole).toBeUndefined();
    expect(interpretEvent(withIssuer(`arn:aws:iam::${PROD}:role/evil/InsightsRemediatorRole`, PROD), opts).ownRole).toBeUndefined();
    expect(interpretEvent(withIssuer(`arn:aws:iam::${PROD}:role/InsightsRemediatorRole`, '333333333333'), opts).ownRole).toBeUndefined();
  });
});

describe('a record is believed only about its own account', () => {
  it('ignores a record naming a source of another member account, with the reason', () => {
    const e = loadEvent('stop-logging');
    (e.detail.requestParameters as Record<string, unknown>).name = 'arn:aws:cloudtrail:us-east-1:333333333333:trail/other';
    expect(interpretEvent(e, opts)).toMatchObject({ decision: 'ignore', reason: 'StopLogging in account 222222222222 names arn:aws:cloudtrail:us-east-1:333333333333:trail/other, a source of account 333333333333: not trusted' });
  });

  it("believes a record naming the management account's source (an organization source a delegated administrator manages)", () => {
    const e = loadEvent('stop-logging');
    (e.detail.requestParameters as Record<string, unknown>).name = `arn:aws:cloudtrail:us-east-1:${MGMT}:trail/org-trail`;
    expect(interpretEvent(e, opts)).toMatchObject({ decision: 'check', target: { accountId: MGMT } });
  });

  it("ignores an envelope whose account is not the record's recipient", () => {
    const e = loadEvent('stop-logging');
    e.account = '333333333333';
    expect(interpretEvent(e, opts)).toMatchObject({ decision: 'ignore', reason: expect.stringMatching(/^the envelope's account 333333333333 is not the record's recipientAccountId/) });
  });

  it('ignores a 300,000-character trail name with the reason, instead of carrying it to the ledger', () => {
    const e = loadEvent('stop-logging');
    (e.detail.requestParameters as Record<string, unknown>).name = 'x'.repeat(300_000);
    expect(interpretEvent(e, opts)).toMatchObject({ decision: 'ignore', reason: 'StopLogging names a trail of 300000 characters: no CloudTrail identifier is that long' });
  });
});

describe('interpretEvent on real-shaped events (events/)', () => {
  it.each([
    ['put-insight-selectors-trail', 'trail', AUDIT, true],
    ['put-insight-selectors-event-data-store-disable', 'eventDataStore', LAKE, false],
    ['put-event-selectors', 'trail', AUDIT, false],
    ['stop-logging', 'trail', AUDIT, false],
    ['start-logging', 'trail', AUDIT, true],
    ['update-trail', 'trail', AUDIT, false],
    ['create-trail', 'trail', `arn:aws:cloudtrail:us-east-1:${PROD}:trail/new-trail`, false],
    ['start-event-data-store-ingestion', 'eventDataStore', LAKE, true],
    ['stop-event-data-store-ingestion', 'eventDataStore', LAKE, false],
    ['update-event-data-store', 'eventDataStore', `arn:aws:cloudtrail:us-east-1:${PROD}:eventdatastore/prod-insights-0001`, false],
    ['add-tags', 'trail', AUDIT, false],
    ['remove-tags', 'trail', AUDIT, false],
    ['put-event-configuration', 'trail', AUDIT, false],
  ])('%s: check the %s %s (restarts the clock: %s)', (name, kind, arn, restarts) => {
    const out = interpretEvent(loadEvent(name), opts);
    expect(out).toMatchObject({ decision: 'check', target: { kind, arn, accountId: PROD, region: 'us-east-1' }, restartsInsightsClock: restarts, actor: `arn:aws:iam::${PROD}:user/alice` });
  });

  it('restore-event-data-store: checks the restored store, whose ingestion restarts', () => {
    expect(interpretEvent(loadEvent('restore-event-data-store'), opts)).toMatchObject({ decision: 'check', target: { kind: 'eventDataStore' }, restartsInsightsClock: true });
  });

  it('has a sample for every handled eventName', () => {
    const { readdirSync } = require('node:fs') as typeof import('node:fs');
    const names = new Set(readdirSync(require('node:path').join(__dirname, '../../../../events')).map((f: string) => (loadEvent(f.replace(/\.json$/, '')).detail as { eventName?: string }).eventName));
    expect(Object.keys(TARGET_BY_EVENT).filter((n) => !names.has(n))).toEqual([]);
  });

  it('create-event-data-store: checks the new store by the ARN in responseElements', () => {
    const out = interpretEvent(loadEvent('create-event-data-store'), opts);
    expect(out.target).toMatchObject({ kind: 'eventDataStore', arn: expect.stringMatching(/^arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore\//) });
  });

  it.each(['delete-trail', 'delete-event-data-store'])('%s: checks the coverage of the account-region', (name) => {
    expect(interpretEvent(loadEvent(name), opts)).toMatchObject({ decision: 'check', target: { kind: 'accountRegion', accountId: PROD, region: 'us-east-1' }, reason: expect.stringMatching(/coverage/) });
  });

  it.each([
    ['ignored-failed-call', /^the call failed \(InvalidInsightSelectorsException\): nothing changed$/],
    ['ignored-other-source', /^eventSource "s3.amazonaws.com" is not cloudtrail.amazonaws.com$/],
    ['ignored-read-only', /^GetTrailStatus is read-only$/],
  ])('%s: ignored, saying why', (name, reason) => {
    const out = interpretEvent(loadEvent(name), opts);
    expect(out.decision).toBe('ignore');
    expect(out.reason).toMatch(reason);
  });

  it('insight-trail: observes an Insights delivery for the account-region', () => {
    expect(interpretEvent(loadEvent('insight-trail'))).toMatchObject({ decision: 'observe', target: { kind: 'accountRegion', accountId: PROD, region: 'us-east-1' }, restartsInsightsClock: false });
  });

  it('accepts a bare CloudTrail record as well as the envelope', () => {
    expect(interpretEvent(loadEvent('stop-logging').detail)).toMatchObject({ decision: 'check', target: { arn: AUDIT } });
  });

  it('resolves a bare name or id with the event\'s account and region, and keeps an ARN\'s own', () => {
    const e = loadEvent('start-logging');
    expect(interpretEvent(e).target?.arn).toBe(AUDIT);
    (e.detail.requestParameters as Record<string, unknown>).name = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
    expect(interpretEvent(e).target).toMatchObject({ accountId: '111111111111', arn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail' });
  });

  it('ignores accounts and regions outside the policy\'s scope', () => {
    expect(interpretEvent(loadEvent('stop-logging'), { policy: aPolicy({ scope: { regions: { include: ['eu-west-1'] } } }) }).reason).toBe('region us-east-1 is not in scope.regions.include');
    expect(interpretEvent(loadEvent('stop-logging'), { policy: aPolicy({ scope: { regions: { include: ['us-east-1'] }, accounts: { exclude: [PROD] } } }) }).reason).toBe(`account ${PROD} is excluded by scope.accounts.exclude`);
  });

  it('covers the writes that can affect Insights', () => {
    expect(Object.keys(TARGET_BY_EVENT).sort()).toEqual(
      ['AddTags', 'CreateEventDataStore', 'CreateTrail', 'DeleteEventDataStore', 'DeleteTrail', 'PutEventConfiguration', 'PutEventSelectors', 'PutInsightSelectors', 'RemoveTags', 'RestoreEventDataStore', 'StartEventDataStoreIngestion', 'StartLogging', 'StopEventDataStoreIngestion', 'StopLogging', 'UpdateEventDataStore', 'UpdateTrail'].sort(),
    );
  });

  it.each([
    ['a non-object', 'hello', 'not an event: expected a JSON object'],
    ['another detail-type', { 'detail-type': 'AWS Console Sign In via CloudTrail', detail: {} }, 'detail-type "AWS Console Sign In via CloudTrail" is not "AWS API Call via CloudTrail"'],
    ['no eventName', { detail: { eventSource: 'cloudtrail.amazonaws.com' }, 'detail-type': 'AWS API Call via CloudTrail' }, 'the record has no eventName'],
    ['an eventName that is an object member', { eventSource: 'cloudtrail.amazonaws.com', eventName: 'constructor', recipientAccountId: PROD, awsRegion: 'us-east-1' }, 'constructor cannot affect Insights'],
    ['a write that cannot affect Insights', { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartQuery', recipientAccountId: PROD, awsRegion: 'us-east-1' }, 'StartQuery cannot affect Insights'],
    ['no account', { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', awsRegion: 'us-east-1', requestParameters: { name: 'x' } }, 'the record has no valid recipientAccountId'],
    ['no region', { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', recipientAccountId: PROD, requestParameters: { name: 'x' } }, 'the record has no valid awsRegion'],
    ['no target', { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', recipientAccountId: PROD, awsRegion: 'us-east-1', requestParameters: {} }, 'StopLogging names no trail'],
    ['an Insights event without account', { 'detail-type': 'AWS Insight via CloudTrail', detail: { eventType: 'AwsCloudTrailInsight' } }, 'an Insights event without a valid account and region'],
  ])('ignores %s with a clear reason', (_what, input, reason) => {
    expect(interpretEvent(input)).toMatchObject({ decision: 'ignore', reason });
  });
});

describe('interpretEvent under fuzzing', () => {
  it('gives 2,000 malformed or unexpected events a decision and a reason, and never throws', () => {
    const base = loadEvent('put-insight-selectors-trail');
    const anything = fc.anything({ maxDepth: 3 });
    const mutated = fc.tuple(fc.constantFrom('detail', 'detail.eventName', 'detail.requestParameters', 'detail.responseElements', 'detail.userIdentity', 'detail.recipientAccountId', 'detail.awsRegion', 'detail.errorCode', 'detail-type', 'detail.eventSource'), anything).map(([path, value]) => {
      const e = structuredClone(base) as Record<string, unknown>;
      const [a, b] = path.split('.') as [string, string | undefined];
      if (b) (e[a] as Record<string, unknown>)[b] = value;
      else e[a] = value;
      return e;
    });
    const huge = fc.constant({ ...base, detail: { ...base.detail, requestParameters: { trailName: 'x'.repeat(300_000) } } });
    fc.assert(
      fc.property(fc.oneof(anything, mutated, huge), (input) => {
        const out = interpretEvent(input, opts);
        expect(['check', 'ignore', 'observe']).toContain(out.decision);
        expect(out.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
