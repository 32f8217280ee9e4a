/**
 * The sweep's side of per-source safety: a sweep reads an account-region long before it writes, while events are
 * repaired under each source's lock. The gate makes a sweep's writes to a source wait for that lock, honour the
 * source's circuit breaker (a source the event path stopped fighting over is not fought over by the sweep either),
 * and say whether the ledger saw the source change since the sweep read it (then the pipeline reads it again).
 */
import { breakerVerdict, type BreakerPolicy } from '../domain/breaker';
import type { Ledger, SourceRecord } from '../ledger/ledger';
import type { SourceGate } from './remediate';

export function ledgerGate(ledger: Ledger, known: readonly SourceRecord[], breaker: BreakerPolicy, now: () => Date): SourceGate {
  const versions = new Map(known.map((k) => [k.arn, k.version]));
  return {
    hold: (source, write) =>
      ledger.withLock(source.arn, async () => {
        const r = await ledger.get(source.arn);
        const verdict = r ? breakerVerdict(r.breaker, now(), breaker) : undefined;
        if (verdict?.open)
          return { refused: `circuit breaker open: repaired ${r!.breaker.repairs.length} times within ${Math.round(breaker.windowMs / 60_000)} minutes and reverted${verdict.actors.length ? ` by ${verdict.actors.join(', ')}` : ''}; left alone until ${verdict.until}` };
        return write({ clock: r?.clock, changed: (r?.version ?? 0) !== (versions.get(source.arn) ?? 0) });
      }),
  };
}
