// Events the handler cannot finish now must be delivered again (the Lambda rethrows on retryReason): a store read
// between ingestion states, and a repair write AWS refused for a retryable reason. Found by bench/events.bench.ts and
// bench/reliability.bench.ts: both used to be consumed silently, leaving the drift to the next scheduled sweep.
import * as ct from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import { InMemoryLedger } from '../../../lib/ledger/ledger';
import { handleEvent, retryReason, type EventHandlerDeps } from '../../../lib/pipeline/handle-event';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import { aPolicy } from '../../helpers/builders';
import { MGMT, ROLE, startSim, storeArn, trailArn } from '../../helpers/sim';

let sim: Simulator;
let events: EventBridgeEvent[];
afterEach(() => sim.stop());

async function setup(transitionMs: number): Promise<EventHandlerDeps> {
  sim = await startSim({ transitionMs });
  events = [];
  sim.onEvent((e) => events.push(e));
  return {
    policy: aPolicy({ mode: 'enforce' }),
    aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } }),
    managementAccountId: MGMT,
    ledger: new InMemoryLedger(),
    now: () => sim.clock.now(),
    ownRoles: { functionRoleNames: [], memberRoleName: ROLE },
  };
}

const alice = () => new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' }, maxAttempts: 1 });

describe('events that must be delivered again', () => {
  it('asks for a retry while the store is between ingestion states, and repairs it on the retry', async () => {
    const deps = await setup(60_000); // simulated: the store stays STOPPING_INGESTION until the clock moves
    await alice().send(new ct.StopEventDataStoreIngestionCommand({ EventDataStore: 'prod-mgmt-store' }));
    const [event] = events.splice(0);
    const first = await handleEvent(event, deps);
    expect(first.writes).toBe(0);
    expect(retryReason(first)).toMatch(/STOPPING_INGESTION/);

    sim.clock.advance(60_000);
    const retry = await handleEvent(event, deps);
    expect(retry.result?.results[0]?.outcomes.filter((o) => o.status === 'applied').map((o) => o.action.operation)).toContain('StartEventDataStoreIngestion');
    expect(retryReason(retry)).toBeUndefined();
    expect(retry.target?.arn).toBe(storeArn('prod-mgmt-store'));
  });

  it('asks for a retry when a repair write fails with a server fault after the SDK\'s retries, and not once it succeeds', async () => {
    const deps = await setup(0);
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const [event] = events.splice(0);
    const remove = sim.faults.add({ effect: 'serverError', service: 'cloudtrail', operation: 'PutInsightSelectors' });
    const first = await handleEvent(event, deps);
    expect(first.writes).toBe(0);
    expect(retryReason(first)).toMatch(/^PutInsightSelectors on arn:aws:cloudtrail:us-east-1:\d+:trail\/audit: InternalFailure/);

    remove();
    const retry = await handleEvent(event, deps);
    expect(retry.writes).toBe(1);
    expect(retry.target?.arn).toBe(trailArn('audit'));
    expect(retryReason(retry)).toBeUndefined();
  }, 30_000);

  it('does not ask for a retry once the event is handled, nor for an unreachable account', async () => {
    const deps = await setup(0);
    await alice().send(new ct.UpdateTrailCommand({ Name: 'audit', S3KeyPrefix: 'elsewhere' }));
    const [event] = events.splice(0);
    expect(retryReason(await handleEvent(event, deps))).toBeUndefined();
    sim.faults.add({ effect: 'accessDenied', service: 'sts' });
    deps.aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    const denied = await handleEvent(event, deps);
    expect(denied.result?.results[0]?.status).toBe('unreachable');
    expect(retryReason(denied)).toBeUndefined();
  });

  it('waits out the second the user\'s own write spent, so the repair is not throttled by CloudTrail\'s 1 write a second', async () => {
    sim = await startSim({ throttling: { enabled: true } });
    events = [];
    sim.onEvent((e) => events.push(e));
    const deps: EventHandlerDeps = {
      policy: aPolicy({ mode: 'enforce' }),
      aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' } }),
      managementAccountId: MGMT,
      ledger: new InMemoryLedger(),
      now: () => sim.clock.now(),
      ownRoles: { functionRoleNames: [], memberRoleName: ROLE },
    };
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const out = await handleEvent(events[0], deps);
    expect(out.writes).toBe(1);
    expect(sim.calls.filter((c) => c.error === 'ThrottlingException')).toEqual([]);
  });
});
