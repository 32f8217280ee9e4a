// Slack from event-driven repair: one message per incident, repeats counted, nothing lost when Slack is down.
import * as ct from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import { InMemoryLedger } from '../../../lib/ledger/ledger';
import type { SlackMessage } from '../../../lib/notify/slack-message';
import { handleEvent, type EventHandlerDeps } from '../../../lib/pipeline/handle-event';
import type { EventBridgeEvent } from '../../../sim/records';
import type { Simulator } from '../../../sim/server';
import { aPolicy } from '../../helpers/builders';
import { MGMT, PROD, ROLE, startSim, testWorld, trailArn } from '../../helpers/sim';

let sim: Simulator;
let events: EventBridgeEvent[];
let sent: SlackMessage[];
afterEach(() => sim.stop());

async function setup(over: { mode?: 'enforce' | 'report'; slackUp?: boolean; world?: Parameters<typeof startSim>[0] } = {}): Promise<EventHandlerDeps> {
  sim = await startSim(over.world);
  events = [];
  sent = [];
  sim.onEvent((e) => events.push(e));
  return {
    policy: aPolicy({ mode: over.mode ?? 'enforce', limits: { breaker: { maxRepairs: 100, windowMinutes: 60 } } }),
    aws: new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } }),
    managementAccountId: MGMT,
    ledger: new InMemoryLedger(),
    now: () => sim.clock.now(),
    ownRoles: { functionRoleNames: [], memberRoleName: ROLE },
    slack: { send: async (m) => (over.slackUp === false ? { delivered: false, attempts: 4, error: 'An HTTP protocol error occurred: statusCode = 503' } : (sent.push(m), { delivered: true, attempts: 1 })) },
    incidentWindowMs: 60 * 60_000,
  };
}
const alice = () => new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' }, maxAttempts: 1 });
const drain = async (deps: EventHandlerDeps) => {
  let writes = 0;
  while (events.length) writes += (await handleEvent(events.shift()!, deps)).writes;
  return writes;
};

describe('Slack from event-driven repair', () => {
  it('sends one repair message naming who drifted what, and the clock', async () => {
    const deps = await setup();
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    await drain(deps);
    expect(sent).toHaveLength(1);
    const text = JSON.stringify(sent[0]);
    expect(text).toContain(':wrench: Insights repaired: audit');
    expect(text).toContain(`arn:aws:iam::${PROD}:user/alice (PutInsightSelectors`);
    expect(text).toContain('Insights delivery may take up to 36 hours: expected by');
  });

  it('suppresses repeats of the same incident within the window and counts them on the next message', async () => {
    const deps = await setup();
    for (let i = 0; i < 4; i++) {
      await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
      await drain(deps);
    }
    expect(sent).toHaveLength(1);
    expect((await deps.ledger.get(trailArn('audit')))?.incident?.suppressed).toBe(3);
    sim.clock.advance(61 * 60_000);
    deps.aws = new AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    await drain(deps);
    expect(sent).toHaveLength(2);
    expect(JSON.stringify(sent[1])).toContain('3 repeat(s) of this were not messaged');
  });

  it('in report mode, messages what would change as the exact calls, and writes nothing', async () => {
    const deps = await setup({ mode: 'report' });
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    expect(await drain(deps)).toBe(0);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain('StartLogging (account 222222222222, us-east-1)');
  });

  it('messages a finding a person must fix once', async () => {
    const deps = await setup({ world: { world: testWorld({ trails: [{ account: PROD, name: 'locked', homeRegion: 'us-east-1', s3: 'accessDenied' }] }) } });
    for (let i = 0; i < 2; i++) {
      await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'locked', InsightSelectors: [] }));
      await drain(deps);
    }
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain(':no_entry: Insights cannot be repaired: locked');
  });

  it('still repairs when Slack is down, and keeps the message for the next digest', async () => {
    const deps = await setup({ slackUp: false });
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    expect(await drain(deps)).toBe(1);
    const record = await deps.ledger.get(trailArn('audit'));
    expect(record?.undelivered).toEqual([{ at: expect.any(String), text: expect.stringMatching(/^Insights repaired on trail `audit`/) }]);
  });
});
