/**
 * A stored sweep result as one self-contained HTML page, readable from 12 account-regions to 5,000 accounts x 17
 * regions: the overview rendered here (totals, the coverage map's legend with counts, the pending Insights windows —
 * what will deliver by when —, redundant Insights and their spend, what needs a person), then the coverage map, the
 * findings table and the account-region panel, drawn in the browser by one constant inline script (html-app.ts) from
 * the data embedded once as inert JSON (html-data.ts). Nothing is fetched: a Content-Security-Policy allows no request
 * at all, inline styles, and that one script by its SHA-256. Every value from the stored result is untrusted (a member
 * admin names accounts and sources; anyone with the file can edit it): here each goes through html() where it is
 * interpolated, in the data it is an escaped JSON string, and the script sets it as text. Pure.
 */
import { createHash } from 'node:crypto';
import { utcMinute } from '../domain/names';
import { html } from './escape';
import { APP_SCRIPT } from './html-app';
import { dataJson, reportData } from './html-data';
import { MAP_STATUS_LABEL, MAP_STATUS_MEANING, MAP_STATUSES, organizationMap, pendingWindows } from './organization';
import { planLines, spendLines, summaryLine } from './render-text';
import { driftLeft, type StoredSweepResult } from './sweep-result';

/** The Content-Security-Policy of every report: no request, inline styles, the one script by its hash. */
export const REPORT_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash('sha256').update(APP_SCRIPT).digest('base64')}'; base-uri 'none'; form-action 'none'`;

/** How many lines of "what needs a person" the overview lists before pointing to the table's filters. */
const NEEDS_PERSON_SHOWN = 25;
const PENDING_SHOWN = 12;

const STYLE = `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232b; margin: 0; background: #f5f6f8; }
  header, main { max-width: 1400px; margin: 0 auto; padding: 16px 24px; }
  header { background: #232f3e; color: #fff; max-width: none; }
  header h1 { margin: 0 0 4px; font-size: 20px; }
  header p { margin: 0; color: #d5dbe3; }
  h2 { font-size: 17px; margin: 20px 0 8px; }
  .panel { background: #fff; border: 1px solid #d9dde3; border-radius: 6px; padding: 8px 16px 12px; margin: 12px 0; }
  .overview { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; }
  .overview .panel { margin: 0; }
  .overview h3 { font-size: 14px; margin: 6px 0; }
  .counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; padding: 0; list-style: none; }
  .counts li { background: #fff; border: 1px solid #d9dde3; border-radius: 6px; padding: 8px 12px; min-width: 110px; }
  .counts b { display: block; font-size: 20px; }
  .verdict { padding: 10px 14px; border-radius: 6px; margin: 8px 0 16px; }
  .verdict.ok { background: #e3f4e8; border: 1px solid #8fcf9f; }
  .verdict.left { background: #fdf0e1; border: 1px solid #f0b46b; }
  .note { color: #5a6572; margin: 4px 0 8px; }
  ul.plain { margin: 4px 0; padding-left: 18px; }
  table { width: 100%; border-collapse: collapse; table-layout: fixed; }
  th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-top: 1px solid #eceef1; }
  th { font-weight: 600; color: #5a6572; font-size: 12px; }
  th.source { width: 17%; } th.status { width: 26%; } th.calls { width: 23%; }
  .kind { color: #5a6572; font-size: 12px; }
  .status { display: inline-block; font-size: 11px; font-weight: 700; border-radius: 3px; padding: 1px 6px; }
  .status.compliant, .status.repaired { background: #d8f0de; color: #1d6b34; }
  .status.pending-first-delivery { background: #dde9fb; color: #1f4f99; }
  .status.drifted { background: #fde6cf; color: #8a4b06; }
  .status.not-remediable { background: #fbd9d9; color: #9b1c1c; }
  .status.exempt, .status.out-of-scope, .status.not-needed, .status.unknown { background: #eceef1; color: #5a6572; }
  .status.ar { color: #fff; } .status.ar.s-out-of-scope { color: #3a444f; }
  .finding { font-size: 12px; color: #3a444f; margin-top: 2px; }
  ul.calls { margin: 0; padding-left: 16px; font-size: 12px; }
  ul.calls li { word-break: break-word; }
  code { font-size: 11px; color: #3a444f; word-break: break-all; }
  .why { color: #3a444f; }
  .applied { color: #1d6b34; } .planned { color: #1f4f99; } .failed, .skipped { color: #9b1c1c; }
  .timeline { position: relative; height: 14px; background: #eceef1; border-radius: 3px; overflow: hidden; }
  .segment { position: absolute; top: 0; bottom: 0; }
  .segment.pending { background: repeating-linear-gradient(45deg, #7aa7e6, #7aa7e6 6px, #9bbdee 6px, #9bbdee 12px); }
  .segment.delivering { background: #4caf6a; }
  .segment.off { background: #b7bec7; }
  .timeline-label { font-size: 12px; margin-top: 2px; }
  .axis { display: flex; justify-content: space-between; font-size: 10px; font-weight: 400; color: #5a6572; }
  .swatch { display: inline-block; width: 12px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; border-radius: 2px; }
  .swatch.pending { background: repeating-linear-gradient(45deg, #7aa7e6, #7aa7e6 3px, #9bbdee 3px, #9bbdee 6px); }
  .swatch.delivering { background: #4caf6a; } .swatch.off { background: #b7bec7; }
  .s-covered { background: #2e9e53; } .s-pending { background: #3b7dd8; } .s-drifted { background: #f29d38; }
  .s-not-remediable { background: #d64545; } .s-exempt { background: #9a7bd0; } .s-unreachable { background: #3d434a; }
  .s-out-of-scope { background: #e4e7eb; }
  .chip { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 5px; box-shadow: inset 0 0 0 1px rgba(0,0,0,.15); }
  ul.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0; margin: 8px 0; }
  ul.legend li { font-size: 13px; }
  details.ou { border-top: 1px solid #eceef1; padding: 4px 0; }
  details.ou summary { cursor: pointer; list-style-position: outside; padding: 4px 0; }
  .ou-counts .count { font-size: 12px; margin-right: 12px; white-space: nowrap; }
  .strip-row, .grid-head, .grid-row { display: grid; grid-template-columns: 260px repeat(var(--regions), 44px); gap: 2px; align-items: center; }
  .grid-head { position: sticky; top: 0; background: #fff; z-index: 2; margin-left: 18px; }
  details.ou summary { display: block; }
  details.ou summary::before { content: "▸"; position: absolute; margin-left: -14px; color: #5a6572; }
  details.ou[open] summary::before { content: "▾"; }
  details.ou { padding-left: 18px; }
  .ou-title { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 13px; }
  .ou-counts { margin: 2px 0 0; }
  .strip { display: flex; height: 16px; padding: 0; border: 0; border-radius: 2px; overflow: hidden; cursor: pointer; background: #fff; box-shadow: inset 0 0 0 1px #d9dde3; }
  .strip span { height: 100%; }
  .grid-box { margin: 4px 0 6px; }
  .grid-head { font-size: 10px; color: #5a6572; height: 86px; align-items: end; }
  .grid-head .region { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; justify-self: center; }
  .grid-row .acct, .grid-head .acct { font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .cell { height: 14px; padding: 0; border: 0; border-radius: 2px; cursor: pointer; box-shadow: inset 0 0 0 1px rgba(0,0,0,.12); }
  .cell:hover, .cell:focus { outline: 2px solid #1d232b; outline-offset: 0; }
  .pager { margin: 6px 0; font-size: 12px; display: flex; gap: 12px; align-items: center; }
  .filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
  .filters select, .filters input { font: inherit; font-size: 13px; max-width: 220px; }
  .filters input[type=search] { width: 260px; }
  #f-count { color: #5a6572; font-size: 13px; }
  .thead, .row { display: grid; grid-template-columns: 150px 120px 130px 110px 90px minmax(200px, 1fr) 210px minmax(200px, 1fr); gap: 8px; padding: 4px 8px; }
  .thead { font-size: 12px; color: #5a6572; font-weight: 600; border-bottom: 1px solid #d9dde3; }
  .thead button { font: inherit; border: 0; background: none; padding: 0; color: inherit; cursor: pointer; text-align: left; }
  .thead button[aria-sort=ascending]::after { content: " ▲"; } .thead button[aria-sort=descending]::after { content: " ▼"; }
  #rows { height: 580px; overflow-y: auto; position: relative; border: 1px solid #eceef1; }
  .spacer { position: relative; }
  .slice { position: absolute; top: 0; left: 0; right: 0; }
  .row { height: 50px; overflow: hidden; border-bottom: 1px solid #eceef1; font-size: 12px; cursor: pointer; }
  .row:hover { background: #f3f6fa; }
  .row .c { overflow: hidden; text-overflow: ellipsis; }
  .row .finding { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .row .call { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  aside#detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(760px, 96vw); background: #fff; box-shadow: -4px 0 16px rgba(0,0,0,.18); overflow-y: auto; padding: 8px 20px 20px; z-index: 10; }
  aside#detail[hidden] { display: none; }
  #detail-close { float: right; font: inherit; margin-top: 8px; }
  section.account-region h2 { margin-top: 12px; }
  .map-status { margin: 4px 0; }
  footer { color: #5a6572; font-size: 12px; max-width: 1400px; margin: 0 auto; padding: 8px 24px 24px; }
`;

function legendHtml(counts: Record<string, number>): string {
  const items = MAP_STATUSES.map((s) => `<li class="legend-item" data-status="${s}" title="${html(MAP_STATUS_MEANING[s])}"><span class="chip s-${s}"></span>${html(MAP_STATUS_LABEL[s])} <b>${html(counts[s]!.toLocaleString('en'))}</b></li>`);
  return `<ul class="legend">${items.join('')}</ul>`;
}

function pendingHtml(result: StoredSweepResult): string {
  const windows = pendingWindows(result);
  if (!windows.length) return '<p class="note">No source is waiting for its first Insights delivery.</p>';
  const rows = windows.slice(0, PENDING_SHOWN).map((w) => `<li>by <b>${html(utcMinute(w.by))}</b>: ${html(w.trails.toLocaleString('en'))} trail(s), ${html(w.stores.toLocaleString('en'))} event data store(s)</li>`);
  const more = windows.length > PENDING_SHOWN ? `<li>and ${html((windows.length - PENDING_SHOWN).toLocaleString('en'))} later hour(s)</li>` : '';
  return `<p class="note">CloudTrail may take up to 36 hours to deliver Insights on a trail, and up to 7 days on an event data store, after they are enabled or logging (ingestion) restarts. Expected deliveries, by the hour their window ends:</p><ul class="plain pending-windows">${rows.join('')}${more}</ul>`;
}

function redundantHtml(result: StoredSweepResult): string {
  const carriers = result.coveragePlan?.redundantCarriers ?? [];
  const lines = [...planLines(result), ...spendLines(result)];
  const head = result.coveragePlan
    ? `<p><b>${html(carriers.length.toLocaleString('en'))}</b> source(s) analyze account-regions another, preferred carrier also analyzes (each billed for Insights).</p>`
    : '<p class="note">Objective everySource: every source is kept analyzing; redundancy is not assessed.</p>';
  return `${head}${lines.length ? `<ul class="plain">${lines.map((l) => `<li>${html(l)}</li>`).join('')}</ul>` : ''}`;
}

function needsPersonHtml(left: string[]): string {
  if (!left.length) return '<p><b>No drift left</b>: every source is compliant, repaired, pending first delivery or exempt.</p>';
  const shown = left.slice(0, NEEDS_PERSON_SHOWN).map((l) => `<li>${html(l)}</li>`);
  const more = left.length > NEEDS_PERSON_SHOWN ? `<li>and ${html((left.length - NEEDS_PERSON_SHOWN).toLocaleString('en'))} more: filter the findings table by status</li>` : '';
  return `<b>Drift left (${html(left.length.toLocaleString('en'))})</b><ul class="plain">${shown.join('')}${more}</ul>`;
}

const SORTS: [string, string][] = [
  ['status', 'status'],
  ['ou', 'OU'],
  ['account', 'account'],
  ['region', 'region'],
  ['kind', 'kind'],
  ['name', 'source and finding'],
  ['clock', 'Insights clock'],
];

export function renderHtml(result: StoredSweepResult): string {
  const s = result.summary;
  const left = driftLeft(result);
  const map = organizationMap(result);
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
  const data = dataJson(reportData(result, map));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Insights sweep ${html(result.sweepId)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>CloudTrail Insights sweep ${html(result.sweepId)}</h1><p>Mode ${html(result.mode)} · ${html(map.accounts.length.toLocaleString('en'))} account(s) × ${html(map.regions.length)} region(s) · ${html(result.accountRegions.length.toLocaleString('en'))} account-region(s) swept · management account ${html(result.organization.managementAccountId)} · finished ${html(utcMinute(String(result.finishedAt)))} · ${html(result.endpoint)}</p></header>
<main>
<ul class="counts">${counts.map(([k, v]) => `<li><b>${html(typeof v === 'number' ? v.toLocaleString('en') : v)}</b>${html(k)}</li>`).join('')}</ul>
<div class="verdict ${left.length ? 'left' : 'ok'}">${needsPersonHtml(left)}</div>
<section class="overview">
<div class="panel" id="pending"><h3>The Insights clock: pending first deliveries</h3>${pendingHtml(result)}</div>
<div class="panel" id="redundant"><h3>Redundant Insights and their spend</h3>${redundantHtml(result)}</div>
</section>
<section class="panel" id="map" style="--regions:${map.regions.length}">
<h2>Coverage map: accounts by OU × regions</h2>
${legendHtml(map.counts)}
<p class="note">One cell per account-region, worst status first; a cell opens its account-region. Each OU's strip shows its regions' statuses in proportion (a strip filters the findings table). <label><input type="checkbox" id="map-attention"> only accounts that need attention (drifted, not remediable, unreachable)</label></p>
<noscript><p class="note">The coverage map and the findings table are drawn by the page's own script: allow JavaScript for this file to see them.</p></noscript>
<div id="map-body"></div>
</section>
<section class="panel" id="findings">
<h2>Findings</h2>
<div class="filters"><select id="f-status" aria-label="status"><option value="">any status</option></select><select id="f-ou" aria-label="OU"><option value="">any OU</option></select><select id="f-account" aria-label="account"><option value="">any account</option></select><select id="f-region" aria-label="region"><option value="">any region</option></select><select id="f-kind" aria-label="source kind"><option value="">any kind</option></select><input type="search" id="f-search" placeholder="search names, ARNs, findings, calls" aria-label="search"><button type="button" id="f-clear">clear</button><span id="f-count" role="status"></span></div>
<div class="thead" role="row">${SORTS.map(([k, label]) => `<button type="button" data-sort="${k}">${html(label)}</button>`).join('')}<span>calls planned or applied</span></div>
<div id="rows" role="table" aria-label="findings"><div class="spacer"><div class="slice"></div></div></div>
</section>
<aside id="detail" hidden><button type="button" id="detail-close">close</button><div id="detail-body"></div></aside>
<p class="legend">Insights clock: <span class="swatch pending"></span>pending first delivery (up to 36 hours on a trail, 7 days on an event data store) <span class="swatch delivering"></span>delivering <span class="swatch off"></span>off</p>
</main>
<footer>${html(summaryLine(result))}. Generated by insights-remediator report from a stored sweep result.</footer>
<script type="application/json" id="report-data">${data}</script>
<script>${APP_SCRIPT}</script>
</body>
</html>
`;
}
