import { InMemoryLedger, newRecord, updateRecord } from '../../../../lib/ledger/ledger';

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
