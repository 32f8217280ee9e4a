/**
 * A stored sweep result as one self-contained HTML page (inline CSS; no script, fonts, images or other requests):
 * the summary, then per account and region each source's status, the calls planned or made, and its Insights clock
 * on a timeline from the sweep's end to seven days later (pending first delivery until T, delivering, off). Every value
 * from the stored result is untrusted (a member admin names accounts and sources; anyone with the file can edit it):
 * each goes through html() where it is interpolated, numbers and ids too, and class names take only known values. Pure.
 */
import { utcMinute } from '../domain/names';
import { html, token } from './escape';
import { accountRegionTitle, actionVerb, clockChangeText, coverageText, judged, planLines, spendLines, kindText, outOfScopeNote, statusText, summaryLine } from './render-text';
import { driftLeft, type StoredAccountRegion, type StoredAction, type StoredSource, type StoredSweepResult } from './sweep-result';
import { TIMELINE_HORIZON_MS, timelineOf } from './timeline';

// The classes the stylesheet styles; a stored status or outcome that is none of them gets `unknown`.
const STATUS_CLASSES = ['compliant', 'repaired', 'pending-first-delivery', 'drifted', 'not-remediable', 'exempt', 'out-of-scope', 'not-needed'] as const;
const OUTCOME_CLASSES = ['applied', 'planned', 'skipped', 'failed'] as const;
const SEGMENT_CLASSES = ['pending', 'delivering', 'off'] as const;

// A fraction of the axis; a date in the file that does not parse must not become "NaN%" in a style attribute.
const pct = (f: number): string => `${((Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0) * 100).toFixed(2)}%`;

const STYLE = `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232b; margin: 0; background: #f5f6f8; }
  header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
  header { background: #232f3e; color: #fff; max-width: none; }
  header h1 { margin: 0 0 4px; font-size: 20px; }
  header p { margin: 0; color: #d5dbe3; }
  .counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0; padding: 0; list-style: none; }
  .counts li { background: #fff; border: 1px solid #d9dde3; border-radius: 6px; padding: 8px 12px; min-width: 110px; }
  .counts b { display: block; font-size: 20px; }
  .verdict { padding: 10px 14px; border-radius: 6px; margin: 8px 0 16px; }
  .verdict.ok { background: #e3f4e8; border: 1px solid #8fcf9f; }
  .verdict.left { background: #fdf0e1; border: 1px solid #f0b46b; }
  section.account-region { background: #fff; border: 1px solid #d9dde3; border-radius: 6px; margin: 16px 0; padding: 8px 16px 12px; }
  section.account-region h2 { font-size: 16px; margin: 8px 0; }
  .note { color: #5a6572; margin: 4px 0 8px; }
  table { width: 100%; border-collapse: collapse; table-layout: fixed; }
  th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-top: 1px solid #eceef1; }
  th { font-weight: 600; color: #5a6572; font-size: 12px; }
  th.source { width: 14%; } th.status { width: 28%; } th.calls { width: 22%; }
  .kind { color: #5a6572; font-size: 12px; }
  .status { display: inline-block; font-size: 11px; font-weight: 700; border-radius: 3px; padding: 1px 6px; }
  .status.compliant, .status.repaired { background: #d8f0de; color: #1d6b34; }
  .status.pending-first-delivery { background: #dde9fb; color: #1f4f99; }
  .status.drifted { background: #fde6cf; color: #8a4b06; }
  .status.not-remediable { background: #fbd9d9; color: #9b1c1c; }
  .status.exempt, .status.out-of-scope, .status.not-needed, .status.unknown { background: #eceef1; color: #5a6572; }
  .finding { font-size: 12px; color: #3a444f; margin-top: 2px; }
  ul.calls { margin: 0; padding-left: 16px; font-size: 12px; }
  ul.calls li { word-break: break-word; }
  ul.calls code { font-size: 11px; color: #3a444f; }
  ul.calls .why { color: #3a444f; }
  .calls .applied { color: #1d6b34; } .calls .planned { color: #1f4f99; } .calls .failed, .calls .skipped { color: #9b1c1c; }
  .timeline { position: relative; height: 14px; background: #eceef1; border-radius: 3px; overflow: hidden; }
  .segment { position: absolute; top: 0; bottom: 0; }
  .segment.pending { background: repeating-linear-gradient(45deg, #7aa7e6, #7aa7e6 6px, #9bbdee 6px, #9bbdee 12px); }
  .segment.delivering { background: #4caf6a; }
  .segment.off { background: #b7bec7; }
  .timeline-label { font-size: 12px; margin-top: 2px; }
  .axis { display: flex; justify-content: space-between; font-size: 11px; color: #5a6572; }
  .legend span { display: inline-block; width: 12px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; border-radius: 2px; }
  footer { color: #5a6572; font-size: 12px; max-width: 1200px; margin: 0 auto; padding: 8px 24px 24px; }
`;

function timelineHtml(s: StoredSource, now: Date): string {
  const clock = s.clockIfRepaired ?? s.clockAfter;
  const t = timelineOf(clock, now);
  const segments = t.segments.map((seg) => `<div class="segment ${token(seg.state, SEGMENT_CLASSES, 'off')}" style="left:${pct(seg.from)};width:${pct(seg.to - seg.from)}"></div>`).join('');
  const label = `${s.clockIfRepaired ? 'if repaired: ' : ''}${t.label}`;
  return `<div class="timeline" role="img" aria-label="${html(label)}" data-state="${html(clock.status)}">${segments}</div><div class="timeline-label">${html(label)}</div>`;
}

function callHtml(a: StoredAction): string {
  const detail = a.detail ? `<div>${html(a.detail)}</div>` : '';
  return `<li class="${token(a.outcome, OUTCOME_CLASSES, 'unknown')}"><details><summary>${html(actionVerb(a))} <b>${html(a.operation)}</b></summary><div class="why">${html(a.why)}</div><code>${html(JSON.stringify(a.input))}</code>${detail}</details></li>`;
}

function sourceRow(s: StoredSource, now: Date): string {
  const statusClass = s.repaired ? 'repaired' : token(s.status, STATUS_CLASSES, 'unknown');
  const calls = s.actions.length ? `<ul class="calls">${s.actions.map(callHtml).join('')}</ul>` : '<span class="kind">none</span>';
  const remedies = s.blockers.filter((b) => !b.transient).map((b) => `<div class="finding">a person must: ${html(b.remedy)}</div>`).join('');
  return [
    `<tr class="source" data-arn="${html(s.arn)}">`,
    `<td><div class="kind">${kindText(s) === 'trail' ? 'trail' : 'event data store'}</div><b>${html(s.name)}</b></td>`,
    `<td><span class="status ${statusClass}">${html(statusText(s))}</span><div class="finding">${html(s.summary)}</div>${remedies}</td>`,
    `<td>${calls}</td>`,
    `<td>${timelineHtml(s, now)}<div class="finding">${html(clockChangeText(s))}</div></td>`,
    '</tr>',
  ].join('');
}

/** "11-21"; "?" when the stored finishedAt is not a date (toISOString would throw). */
function monthDay(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().slice(5, 10);
}

function axisHtml(now: Date): string {
  const ticks = Array.from({ length: 8 }, (_, day) => `<span>${day === 0 ? 'now' : `+${day}d`}<br>${monthDay(now.getTime() + (day * TIMELINE_HORIZON_MS) / 7)}</span>`);
  return `<div class="axis" aria-hidden="true">${ticks.join('')}</div>`;
}

function accountRegionSection(ar: StoredAccountRegion, now: Date): string {
  const notes: string[] = [];
  if (ar.status !== 'done') notes.push(`${ar.status}: ${ar.error ? `${ar.error.name}: ${ar.error.message}` : 'not swept'}`);
  const coverage = coverageText(ar);
  if (coverage) notes.push(coverage);
  if (ar.shadows.length) notes.push(`Organization and multi-region copies seen here (evaluated where they live): ${ar.shadows.map((s) => s.name).join(', ')}`);
  const out = outOfScopeNote(ar);
  if (out) notes.push(out[0]!.toUpperCase() + out.slice(1));
  const sources = judged(ar);
  if (ar.status === 'done' && sources.length === 0) notes.push('No trails or event data stores of its own in scope.');
  const table = sources.length
    ? `<table><thead><tr><th class="source">source</th><th class="status">status</th><th class="calls">calls</th><th>Insights clock, now to +7 days${axisHtml(now)}</th></tr></thead><tbody>${sources.map((s) => sourceRow(s, now)).join('')}</tbody></table>`
    : '';
  return `<section class="account-region" data-account="${html(ar.accountId)}" data-region="${html(ar.region)}"><h2>${html(accountRegionTitle(ar))}</h2>${notes.map((n) => `<p class="note">${html(n)}</p>`).join('')}${table}</section>`;
}

export function renderHtml(result: StoredSweepResult): string {
  const now = new Date(result.finishedAt);
  const s = result.summary;
  const left = driftLeft(result);
  const counts: [string, number][] = [
    ['compliant', s.compliant],
    ['repaired', s.repaired],
    ['pending first delivery', s.pendingFirstDelivery],
    ['exempt', s.exempt],
    ['drifted', s.drifted],
    ['not remediable', s.notRemediable],
    ['unreachable or failed', s.unreachable.length + s.failed.length],
    ['writes', result.writesApplied],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Insights sweep ${html(result.sweepId)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>CloudTrail Insights sweep ${html(result.sweepId)}</h1><p>Mode ${html(result.mode)} · ${html(result.accountRegions.length)} account-region(s) · management account ${html(result.organization.managementAccountId)} · finished ${html(utcMinute(result.finishedAt))} · ${html(result.endpoint)}</p></header>
<main>
<ul class="counts">${counts.map(([k, v]) => `<li><b>${html(v)}</b>${html(k)}</li>`).join('')}</ul>
${[...planLines(result), ...spendLines(result)].map((l) => `<p class="note">${html(l)}</p>`).join('')}
<div class="verdict ${left.length ? 'left' : 'ok'}">${left.length ? `<b>Drift left (${left.length})</b><ul>${left.map((l) => `<li>${html(l)}</li>`).join('')}</ul>` : '<b>No drift left</b>: every source is compliant, repaired, pending first delivery or exempt.'}</div>
<p class="legend">Insights clock: <span class="segment pending" style="position:static;display:inline-block"></span>pending first delivery (up to 36 hours on a trail, 7 days on an event data store) <span class="segment delivering" style="position:static;display:inline-block"></span>delivering <span class="segment off" style="position:static;display:inline-block"></span>off</p>
${result.accountRegions.map((ar) => accountRegionSection(ar, now)).join('\n')}
</main>
<footer>${html(summaryLine(result))}. Generated by insights-remediator report from a stored sweep result.</footer>
</body>
</html>
`;
}
