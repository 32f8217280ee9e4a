/**
 * Slack messages people act on, as pure Block Kit payloads: a repair, a report-mode finding (the exact calls), a
 * not-remediable finding (what a person must do), a circuit-breaker trip (who keeps reverting what), and a sweep
 * digest. Every payload respects Slack's limits: at most 50 blocks, 3,000 characters per text, 150 per header; long
 * lists end with "and N more". Names, summaries and error messages in them are untrusted (member-account admins set
 * them): every text is escaped where it enters a block (slackText, plainText), so `<!channel>` in a trail name neither
 * pings nor links. Pure: time comes in as data.
 */
import type { Outcome } from '../aws/apply';
import { REMEDY_FOR_REFUSAL } from '../aws/classify-error';
import type { Decision } from '../domain/decide';
import { describeChannels } from '../domain/decide';
import type { Channel } from '../domain/insight-channels';
import { utcMinute } from '../domain/names';
import type { BreakerNotification } from '../pipeline/handle-event';
import type { RemediationResult } from '../pipeline/remediate';
import { showControls } from '../report/escape';
import type { SweepSummary } from '../report/summary';

export type Block =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** The notification text (and the fallback where blocks do not render). */
  text: string;
  blocks: Block[];
}

export const LIMITS = { blocks: 50, text: 3000, header: 150 } as const;

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

const SLACK_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * mrkdwn text with Slack's three control characters escaped (https://api.slack.com/reference/surfaces/formatting#escaping):
 * `<` starts a mention, a channel ping or a link, `&` an entity. Whole texts are escaped, not their parts: the product's
 * own formatting is `*bold*`, backticks and bullets, never `<...>` (a link of its own would be appended after this).
 * An entity already escaped stays as it is, so a message text carried into a digest is not escaped twice; Slack
 * decodes `&lt;` to a `<` shown as text, so leaving one alone is safe. Control and bidi characters show as placeholders.
 */
export const slackText = (text: string): string => showControls(text, '\n\t').replace(/&(?!(?:amp|lt|gt);)|[<>]/g, (c) => SLACK_ENTITY[c]!);
/** A header is plain_text: Slack formats nothing in it, but a bidi override would still reorder what it shows. */
const plainText = (text: string): string => showControls(text, '\t');

// Escaped before clipping, so the clipped text is what Slack gets and stays within its limits.
const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: clip(plainText(text), LIMITS.header) } });
const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(slackText(text), LIMITS.text) } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(slackText(text), LIMITS.text) }] });

/** How many of `lines` (at most `max`) fit one text block with room for an "and N more" line. */
export function fittingLines(lines: readonly string[], max = 10): number {
  let n = 0;
  let length = 0;
  for (const line of lines.slice(0, max)) {
    if (length + line.length + 1 > LIMITS.text - 60) break;
    n++;
    length += line.length + 1;
  }
  return n;
}

/** At most `max` lines, then "and N more"; the whole fits one text block. */
export function listWithMore(lines: readonly string[], max = 10): string {
  const shown = lines.slice(0, fittingLines(lines, max));
  const rest = lines.length - shown.length;
  return rest > 0 ? `${shown.join('\n')}\nand ${rest} more` : shown.join('\n');
}

/** Sections of a digest that carry undelivered messages: at most this many, each one text block. */
export const DIGEST_CARRY_SECTIONS = 4;
const DIGEST_LINES_PER_SECTION = 15;

/**
 * The undelivered messages a digest carries, as the lines of each of its sections: as many as fit, oldest first. A line
 * longer than a block is clipped by section(), never skipped.
 */
function carriedLines(texts: readonly string[]): string[][] {
  const bullets = texts.map((t) => `• ${t}`);
  const groups: string[][] = [];
  for (let at = 0; at < bullets.length && groups.length < DIGEST_CARRY_SECTIONS; ) {
    const rest = bullets.slice(at, at + DIGEST_LINES_PER_SECTION);
    const n = Math.max(1, fittingLines(rest, DIGEST_LINES_PER_SECTION));
    groups.push(rest.slice(0, n));
    at += n;
  }
  return groups;
}

/**
 * How many undelivered messages a digest carries. Only those leave the outbox when the digest is delivered; the rest
 * wait for the next digest (the digest says how many).
 */
export const carriedByDigest = (texts: readonly string[]): number => carriedLines(texts).reduce((n, g) => n + g.length, 0);

function finalize(text: string, blocks: Block[]): SlackMessage {
  const kept = blocks.length <= LIMITS.blocks ? blocks : [...blocks.slice(0, LIMITS.blocks - 1), context(`and ${blocks.length - LIMITS.blocks + 1} more block(s) not shown`)];
  // The notification text is mrkdwn too: `<!channel>` there would ping the channel.
  return { text: clip(slackText(text), LIMITS.text), blocks: kept };
}

const kindNoun = (d: Decision) => (d.source.kind === 'trail' ? 'trail' : 'event data store');
const where = (d: Decision) => `${kindNoun(d)} \`${d.source.name}\` in ${d.source.accountId} ${d.source.homeRegion}`;

/** "Insights delivery may take up to 7 days: expected by 2026-11-28 14:02 UTC". */
export function clockLine(d: Decision, clock = d.projectedClock): string {
  if (clock.status === 'pending-first-delivery' && clock.windowEnd)
    return `Insights delivery may take up to ${d.source.kind === 'trail' ? '36 hours' : '7 days'}: expected by ${utcMinute(clock.windowEnd)}`;
  if (clock.status === 'delivering') return 'Insights are delivering';
  return 'Insights are off';
}

export interface DriftContext {
  actor?: string;
  eventName?: string;
  at?: string;
}

export function repairMessage(d: Decision, outcomes: readonly Outcome[], drift: DriftContext = {}): SlackMessage {
  const applied = outcomes.filter((o) => o.status === 'applied');
  const failed = outcomes.filter((o) => o.status === 'failed');
  const after = describeChannels(d.projectedClock.channels.map((c) => c.channel as Channel)) || 'none';
  const blocks: Block[] = [
    header(`${failed.length ? ':warning: Insights repair incomplete' : ':wrench: Insights repaired'}: ${d.source.name}`),
    section(`*What drifted* on the ${where(d)}\n${listWithMore(d.finding.reasons.map((r) => `• ${r.message}`))}`),
    ...(drift.actor ? [section(`*Who*: ${drift.actor}${drift.eventName ? ` (${drift.eventName}${drift.at ? ` at ${utcMinute(drift.at)}` : ''})` : ''}`)] : []),
    section(`*What the product did*\n${listWithMore(applied.map((o) => `• \`${o.action.operation}\`: ${o.action.why}`))}${failed.length ? `\n*Failed*\n${listWithMore(failed.map((o) => `• \`${o.action.operation}\`: ${o.status === 'failed' ? `${o.error.name}: ${o.error.message}` : ''}`))}` : ''}`),
    section(`*Before → after*: ${d.finding.summary} → Insights on (${after})`),
    context(clockLine(d)),
  ];
  return finalize(`Insights repaired on ${where(d)}: ${clockLine(d)}`, blocks);
}

/**
 * Every repair write was refused, so Insights stay broken: a person must act. Also counted (`repairsFailed`) and
 * alarmed on (template.yaml RepairsFailedAlarm). Writes AWS may take later are retried, not messaged.
 */
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function repairFailedMessage(d: Decision, outcomes: readonly Outcome[], drift: DriftContext = {}): SlackMessage {
  const failed = outcomes.filter((o): o is Extract<Outcome, { status: 'failed' }> => o.status === 'failed');
  const remedies = [...new Set(failed.map((o) => capitalized(REMEDY_FOR_REFUSAL[o.error.class] ?? 'read the error and fix the cause; the next sweep tries again')))];
  const blocks: Block[] = [
    header(`:x: Insights repair refused: ${d.source.name}`),
    section(`*What drifted* on the ${where(d)}\n${listWithMore(d.finding.reasons.map((r) => `• ${r.message}`))}`),
    ...(drift.actor ? [section(`*Who*: ${drift.actor}${drift.eventName ? ` (${drift.eventName}${drift.at ? ` at ${utcMinute(drift.at)}` : ''})` : ''}`)] : []),
    section(`*What AWS refused*\n${listWithMore(failed.map((o) => `• \`${o.action.operation}\`: ${o.error.name}: ${o.error.message}`))}`),
    section(`*What a person must do*\n${listWithMore(remedies.map((r) => `• ${r}`))}`),
    context(`Insights stay as they are: ${d.finding.summary}`),
  ];
  return finalize(`Insights repair refused on ${where(d)}: ${failed[0] ? `${failed[0].action.operation}: ${failed[0].error.name}` : 'no write made'}`, blocks);
}

export function reportFindingMessage(d: Decision): SlackMessage {
  const calls = d.actions.map((a) => `${a.operation} (account ${a.accountId}, ${a.region})\n${JSON.stringify(a.input, null, 1)}`);
  const blocks: Block[] = [
    header(`:mag: Insights drift (report mode): ${d.source.name}`),
    section(`*What is wrong* on the ${where(d)}\n${listWithMore(d.finding.reasons.map((r) => `• ${r.message}`))}`),
    section(`*What enforce mode would call*\n\`\`\`${clip(listWithMore(calls, 5), LIMITS.text - 10)}\`\`\``),
    context(`Applying these ${d.actions.some((a) => a.kind === 'startLogging' || a.kind === 'startIngestion' || a.kind === 'putInsightSelectors') ? `opens a delivery window: ${clockLine(d)}` : 'does not touch the Insights clock'}`),
  ];
  return finalize(`Insights drift on ${where(d)} (report mode): ${d.actions.length} call(s) would repair it`, blocks);
}

export function notRemediableMessage(d: Decision): SlackMessage {
  const blockers = d.finding.blockers.filter((b) => !b.transient);
  const blocks: Block[] = [
    header(`:no_entry: Insights cannot be repaired: ${d.source.name}`),
    section(`*What is wrong* on the ${where(d)}\n${listWithMore(d.finding.reasons.map((r) => `• ${r.message}`))}`),
    section(`*Why the product cannot fix it*\n${listWithMore(blockers.map((b) => `• ${b.message}`))}`),
    section(`*What a person must do*\n${listWithMore(blockers.map((b) => `• ${b.remedy}`))}`),
  ];
  return finalize(`Insights cannot be repaired on ${where(d)}: ${blockers[0]?.remedy ?? 'see the finding'}`, blocks);
}

export function breakerMessage(n: BreakerNotification, windowMinutes: number): SlackMessage {
  const name = n.arn.split('/').pop() ?? n.arn;
  const who = n.actors.length ? n.actors.join(', ') : 'an unknown caller';
  const blocks: Block[] = [
    header(`:rotating_light: Stopped repairing ${name}: it keeps being reverted`),
    section(`\`${n.arn}\` was repaired ${n.repairs} times within ${windowMinutes} minutes and reverted each time.\n*Reverted by*: ${who}`),
    section(`The product leaves it alone until ${utcMinute(n.until)} so as not to fight. Settle the source's settings with ${n.actors.length > 1 ? 'these callers' : 'this caller'}, or add an exemption with a reason and an expiry.`),
  ];
  return finalize(`Stopped repairing ${name}: reverted ${n.repairs} times by ${who}`, blocks);
}

export function digestMessage(result: RemediationResult, title = 'Insights sweep', undelivered: readonly string[] = []): SlackMessage {
  const decisions = result.results.flatMap((r) => r.decisions);
  const count = (s: string) => decisions.filter((d) => d.finding.status === s).length;
  const repaired = new Set(result.results.flatMap((r) => r.outcomes.filter((o) => o.status === 'applied').map((o) => o.action.sourceArn)));
  const pending = decisions.map((d) => (repaired.has(d.source.arn) ? d.projectedClock : d.clock)).filter((c) => c.status === 'pending-first-delivery' && c.windowEnd);
  const latest = pending.map((c) => c.windowEnd!).sort().pop();
  const problems = new Map<string, number>();
  for (const d of decisions) for (const r of d.finding.reasons) problems.set(r.code, (problems.get(r.code) ?? 0) + 1);
  const unreachable = result.results.filter((r) => r.status !== 'done');
  const notRemediable = decisions.filter((d) => d.finding.status === 'not-remediable');
  const uncovered = result.results.filter((r) => r.coverage?.status === 'uncovered');
  const blocks: Block[] = [
    header(`:bar_chart: ${title}: ${result.results.length} account-region(s), mode ${result.mode}`),
    section(
      [
        `*Compliant*: ${count('compliant')}`,
        `*Repaired*: ${repaired.size}${result.mode === 'report' ? ' (report mode: none written)' : ''}`,
        `*Pending first delivery*: ${count('pending-first-delivery') + repaired.size}${latest ? ` (latest expected by ${utcMinute(latest)})` : ''}`,
        `*Drifted, not repaired*: ${decisions.filter((d) => d.finding.status === 'drifted' && !repaired.has(d.source.arn)).length}`,
        `*Exempt*: ${count('exempt')}`,
        `*Not remediable*: ${notRemediable.length}`,
        `*Unreachable account-regions*: ${unreachable.length}`,
        `*Writes*: ${result.writesApplied} (cap left: ${result.writeBudgetLeft})`,
      ].join('\n'),
    ),
    ...(problems.size ? [section(`*Top problems*\n${listWithMore([...problems].sort((a, b) => b[1] - a[1]).map(([code, n]) => `• ${code}: ${n}`), 5)}`)] : []),
    ...(notRemediable.length ? [section(`*Needs a person*\n${listWithMore(notRemediable.map((d) => `• ${where(d)}: ${d.finding.blockers.find((b) => !b.transient)?.remedy ?? d.finding.summary}`))}`)] : []),
    ...(unreachable.length ? [section(`*Never reported*\n${listWithMore(unreachable.map((r) => `• ${r.accountId} ${r.region}: ${r.error?.name ?? r.status}`))}`)] : []),
    ...(uncovered.length ? [section(`*No Insights at all*\n${listWithMore(uncovered.map((r) => `• ${r.accountId} ${r.region}`))}`)] : []),
    ...carrySectionsOf(undelivered, 0),
  ];
  return finalize(`${title}: ${repaired.size} repaired, ${notRemediable.length} need a person, ${unreachable.length} unreachable`, blocks);
}

/** The digest of a fan-out sweep, from its summary (lib/report/summary.ts), with messages Slack missed earlier. */
/** The undelivered messages a digest carries (carriedByDigest says how many fit), and how many wait for the next one. */
function carrySectionsOf(undelivered: readonly string[], keptForNext: number): Block[] {
  const groups = carriedLines(undelivered);
  const out = groups.map((lines, i) => section(`${i === 0 ? '*Not delivered earlier*\n' : ''}${lines.join('\n')}`));
  const more = keptForNext + undelivered.length - groups.reduce((n, g) => n + g.length, 0);
  if (more > 0) out.push(context(`and ${more} more message(s) not delivered earlier, kept for the next digest`));
  return out;
}

export function sweepDigestMessage(s: SweepSummary, undelivered: readonly string[] = [], keptForNext = 0): SlackMessage {
  const c = s.coverage;
  const blocks: Block[] = [
    header(`:bar_chart: Insights sweep ${s.sweepId}: ${s.reported} of ${s.expected} account-region(s)${s.timedOut && !s.complete ? ', timed out' : ''}`),
    ...(c
      ? [
          section(
            [
              `*Account-regions analyzed by Insights*: ${c.covered + c.pendingFirstDelivery}${c.pendingFirstDelivery ? ` (${c.pendingFirstDelivery} pending first delivery)` : ''}`,
              `*Not analyzed*: ${c.uncovered}${c.unknown ? ` (and ${c.unknown} unknown: unreadable)` : ''}`,
              ...(c.exempt ? [`*Exempt*: ${c.exempt}`] : []),
              `*Analyzed more than once* (each billed): ${c.redundant}`,
            ].join('\n'),
          ),
        ]
      : []),
    section(
      [
        `*Compliant*: ${s.compliant}`,
        `*Repaired*: ${s.repaired}`,
        `*Pending first delivery*: ${s.pendingFirstDelivery}${s.latestPending ? ` (latest expected by ${utcMinute(s.latestPending)})` : ''}`,
        `*Drifted, not repaired*: ${s.drifted}`,
        `*Exempt*: ${s.exempt}`,
        `*Not remediable*: ${s.notRemediable}`,
        `*Unreachable account-regions*: ${s.unreachable.length}`,
        ...(s.notNeeded ? [`*Not needed for coverage*: ${s.notNeeded}`] : []),
        `*Writes*: ${s.writes}`,
      ].join('\n'),
    ),
    ...(s.spend ? [section(s.spend.status === 'known' ? `*Insights spend ${s.spend.period.start} to ${s.spend.period.end}*: ${s.spend.currency ?? 'USD'} ${s.spend.total.toFixed(2)}${s.spend.redundantAccountRegions ? `; billed where redundant carriers live: up to ${s.spend.currency ?? 'USD'} ${s.spend.redundantTotal.toFixed(2)} in ${s.spend.redundantAccountRegions} account-region(s)` : ''}` : `*Insights spend unknown*: ${s.spend.reason ?? ''}`)] : []),
    ...(s.topProblems.length ? [section(`*Top problems*\n${listWithMore(s.topProblems.map(([code, n]) => `• ${code}: ${n}`), 5)}`)] : []),
    ...(s.needsPerson.length ? [section(`*Needs a person*\n${listWithMore(s.needsPerson.map((t) => `• ${t}`))}`)] : []),
    ...(s.unreachable.length || s.failed.length ? [section(`*Unreachable or failing*\n${listWithMore([...s.unreachable.map((k) => `• ${k}: access denied`), ...s.failed.map((k) => `• ${k}: failed, retried`)])}`)] : []),
    ...(s.neverReported.length ? [section(`*Never reported*\n${listWithMore(s.neverReported.map((k) => `• ${k}`))}`)] : []),
    ...carrySectionsOf(undelivered, keptForNext),
  ];
  const coverage = c ? `${c.uncovered} account-region(s) not analyzed, ${c.redundant} analyzed more than once, ` : '';
  return finalize(`Insights sweep ${s.sweepId}: ${coverage}${s.repaired} repaired, ${s.notRemediable} need a person, ${s.unreachable.length} unreachable, ${s.neverReported.length} never reported`, blocks);
}
