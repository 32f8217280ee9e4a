/**
 * The HTML report's one script, inline and constant (the page's Content-Security-Policy allows this script by its
 * SHA-256 and nothing else): it reads the embedded data (html-data.ts) and draws the coverage map (organizational units,
 * each with a per-region summary strip and its accounts x regions grid, 100 accounts a page), the findings table
 * (filters, free-text search, sort; only the rows in view are in the DOM, so 100,000+ findings scroll smoothly) and the
 * panel of one account-region (each source, its calls with their exact input, its Insights clock on the 7-day axis).
 * Every value goes into the page with textContent, never as markup. Plain ES2020, no template literals, so the text
 * below is exactly what the browser runs.
 */
export const APP_SCRIPT = String.raw`(function () {
'use strict';
var t0 = performance.now();
var D = JSON.parse(document.getElementById('report-data').textContent);
var S = D.S;
var STATUS = ['covered', 'pending', 'drifted', 'not-remediable', 'exempt', 'unreachable', 'out-of-scope'];
var LABEL = ['covered', 'pending first delivery', 'drifted', 'not remediable', 'exempt', 'unreachable', 'out of scope'];
var SOURCE_CLASS = ['compliant', 'repaired', 'pending-first-delivery', 'drifted', 'not-remediable', 'exempt', 'out-of-scope', 'not-needed', 'unknown'];
var OUTCOME = ['applied', 'planned', 'skipped', 'failed', 'unknown'];
var SEGMENT = ['off', 'pending', 'delivering'];
var KIND = ['trail', 'event data store', 'account-region'];
var PAGE = 100;
var ROW_HEIGHT = 58;
var DAY = 86400000;

function str(i) { return i < 0 ? '' : S[i]; }
// A string of an account-region with its account id and region put back (html-data.ts templated()).
var ACCOUNT_MARK = String.fromCharCode(1);
var REGION_MARK = String.fromCharCode(2);
function tstr(i, ar) {
  if (i < 0) return '';
  var x = S[i];
  if (x.indexOf(ACCOUNT_MARK) < 0 && x.indexOf(REGION_MARK) < 0) return x;
  return x.split(REGION_MARK).join(str(D.regions[ar[1]])).split(ACCOUNT_MARK).join(str(accounts[ar[0]][0]));
}
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function add(parent) { for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]); return parent; }
function fmt(n) { return n.toLocaleString('en'); }
function utcMinute(ms) { return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'; }

// ---- accounts, account-regions and rows ----
var accounts = D.accounts;
// One account-region as [account, region, swept status, own status, own text, notes, sources], from its shape.
function expand(i) {
  var a = D.ars[i];
  var sh = D.shapes[a[2]];
  return [a[0], a[1], sh[0], sh[1], sh[2], sh[3], sh[4].map(function (x) { return D.sources[x]; })];
}
var REGIONS = D.regions.length;
var arAt = new Int32Array(accounts.length * REGIONS);
D.ars.forEach(function (a, i) { arAt[a[0] * REGIONS + a[1]] = i + 1; });
var ouAccounts = D.ous.map(function () { return []; });
accounts.forEach(function (a, i) { ouAccounts[a[2]].push(i); });

// The findings, one row each, as columns of typed arrays: 250,000 rows filter in tens of milliseconds.
var total = 0;
D.ars.forEach(function (a) { var sh = D.shapes[a[2]]; total += (sh[1] >= 0 ? 1 : 0) + sh[4].length; });
var rowAr = new Int32Array(total), rowSrc = new Int32Array(total), rowKind = new Int8Array(total), rowStatus = new Int32Array(total);
var rowAcct = new Int32Array(total), rowRegion = new Int32Array(total), rowOu = new Int32Array(total);
(function () {
  var k = 0;
  D.ars.forEach(function (a, i) {
    var sh = D.shapes[a[2]];
    var put = function (src, kind, status) { rowAr[k] = i; rowSrc[k] = src; rowKind[k] = kind; rowStatus[k] = status; rowAcct[k] = a[0]; rowRegion[k] = a[1]; rowOu[k] = accounts[a[0]][2]; k++; };
    if (sh[1] >= 0) put(-1, 2, sh[1]);
    sh[4].forEach(function (x, j) { var src = D.sources[x]; put(j, src[0], src[3]); });
  });
})();

// ---- the account-region panel ----
var detail = document.getElementById('detail');
var detailBody = document.getElementById('detail-body');
document.getElementById('detail-close').addEventListener('click', function () { detail.hidden = true; });

function timeline(clockIndex) {
  var c = D.clocks[clockIndex];
  var bar = el('div', 'timeline');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', str(c[1]));
  c[0].forEach(function (seg) {
    var d = el('div', 'segment ' + (SEGMENT[seg[0]] || 'off'));
    d.style.left = (seg[1] / 10) + '%';
    d.style.width = ((seg[2] - seg[1]) / 10) + '%';
    bar.appendChild(d);
  });
  return bar;
}

function axis() {
  var a = el('div', 'axis');
  a.setAttribute('aria-hidden', 'true');
  for (var day = 0; day < 8; day++) {
    var tick = el('span', '', day === 0 ? 'now' : '+' + day + 'd');
    tick.appendChild(el('br'));
    tick.appendChild(document.createTextNode(D.now === null ? '?' : new Date(D.now + day * DAY).toISOString().slice(5, 10)));
    a.appendChild(tick);
  }
  return a;
}

function callItem(ci, ar) {
  var c = D.calls[ci];
  var li = el('li', OUTCOME[c[0]] || 'unknown');
  var det = el('details');
  var sum = el('summary', '', str(c[1]) + ' ');
  sum.appendChild(el('b', '', str(c[2])));
  add(det, sum, el('div', 'why', tstr(c[4], ar)), el('code', '', tstr(c[3], ar)), c[5] >= 0 ? el('div', 'detail', tstr(c[5], ar)) : null);
  li.appendChild(det);
  return li;
}

function sourceRow(s, ar) {
  var tr = el('tr', 'source');
  tr.setAttribute('data-arn', tstr(s[2], ar));
  var who = el('td');
  add(who, el('div', 'kind', KIND[s[0]]), el('b', '', tstr(s[1], ar)));
  var st = el('td');
  add(st, el('span', 'status ' + SOURCE_CLASS[s[4]], str(s[3])), el('div', 'finding', tstr(s[5], ar)), s[6] >= 0 ? el('div', 'finding', 'a person must: ' + tstr(s[6], ar)) : null);
  var calls = el('td');
  if (s[8].length) {
    var ul = el('ul', 'calls');
    s[8].forEach(function (ci) { ul.appendChild(callItem(ci, ar)); });
    calls.appendChild(ul);
  } else calls.appendChild(el('span', 'kind', 'none'));
  var clock = el('td');
  add(clock, timeline(s[7]), el('div', 'timeline-label', str(D.clocks[s[7]][1])), el('div', 'finding', tstr(s[9], ar)));
  return add(tr, who, st, calls, clock);
}

function accountTitle(ai) {
  var a = accounts[ai];
  return str(a[0]) + (str(a[1]) ? ' (' + str(a[1]) + ')' : '');
}

function openCell(ai, ri) {
  detailBody.textContent = '';
  var a = accounts[ai];
  var status = Number(a[4].charAt(ri));
  var section = el('section', 'account-region');
  section.setAttribute('data-account', str(a[0]));
  section.setAttribute('data-region', str(D.regions[ri]));
  var h = el('h2', '', accountTitle(ai) + ' ' + str(D.regions[ri]));
  var line = el('p', 'map-status');
  add(line, el('span', 'chip s-' + STATUS[status]), document.createTextNode(' ' + LABEL[status] + ' · OU ' + str(D.ous[a[2]])));
  add(section, h, line);
  var k = arAt[ai * REGIONS + ri] - 1;
  if (k < 0) {
    section.appendChild(el('p', 'note', a[3] >= 0 ? 'Out of the policy\'s scope: ' + str(a[3]) : 'Never reported by the sweep: not swept.'));
  } else {
    var ar = expand(k);
    ar[5].forEach(function (n) { section.appendChild(el('p', 'note', tstr(n, ar))); });
    var judged = ar[6].filter(function (s) { return SOURCE_CLASS[s[4]] !== 'out-of-scope'; });
    if (str(ar[2]) === 'done' && judged.length === 0) section.appendChild(el('p', 'note', 'No trails or event data stores of its own in scope.'));
    if (judged.length) {
      var table = el('table');
      var head = el('tr');
      add(head, el('th', 'source', 'source'), el('th', 'status', 'status'), el('th', 'calls', 'calls'));
      var th = el('th', '', 'Insights clock, now to +7 days');
      th.appendChild(axis());
      head.appendChild(th);
      var thead = el('thead');
      thead.appendChild(head);
      var tbody = el('tbody');
      judged.forEach(function (s) { tbody.appendChild(sourceRow(s, ar)); });
      add(table, thead, tbody);
      section.appendChild(table);
    }
  }
  detailBody.appendChild(section);
  detail.hidden = false;
  detail.scrollTop = 0;
}

// ---- the coverage map ----
var mapBody = document.getElementById('map-body');
var attention = document.getElementById('map-attention');
var NEEDS = /[235]/;
var totalAccounts = accounts.length;

function strip(list, title) {
  var wrap = el('div', 'strip-row');
  wrap.appendChild(title);
  D.regions.forEach(function (r, ri) {
    var counts = [0, 0, 0, 0, 0, 0, 0];
    list.forEach(function (ai) { counts[Number(accounts[ai][4].charAt(ri))]++; });
    var bar = el('button', 'strip');
    bar.type = 'button';
    bar.setAttribute('data-region', str(r));
    bar.setAttribute('data-r', String(ri));
    var parts = [];
    counts.forEach(function (n, si) {
      if (!n) return;
      var seg = el('span', 's-' + STATUS[si]);
      seg.style.width = (100 * n / list.length) + '%';
      bar.appendChild(seg);
      parts.push(fmt(n) + ' ' + LABEL[si]);
    });
    bar.title = str(r) + ': ' + parts.join(', ') + ' (show in the findings table)';
    wrap.appendChild(bar);
  });
  return wrap;
}

function regionHeader() {
  var row = el('div', 'grid-head');
  row.appendChild(el('span', 'acct', 'OU · accounts, then each account'));
  D.regions.forEach(function (r) { row.appendChild(el('span', 'region', str(r))); });
  return row;
}

function fillGrid(box, oi) {
  var list = ouAccounts[oi].filter(function (ai) { return !attention.checked || NEEDS.test(accounts[ai][4]); });
  var page = Number(box.getAttribute('data-page')) || 0;
  var pages = Math.max(1, Math.ceil(list.length / PAGE));
  if (page >= pages) page = pages - 1;
  box.setAttribute('data-page', String(page));
  box.textContent = '';
  var grid = el('div', 'grid');
  list.slice(page * PAGE, page * PAGE + PAGE).forEach(function (ai) {
    var a = accounts[ai];
    var row = el('div', 'grid-row');
    var label = el('span', 'acct', accountTitle(ai));
    label.title = accountTitle(ai);
    row.appendChild(label);
    for (var ri = 0; ri < D.regions.length; ri++) {
      var st = Number(a[4].charAt(ri));
      var cell = el('button', 'cell s-' + STATUS[st]);
      cell.type = 'button';
      cell.setAttribute('data-account', str(a[0]));
      cell.setAttribute('data-region', str(D.regions[ri]));
      cell.setAttribute('data-status', STATUS[st]);
      cell.setAttribute('data-a', String(ai));
      cell.setAttribute('data-r', String(ri));
      cell.title = str(a[0]) + ' ' + str(D.regions[ri]) + ': ' + LABEL[st];
      cell.setAttribute('aria-label', cell.title);
      row.appendChild(cell);
    }
    grid.appendChild(row);
  });
  if (!list.length) grid.appendChild(el('p', 'note', 'No account here needs attention.'));
  box.appendChild(grid);
  if (pages > 1) {
    var pager = el('div', 'pager');
    var prev = el('button', 'prev', '‹ previous');
    var next = el('button', 'next', 'next ›');
    prev.type = next.type = 'button';
    prev.disabled = page === 0;
    next.disabled = page === pages - 1;
    prev.addEventListener('click', function () { box.setAttribute('data-page', String(page - 1)); fillGrid(box, oi); });
    next.addEventListener('click', function () { box.setAttribute('data-page', String(page + 1)); fillGrid(box, oi); });
    add(pager, prev, el('span', 'page', 'accounts ' + fmt(page * PAGE + 1) + '–' + fmt(Math.min(list.length, page * PAGE + PAGE)) + ' of ' + fmt(list.length) + ' (page ' + (page + 1) + ' of ' + pages + ')'), next);
    box.appendChild(pager);
  }
}

function drawMap() {
  mapBody.textContent = '';
  mapBody.appendChild(regionHeader());
  D.ous.forEach(function (name, oi) {
    var list = ouAccounts[oi];
    var det = el('details', 'ou');
    det.setAttribute('data-ou', str(name));
    det.setAttribute('data-oi', String(oi));
    var sum = el('summary');
    var counts = [0, 0, 0, 0, 0, 0, 0];
    list.forEach(function (ai) { var r = accounts[ai][4]; for (var i = 0; i < r.length; i++) counts[Number(r.charAt(i))]++; });
    var title = el('span', 'ou-title');
    add(title, el('b', 'ou-name', str(name)), el('span', 'ou-count', ' · ' + fmt(list.length) + ' account(s)'));
    var chips = el('div', 'ou-counts');
    counts.forEach(function (n, si) { if (n) { var c = el('span', 'count'); add(c, el('span', 'chip s-' + STATUS[si]), document.createTextNode(fmt(n) + ' ' + LABEL[si])); chips.appendChild(c); } });
    add(sum, strip(list, title), chips);
    var box = el('div', 'grid-box');
    box.setAttribute('data-page', '0');
    add(det, sum, box);
    det.addEventListener('toggle', function () { if (det.open && !box.firstChild) fillGrid(box, oi); });
    if (totalAccounts <= 60) { det.open = true; fillGrid(box, oi); }
    mapBody.appendChild(det);
  });
}

mapBody.addEventListener('click', function (e) {
  var cell = e.target.closest('button.cell');
  if (cell) { openCell(Number(cell.getAttribute('data-a')), Number(cell.getAttribute('data-r'))); return; }
  var bar = e.target.closest('button.strip');
  if (bar) {
    e.preventDefault();
    document.getElementById('f-ou').value = bar.closest('details.ou').getAttribute('data-oi');
    document.getElementById('f-region').value = bar.getAttribute('data-r');
    applyFilters();
    document.getElementById('findings').scrollIntoView();
  }
});
attention.addEventListener('change', function () {
  mapBody.querySelectorAll('details.ou').forEach(function (det, oi) { var box = det.querySelector('.grid-box'); if (det.open) fillGrid(box, oi); else box.textContent = ''; });
});

// ---- the findings table ----
var viewport = document.getElementById('rows');
var spacer = viewport.querySelector('.spacer');
var slice = viewport.querySelector('.slice');
var countOut = document.getElementById('f-count');
var shown = new Int32Array(0);
var sortKey = '';
var sortDir = 1;
var haystack = null;

function option(select, value, text) { var o = el('option', '', text); o.value = value; select.appendChild(o); }

function fillFilters() {
  var counts = new Map();
  for (var i = 0; i < total; i++) counts.set(rowStatus[i], (counts.get(rowStatus[i]) || 0) + 1);
  var fs = document.getElementById('f-status');
  Array.from(counts.keys()).sort(function (a, b) { return str(a) < str(b) ? -1 : 1; }).forEach(function (st) { option(fs, String(st), str(st) + ' (' + fmt(counts.get(st)) + ')'); });
  var fo = document.getElementById('f-ou');
  D.ous.forEach(function (o, oi) { option(fo, String(oi), str(o)); });
  var fa = document.getElementById('f-account');
  var list = document.createDocumentFragment();
  accounts.forEach(function (a, ai) { option(list, String(ai), accountTitle(ai)); });
  fa.appendChild(list);
  var fr = document.getElementById('f-region');
  D.regions.forEach(function (r, ri) { option(fr, String(ri), str(r)); });
  var fk = document.getElementById('f-kind');
  KIND.forEach(function (k, ki) { option(fk, String(ki), k); });
}

// The search text of each row, lower-cased: built in slices once the page is drawn, so the first search finds it
// ready; a search before then finishes it first.
var LOWER = new Array(S.length);
function lower(i, ar) {
  if (i < 0) return '';
  var x = LOWER[i];
  if (x === undefined) x = LOWER[i] = S[i].toLowerCase();
  if (x.indexOf(ACCOUNT_MARK) < 0 && x.indexOf(REGION_MARK) < 0) return x;
  return x.split(REGION_MARK).join(str(D.regions[ar[1]]).toLowerCase()).split(ACCOUNT_MARK).join(str(accounts[ar[0]][0]).toLowerCase());
}
// Joined, not concatenated: a flat string, which indexOf scans without first copying it.
function rowText(i) {
  var ar = D.ars[rowAr[i]];
  var sh = D.shapes[ar[2]];
  var a = accounts[ar[0]];
  var parts = [lower(a[0], ar), lower(a[1], ar), lower(D.ous[a[2]], ar), lower(D.regions[ar[1]], ar), KIND[rowKind[i]], lower(rowStatus[i], ar)];
  if (rowSrc[i] < 0) parts.push(lower(sh[2], ar));
  else {
    var s = D.sources[sh[4][rowSrc[i]]];
    parts.push(lower(s[1], ar), lower(s[2], ar), lower(s[5], ar), lower(s[6], ar), lower(D.clocks[s[7]][1], ar));
    for (var k = 0; k < s[8].length; k++) { var c = D.calls[s[8][k]]; parts.push(lower(c[2], ar), lower(c[3], ar)); }
  }
  return parts.join('\n');
}
var haystackBuilt = 0;
function buildHaystack(until) {
  if (!haystack) haystack = new Array(total);
  for (; haystackBuilt < until; haystackBuilt++) haystack[haystackBuilt] = rowText(haystackBuilt);
}
function buildHaystackLater() {
  if (haystackBuilt >= total) return document.documentElement.setAttribute('data-search-ready', 'true');
  buildHaystack(Math.min(total, haystackBuilt + 20000));
  setTimeout(buildHaystackLater, 0);
}

function sourceOf(i) { return D.sources[D.shapes[D.ars[rowAr[i]][2]][4][rowSrc[i]]]; }

function sortValue(i, key) {
  switch (key) {
    case 'status': return str(rowStatus[i]);
    case 'ou': return str(D.ous[rowOu[i]]);
    case 'account': return str(accounts[rowAcct[i]][0]);
    case 'region': return str(D.regions[rowRegion[i]]);
    case 'kind': return KIND[rowKind[i]];
    case 'name': return rowSrc[i] < 0 ? '' : tstr(sourceOf(i)[1], D.ars[rowAr[i]]);
    case 'clock': return rowSrc[i] < 0 || sourceOf(i)[10] < 0 ? Infinity : sourceOf(i)[10];
  }
  return 0;
}

function selected(id) { var v = document.getElementById(id).value; return v === '' ? -1 : Number(v); }

function applyFilters() {
  var started = performance.now();
  var status = selected('f-status'), ou = selected('f-ou'), account = selected('f-account'), region = selected('f-region'), kind = selected('f-kind');
  var q = document.getElementById('f-search').value.trim().toLowerCase();
  if (q) buildHaystack(total);
  var words = q ? q.split(/\s+/) : [];
  var out = new Int32Array(total);
  var n = 0;
  if (status < 0 && ou < 0 && account < 0 && region < 0 && kind < 0 && !words.length) for (n = 0; n < total; n++) out[n] = n;
  else for (var i = 0; i < total; i++) {
    if (status >= 0 && rowStatus[i] !== status) continue;
    if (ou >= 0 && rowOu[i] !== ou) continue;
    if (account >= 0 && rowAcct[i] !== account) continue;
    if (region >= 0 && rowRegion[i] !== region) continue;
    if (kind >= 0 && rowKind[i] !== kind) continue;
    if (words.length) {
      var text = haystack[i];
      var all = true;
      for (var w = 0; w < words.length; w++) if (text.indexOf(words[w]) < 0) { all = false; break; }
      if (!all) continue;
    }
    out[n++] = i;
  }
  shown = out.subarray(0, n);
  if (sortKey) {
    var keys = new Array(n);
    for (var j = 0; j < n; j++) keys[j] = sortValue(shown[j], sortKey);
    var order = Array.from({ length: n }, function (_, j) { return j; });
    order.sort(function (x, y) { var a = keys[x], b = keys[y]; return (a < b ? -1 : a > b ? 1 : shown[x] - shown[y]) * sortDir; });
    shown = Int32Array.from(order, function (j) { return shown[j]; });
  }
  countOut.textContent = fmt(n) + ' of ' + fmt(total) + ' findings';
  countOut.setAttribute('data-shown', String(n));
  spacer.style.height = (n * ROW_HEIGHT) + 'px';
  viewport.scrollTop = 0;
  renderRows(true);
  document.documentElement.setAttribute('data-filter-ms', (performance.now() - started).toFixed(1));
}

var lastFirst = -1;
function renderRows(force) {
  var first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - 10);
  if (!force && first === lastFirst) return;
  lastFirst = first;
  var last = Math.min(shown.length, first + Math.ceil((viewport.clientHeight || 600) / ROW_HEIGHT) + 20);
  slice.style.transform = 'translateY(' + (first * ROW_HEIGHT) + 'px)';
  slice.textContent = '';
  for (var k = first; k < last; k++) slice.appendChild(tableRow(shown[k]));
}

function tableRow(i) {
  var ar = expand(rowAr[i]);
  var a = accounts[ar[0]];
  var row = el('div', 'row');
  row.setAttribute('role', 'row');
  row.setAttribute('data-row', String(i));
  row.setAttribute('data-account', str(a[0]));
  row.setAttribute('data-region', str(D.regions[ar[1]]));
  row.setAttribute('data-kind', KIND[rowKind[i]]);
  var status = el('span', 'c status-cell');
  var what = el('span', 'c what');
  var clock = el('span', 'c clock');
  var calls = el('span', 'c calls-cell');
  if (rowSrc[i] < 0) {
    var st = Number(a[4].charAt(ar[1]));
    status.appendChild(el('span', 'status ar s-' + STATUS[st], str(rowStatus[i])));
    add(what, el('b', '', 'account-region'), el('div', 'finding', tstr(ar[4], ar)));
  } else {
    var s = ar[6][rowSrc[i]];
    row.setAttribute('data-arn', tstr(s[2], ar));
    status.appendChild(el('span', 'status ' + SOURCE_CLASS[s[4]], str(rowStatus[i])));
    var name = el('b', '', tstr(s[1], ar));
    name.title = tstr(s[2], ar);
    add(what, name, el('div', 'finding', tstr(s[5], ar) + (s[6] >= 0 ? ' · a person must: ' + tstr(s[6], ar) : '')));
    add(clock, timeline(s[7]), el('div', 'timeline-label', str(D.clocks[s[7]][1])));
    s[8].forEach(function (ci) {
      var c = D.calls[ci];
      var line = el('div', 'call ' + (OUTCOME[c[0]] || 'unknown'), str(c[1]) + ' ');
      add(line, el('b', '', str(c[2])), document.createTextNode(' '), el('code', '', tstr(c[3], ar)));
      calls.appendChild(line);
    });
    if (!s[8].length) calls.appendChild(el('span', 'kind', 'none'));
  }
  add(row, status, el('span', 'c ou', str(D.ous[a[2]])), add(el('span', 'c account'), el('div', '', str(a[0])), el('div', 'kind', str(a[1]))), el('span', 'c region', str(D.regions[ar[1]])), el('span', 'c kind-cell', KIND[rowKind[i]]), what, clock, calls);
  return row;
}

viewport.addEventListener('scroll', function () { renderRows(false); });
slice.addEventListener('click', function (e) {
  var row = e.target.closest('.row');
  if (!row || e.target.closest('code')) return;
  var i = Number(row.getAttribute('data-row'));
  openCell(rowAcct[i], rowRegion[i]);
});
['f-status', 'f-ou', 'f-account', 'f-region', 'f-kind'].forEach(function (id) { document.getElementById(id).addEventListener('change', applyFilters); });
document.getElementById('f-search').addEventListener('input', applyFilters);
document.getElementById('f-clear').addEventListener('click', function () {
  ['f-status', 'f-ou', 'f-account', 'f-region', 'f-kind', 'f-search'].forEach(function (id) { document.getElementById(id).value = ''; });
  applyFilters();
});
document.querySelectorAll('#findings button[data-sort]').forEach(function (b) {
  b.addEventListener('click', function () {
    var key = b.getAttribute('data-sort');
    sortDir = sortKey === key ? -sortDir : 1;
    sortKey = key;
    document.querySelectorAll('#findings button[data-sort]').forEach(function (x) { x.removeAttribute('aria-sort'); });
    b.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
    applyFilters();
  });
});

drawMap();
fillFilters();
applyFilters();
document.documentElement.setAttribute('data-rendered-ms', (performance.now() - t0).toFixed(1));
document.documentElement.setAttribute('data-ready', 'true');
setTimeout(buildHaystackLater, 0);
})();
`;
