import { InMemoryLedger, newRecord, updateRecord } from '../../../../lib/ledger/ledger';
import { sendSweepDigest } from '../../../../lib/notify/digest';
import { sweepDigestMessage, type SlackMessage } from '../../../../lib/notify/slack-message';
import { summarize, type AccountRegionReport } from '../../../../lib/report/summary';

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

  it('clears from the outbox only the messages it shows; the rest wait for the next digest, which says how many', async () => {
    const ledger = new InMemoryLedger();
    const at = (i: number) => new Date(Date.parse('2026-11-21T00:00:00.000Z') + i * 60_000).toISOString();
    for (let s = 0; s < 20; s++)
      await updateRecord(ledger, { ...where, arn: `${where.arn}-${s}` }, (r) => ({ ...r, undelivered: Array.from({ length: 10 }, (_, i) => ({ at: at(s * 10 + i), text: `Insights repaired on trail \`t-${s}\`: Insights delivery may take up to 36 hours, expected by ${at(s * 10 + i)} (message ${s * 10 + i})` })) }));
    const sent: SlackMessage[] = [];
    const slack = { send: async (m: SlackMessage) => (sent.push(m), { delivered: true, attempts: 1 }) };
    const owed = async () => (await ledger.sourcesIn('1', 'us-east-1')).reduce((n, r) => n + (r.undelivered?.length ?? 0), 0);
    let shown = 0;
    for (let digest = 0; (await owed()) > 0; digest++) {
      expect(digest).toBeLessThan(20);
      const before = await owed();
      const r = await sendSweepDigest(summary, ['1/us-east-1'], { ledger, slack });
      const text = JSON.stringify(sent.at(-1));
      // Every message taken off the outbox is in the digest that took it.
      const messages = [...text.matchAll(/\(message (\d+)\)/g)].map((m) => Number(m[1]));
      expect(messages).toHaveLength(r.carried);
      expect(before - (await owed())).toBe(r.carried);
      if (before > r.carried) expect(text).toContain(`and ${before - r.carried} more message(s) not delivered earlier, kept for the next digest`);
      // Oldest first, none twice.
      expect(messages).toEqual(Array.from({ length: r.carried }, (_, i) => shown + i));
      shown += r.carried;
      expect(sent.at(-1)!.blocks!.length).toBeLessThanOrEqual(50);
    }
    expect(shown).toBe(200);
  });
});
