import { InMemoryLedger, newRecord, updateRecord } from '../../../../lib/ledger/ledger';
import { sendSweepDigest } from '../../../../lib/notify/digest';
import { sweepDigestMessage, type SlackMessage } from '../../../../lib/notify/slack-message';
import { summarize, type AccountRegionReport } from '../../../../lib/sweep/summary';

const report = (key: string, over: Partial<AccountRegionReport> = {}): AccountRegionReport => ({ key, status: 'done', counts: { compliant: 2, drifted: 1 }, repaired: 1, writes: 2, latestPending: '2026-11-23T00:00:00.000Z', problems: { insightsOff: 1 }, needsPerson: [], at: '2026-11-21T12:00:00.000Z', ...over });
const summary = summarize('sweep-9', ['1/us-east-1', '2/us-east-1', '3/us-east-1'], [report('1/us-east-1'), report('2/us-east-1', { status: 'unreachable', counts: {}, repaired: 0, writes: 0, problems: {} })], true);
const where = { arn: 'arn:aws:cloudtrail:us-east-1:1:trail/t', kind: 'trail' as const, accountId: '1', region: 'us-east-1' };

describe('the sweep digest', () => {
  it('summarizes the sweep, what never reported, and what Slack missed earlier', () => {
    const m = sweepDigestMessage(summary, ['Insights repaired on trail `t`']);
    expect(m).toMatchSnapshot();
    expect(m.text).toBe('Insights sweep sweep-9: 1 repaired, 0 need a person, 1 unreachable, 1 never reported');
  });

  it('carries undelivered messages from the ledger, and clears them only once the digest went through', async () => {
    const ledger = new InMemoryLedger();
    await updateRecord(ledger, where, (r) => ({ ...r, undelivered: [{ at: '2026-11-21T10:00:00.000Z', text: 'Insights repaired on trail `t`' }] }));
    const sent: SlackMessage[] = [];
    const down = await sendSweepDigest(summary, ['1/us-east-1'], { ledger, slack: { send: async () => ({ delivered: false, attempts: 4, error: '503' }) } });
    expect(down).toMatchObject({ delivered: false, carried: 1 });
    expect((await ledger.get(where.arn))?.undelivered).toHaveLength(1);
    const up = await sendSweepDigest(summary, ['1/us-east-1'], { ledger, slack: { send: async (m) => (sent.push(m), { delivered: true, attempts: 1 }) } });
    expect(up).toMatchObject({ delivered: true, carried: 1 });
    expect(JSON.stringify(sent[0])).toContain('Not delivered earlier');
    expect((await ledger.get(where.arn))?.undelivered).toEqual([]);
    expect(newRecord(where).version).toBe(0);
  });
});
