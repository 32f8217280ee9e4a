// Slack from event-driven repair: one message per incident, repeats counted, nothing lost when Slack is down.
import * as ct from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../../../lib/aws/clients';
import { InMemoryLedger, updateRecord } from '../../../lib/ledger/ledger';
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

  it('messages once a repair AWS refused for the trail\'s bucket, with what a person must fix', async () => {
    const deps = await setup({ world: { world: testWorld({ trails: [{ account: PROD, name: 'locked', homeRegion: 'us-east-1', s3: 'accessDenied' }] }) } });
    for (let i = 0; i < 2; i++) {
      await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'locked', InsightSelectors: [] }));
      await drain(deps);
    }
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain(':x: Insights repair refused: locked');
    expect(JSON.stringify(sent[0])).toContain('InsufficientS3BucketPolicyException');
    expect(JSON.stringify(sent[0])).toContain("Fix the trail's S3 bucket policy or KMS key policy");
  });

  it('still repairs when Slack is down, and keeps the message for the next digest', async () => {
    const deps = await setup({ slackUp: false });
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    expect(await drain(deps)).toBe(1);
    const record = await deps.ledger.get(trailArn('audit'));
    expect(record?.undelivered).toEqual([{ id: expect.any(String), at: expect.any(String), text: expect.stringMatching(/^Insights repaired on trail `audit`/) }]);
  });

  it('messages a repair AWS refused, names what a person must do, and counts it', async () => {
    const deps = await setup();
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    sim.faults.add({ effect: 'accessDenied', service: 'cloudtrail', operation: 'PutInsightSelectors', account: PROD });
    const outcome = await handleEvent(events.pop()!, deps);
    expect(outcome).toMatchObject({ writes: 0, refusedWrites: 1 });
    expect(sent).toHaveLength(1);
    const text = JSON.stringify(sent[0]);
    expect(text).toContain(':x: Insights repair refused: audit');
    expect(text).toContain('AccessDeniedException');
    expect(text).toContain("Check the member role's permissions, and any SCP");
    expect(text).toContain(`arn:aws:iam::${PROD}:user/alice`);
  });

  it('sends the message only after the ledger recorded the repair, outside the lock: a slow Slack never holds the source', async () => {
    const deps = await setup();
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const seenByLedger: (number | undefined)[] = [];
    deps.slack = {
      send: async (m) => {
        // By the time Slack is asked, the repair is in the ledger with its message in the outbox.
        const r = await deps.ledger.get(trailArn('audit'));
        seenByLedger.push(r?.lastRepair?.writes?.length);
        await slow;
        sent.push(m);
        return { delivered: true, attempts: 1 };
      },
    };
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const first = handleEvent(events.shift()!, deps);
    await new Promise((r) => setTimeout(r, 300));
    // The repair's own event, handled while Slack still hangs: the lock is free.
    const second = await Promise.race([handleEvent(events.shift()!, deps), new Promise((r) => setTimeout(() => r('blocked'), 2000))]);
    expect(second).not.toBe('blocked');
    release();
    await first;
    expect(seenByLedger).toEqual([1]);
    expect(sent).toHaveLength(1);
    expect((await deps.ledger.get(trailArn('audit')))?.undelivered).toEqual([]);
  });

  it('keeps a message whose sender died after claiming it for the digest, never sending it twice', async () => {
    const deps = await setup();
    const crashing = { ...deps, slack: { send: async (): Promise<never> => Promise.reject(new Error('the invocation died here')) } };
    await alice().send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    await expect(handleEvent(events.shift()!, crashing)).rejects.toThrow('the invocation died here');
    expect((await deps.ledger.get(trailArn('audit')))?.lastRepair).toBeDefined();
    expect((await deps.ledger.get(trailArn('audit')))?.undelivered).toEqual([{ id: expect.any(String), at: expect.any(String), text: expect.stringMatching(/^Insights repaired/) }]);
    await drain(deps);
    expect(sent).toHaveLength(0);
  });

  it('sends a message an invocation recorded but died before sending with the next event on the source, once', async () => {
    const deps = await setup();
    const left = { text: 'Insights repaired on trail `audit` (left by a crash)', blocks: [] };
    await updateRecord(deps.ledger, { arn: trailArn('audit'), kind: 'trail', accountId: PROD, region: 'us-east-1' }, (r) => ({ ...r, undelivered: [{ id: 'left-1', at: '2026-11-20T10:00:00.000Z', text: left.text, message: left }] }));
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    await drain(deps);
    expect(sent.map((m) => m.text)).toHaveLength(2);
    expect(sent.map((m) => m.text)).toEqual(expect.arrayContaining([left.text, expect.stringMatching(/^Insights repaired on trail `audit` in /)]));
    expect((await deps.ledger.get(trailArn('audit')))?.undelivered).toEqual([]);
    await alice().send(new ct.StopLoggingCommand({ Name: 'audit' }));
    await drain(deps);
    expect(sent.filter((m) => m.text === left.text)).toHaveLength(1);
  });
});
