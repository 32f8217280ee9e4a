/**
 * Sends a sweep's digest: one message for the whole sweep, carrying the messages Slack did not take earlier (kept in
 * the ledger per source), oldest first, as many as fit; those are cleared only once the digest itself was delivered,
 * the rest wait for the next digest, so nothing is lost.
 */
import { utcMinute } from '../domain/names';
import { outboxKey, updateRecord, type Ledger, type OutboxEntry } from '../ledger/ledger';
import type { SweepSummary } from '../report/summary';
import { carriedByDigest, sweepDigestMessage, type SlackMessage } from './slack-message';
import type { DeliveryResult } from './slack-webhook';

/** An entry still carrying its message this recently may be in its sender's hands right now (lib/pipeline/handle-event.ts). */
const IN_FLIGHT_MS = 5 * 60_000;

export async function sendSweepDigest(
  summary: SweepSummary,
  accountRegions: readonly string[],
  deps: { ledger: Ledger; slack: { send(m: SlackMessage): Promise<DeliveryResult> }; now?: () => Date },
): Promise<DeliveryResult & { carried: number }> {
  const now = (deps.now ?? (() => new Date()))().getTime();
  const owed = (u: OutboxEntry) => !u.message || now - Date.parse(u.at) >= IN_FLIGHT_MS;
  const records = (await Promise.all(accountRegions.map((k) => deps.ledger.sourcesIn(...(k.split('/') as [string, string]))))).flat().filter((r) => r.undelivered?.some(owed));
  const entries = records
    .flatMap((r) => r.undelivered!.filter(owed).map((u) => ({ r, u, text: `${u.text} (${utcMinute(u.at)})` })))
    .sort((a, b) => a.u.at.localeCompare(b.u.at));
  // A digest has room for so many; what it does not show stays in the outbox for the next one, never cleared unseen.
  const carried = entries.slice(0, carriedByDigest(entries.map((e) => e.text)));
  const delivery = await deps.slack.send(sweepDigestMessage(summary, carried.map((e) => e.text), entries.length - carried.length));
  if (delivery.delivered)
    for (const r of records) {
      const sent = new Set(carried.filter((e) => e.r === r).map((e) => outboxKey(e.u)));
      if (sent.size) await updateRecord(deps.ledger, r, (x) => ({ ...x, undelivered: (x.undelivered ?? []).filter((u) => !sent.has(outboxKey(u))) }));
    }
  return { ...delivery, carried: carried.length };
}
