/**
 * Sends a sweep's digest: one message for the whole sweep, carrying the messages Slack did not take earlier (kept in
 * the ledger per source); they are cleared only once the digest itself was delivered, so nothing is lost.
 */
import { utcMinute } from '../domain/names';
import { updateRecord, type Ledger } from '../ledger/ledger';
import type { SweepSummary } from '../sweep/summary';
import { sweepDigestMessage, type SlackMessage } from './slack-message';
import type { DeliveryResult } from './slack-webhook';

export async function sendSweepDigest(
  summary: SweepSummary,
  accountRegions: readonly string[],
  deps: { ledger: Ledger; slack: { send(m: SlackMessage): Promise<DeliveryResult> } },
): Promise<DeliveryResult & { carried: number }> {
  const records = (await Promise.all(accountRegions.map((k) => deps.ledger.sourcesIn(...(k.split('/') as [string, string]))))).flat().filter((r) => r.undelivered?.length);
  const texts = records.flatMap((r) => r.undelivered!.map((u) => `${u.text} (${utcMinute(u.at)})`));
  const delivery = await deps.slack.send(sweepDigestMessage(summary, texts));
  if (delivery.delivered)
    for (const r of records) {
      const sent = new Set(r.undelivered!.map((u) => `${u.at}|${u.text}`));
      await updateRecord(deps.ledger, r, (x) => ({ ...x, undelivered: (x.undelivered ?? []).filter((u) => !sent.has(`${u.at}|${u.text}`)) }));
    }
  return { ...delivery, carried: texts.length };
}
