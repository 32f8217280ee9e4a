/**
 * Sends a sweep's digest: one message for the whole sweep, carrying the messages Slack did not take earlier (kept in
 * the ledger per source); they are cleared only once the digest itself was delivered, so nothing is lost.
 */
import { utcMinute } from '../domain/names';
import { outboxKey, updateRecord, type Ledger, type OutboxEntry } from '../ledger/ledger';
import type { SweepSummary } from '../sweep/summary';
import { sweepDigestMessage, type SlackMessage } from './slack-message';
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
  const texts = records.flatMap((r) => r.undelivered!.filter(owed).map((u) => `${u.text} (${utcMinute(u.at)})`));
  const delivery = await deps.slack.send(sweepDigestMessage(summary, texts));
  if (delivery.delivered)
    for (const r of records) {
      const sent = new Set(r.undelivered!.filter(owed).map(outboxKey));
      await updateRecord(deps.ledger, r, (x) => ({ ...x, undelivered: (x.undelivered ?? []).filter((u) => !sent.has(outboxKey(u))) }));
    }
  return { ...delivery, carried: texts.length };
}
