import type { ClockFacts } from '../../../../lib/domain/insights-clock';
import { InMemoryLedger, newRecord, recordIntent, updateRecord } from '../../../../lib/ledger/ledger';

const where = { arn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/t', kind: 'trail' as const, accountId: '222222222222', region: 'us-east-1' };

describe('the in-memory ledger', () => {
  it('refuses a write based on a stale version', async () => {
    const l = new InMemoryLedger();
    expect(await l.put({ ...newRecord(where), version: 1 })).toBe(true);
    expect(await l.put({ ...newRecord(where), version: 1 })).toBe(false);
    expect(await l.put({ ...newRecord(where), version: 2 })).toBe(true);
  });

  it('updates with retries, and finds records by account and region', async () => {
    const l = new InMemoryLedger();
    await Promise.all(Array.from({ length: 5 }, (_, i) => updateRecord(l, where, (r) => ({ ...r, lastRepair: { at: String(i), operations: [...(r.lastRepair?.operations ?? []), `op${i}`] } }))));
    const r = await l.get(where.arn);
    expect(r?.version).toBe(5);
    expect(r?.lastRepair?.operations).toHaveLength(5);
    expect(await l.sourcesIn('222222222222', 'us-east-1')).toHaveLength(1);
    expect(await l.sourcesIn('222222222222', 'eu-west-1')).toEqual([]);
  });

  it('runs work on one source one at a time, and goes on after a failure', async () => {
    const l = new InMemoryLedger();
    const order: string[] = [];
    const slow = (name: string, ms: number) =>
      l.withLock(where.arn, async () => {
      order.push(`${name}>`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`<${name}`);
    });
    const a = slow('a', 30);
    const b = slow('b', 1);
    const failing = l.withLock(where.arn, async () => {
      order.push('fail>');
      throw new Error('x');
    });
    const c = slow('c', 1);
    await Promise.all([a, b, failing.catch(() => undefined), c]);
    expect(order).toEqual(['a>', '<a', 'b>', '<b', 'fail>', 'c>', '<c']);
  });
});

describe('the write-ahead intent', () => {
  class LeasedLedger extends InMemoryLedger {
    readonly leaseMs = 180_000;
  }
  const where = { arn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', kind: 'trail' as const, accountId: '222222222222', region: 'us-east-1' };
  const T0 = '2026-11-20T00:00:00.000Z';
  const AT = '2026-12-01T00:00:00.000Z';

  it('dates the windows its writes open one lease later, so a crash after CloudTrail took the write leaves them late, never early', async () => {
    const ledger = new LeasedLedger();
    const from: ClockFacts = { kind: 'trail', logging: 'on', channels: { 'ApiCallRateInsight:Management': { since: T0, basis: 'enabled' } } };
    const to: ClockFacts = { ...from, channels: { ...from.channels, 'ApiErrorRateInsight:Management': { since: AT, basis: 'enabled' } } };
    await recordIntent(ledger, where, [{ operation: 'PutInsightSelectors', input: {} }], { from, to }, AT);
    const r = await ledger.get(where.arn);
    expect(r?.clock?.channels).toEqual({ 'ApiCallRateInsight:Management': { since: T0, basis: 'enabled' }, 'ApiErrorRateInsight:Management': { since: '2026-12-01T00:03:00.000Z', basis: 'enabled' } });
    expect(r?.intent?.at).toBe(AT);
    // Without leases (one process), the intent's own time.
    const plain = new InMemoryLedger();
    await recordIntent(plain, where, [{ operation: 'PutInsightSelectors', input: {} }], { from, to }, AT);
    expect((await plain.get(where.arn))?.clock?.channels['ApiErrorRateInsight:Management']?.since).toBe(AT);
  });
});
