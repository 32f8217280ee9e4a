// `insights-remediator report --format html` opened in a real headless Chromium (test/helpers/browser.ts): what a
// person sees of a stored enforce-mode sweep, and nothing fetched from anywhere. Saves a screenshot. Then a stored
// result written by a hostile hand (built here, no sweep): no script of theirs runs, and their text shows as typed.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { REPORT_CSP, renderHtml } from '../../../lib/report/render-html';
import type { StoredAction, StoredSource, StoredSweepResult } from '../../../lib/report/sweep-result';
import { Simulator } from '../../../sim/server';
import { launchChromium } from '../../helpers/browser';
import { parseWorld } from '../../../sim/world';
import { aStoredAccountRegion, aStoredAction, aStoredResult, aStoredSource, aSummary } from '../../unit/report/stored-results';
import { buildCli, isolatedEnv, root, runCli } from './cli-process';

jest.setTimeout(120_000);

const SCREENSHOT = join(tmpdir(), 'insights-remediator-report.png');
const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));

let cli: string;
let result: StoredSweepResult;
let html: string;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const scriptErrors: string[] = [];

beforeAll(async () => {
  cli = await buildCli();
  const sim = await Simulator.start({ world: parseWorld(readFileSync(join(root, 'sim/worlds/drifted-organization.yaml'), 'utf8')), throttling: { enabled: true }, transitionMs: 0 });
  const stored = join(dir, 'result.json');
  const pagePath = join(dir, 'report.html');
  try {
    // everySource: every source repaired where it stands, so the page shows trails and stores in each clock state.
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'version: 1\nmode: enforce\nobjective: everySource\nscope: {regions: {include: [us-east-1]}}\n');
    const sweep = await runCli(cli, ['sweep', '--endpoint-url', sim.endpoint, '--policy', policy, '--regions', 'us-east-1,eu-west-1,ap-southeast-2', '--output', stored], isolatedEnv({ AWS_ACCESS_KEY_ID: '111111111111', AWS_SECRET_ACCESS_KEY: 'x' }));
    expect(sweep.status).toBe(1);
  } finally {
    await sim.stop();
  }
  const report = await runCli(cli, ['report', stored, '--format', 'html', '--output', pagePath], isolatedEnv());
  // The report exits like the sweep it renders: drift is left for a person.
  expect([report.status, report.stderr]).toEqual([1, `report: wrote ${pagePath}\n`]);
  result = JSON.parse(readFileSync(stored, 'utf8')) as StoredSweepResult;
  html = readFileSync(pagePath, 'utf8');

  const launched = await launchChromium();
  context = launched.context;
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url().startsWith('file://') ? route.continue() : route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => scriptErrors.push(String(e)));
  await page.goto(pathToFileURL(pagePath).href);
  await page.waitForSelector('html[data-ready]');
  // Which browser ran, for the log: the test proves the page in whatever Chromium the machine could provide.
  console.log(`report-html: ${launched.chromium.source}: ${await page.evaluate(() => navigator.userAgent)}`);
});

afterAll(async () => {
  await context?.close();
});

const judged = () => result.accountRegions.flatMap((ar) => ar.sources).filter((s) => s.status !== 'out-of-scope');
/** Opens an account-region's panel from its map cell. */
const openCell = async (p: Page, account: string, region: string) => {
  await p.locator(`button.cell[data-account="${account}"][data-region="${region}"]`).click();
  return p.locator('#detail section.account-region');
};

describe('the HTML report in Chromium', () => {
  it('is one self-contained page: its own two scripts only, nothing to fetch, no request but the file itself', () => {
    expect(html).not.toMatch(/<link|<img|src=|url\(/i);
    expect(html.match(/<script/g)).toEqual(['<script', '<script']);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(requests).toEqual([pathToFileURL(join(dir, 'report.html')).href]);
    expect(scriptErrors).toEqual([]);
  });

  it('maps every account x region, grouped by OU, and lists a finding per source and per account-region', async () => {
    const accounts = result.organization.accounts.length + result.organization.skipped.length;
    expect(await page.locator('button.cell').count()).toBe(accounts * result.organization.regions.length);
    expect(await page.locator('details.ou .ou-name').allInnerTexts()).toEqual(['(OU not recorded)']);
    const ownFindings = result.accountRegions.filter((ar) => ar.coverage || ar.status !== 'done').length;
    const sources = result.accountRegions.flatMap((ar) => ar.sources).length;
    expect(await page.locator('#f-count').getAttribute('data-shown')).toBe(String(ownFindings + sources));
  });

  it('opens an account-region from its cell: each source with its status and the exact calls made', async () => {
    const panel = await openCell(page, '333333333333', 'eu-west-1');
    expect(await panel.locator('h2').innerText()).toBe('333333333333 (dev) eu-west-1');
    const devTrail = panel.locator(`tr.source[data-arn="arn:aws:cloudtrail:eu-west-1:333333333333:trail/dev-trail"]`);
    expect(await devTrail.locator('.calls li summary').allInnerTexts()).toEqual(['applied PutEventSelectors', 'applied PutInsightSelectors']);
    expect(await devTrail.locator('.calls li code').first().textContent()).toMatch(/^\{"TrailName":"arn:aws:cloudtrail:eu-west-1:333333333333:trail\/dev-trail"/);
    const shown = result.accountRegions.find((ar) => ar.accountId === '333333333333' && ar.region === 'eu-west-1')!.sources.filter((s) => s.status !== 'out-of-scope');
    expect(await panel.locator('tr.source').count()).toBe(shown.length);
    expect(await panel.locator('.status.repaired').count()).toBe(shown.filter((s) => s.repaired).length);
    await page.locator('#detail-close').click();
  });

  it('lays out each Insights clock on the 7-day axis: a trail pending for 36 hours, a store for the whole week, a compliant source delivering', async () => {
    const widthOf = async (account: string, region: string, arn: string, state: string) => {
      const panel = await openCell(page, account, region);
      const row = panel.locator(`tr.source[data-arn="${arn}"]`);
      const bar = (await row.locator('.timeline').boundingBox())!;
      const segment = await row.locator(`.timeline .segment.${state}`).boundingBox();
      return segment ? segment.width / bar.width : 0;
    };
    expect(await widthOf('222222222222', 'us-east-1', 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', 'pending')).toBeCloseTo(36 / 168, 2);
    expect(await widthOf('222222222222', 'us-east-1', 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', 'delivering')).toBeCloseTo(132 / 168, 2);
    expect(await widthOf('222222222222', 'us-east-1', 'arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/prod-lake-0001', 'pending')).toBeGreaterThan(0.99);
    expect(await widthOf('333333333333', 'ap-southeast-2', 'arn:aws:cloudtrail:ap-southeast-2:333333333333:trail/dev-apac', 'delivering')).toBeCloseTo(1, 2);
    expect(await widthOf('333333333333', 'us-east-1', 'arn:aws:cloudtrail:us-east-1:333333333333:eventdatastore/dev-lake-0001', 'off')).toBeCloseTo(1, 2);
    const labels = judged().map((s) => s.clockAfter).filter((c) => c.status === 'pending-first-delivery');
    expect(await page.locator('#pending .pending-windows li').count()).toBeGreaterThan(0);
    expect(labels.length).toBe(7);
    await page.locator('#detail-close').click();
  });

  it('says what is left for a person, and saves a screenshot', async () => {
    expect(await page.locator('.verdict').innerText()).toMatch(/^Drift left \(3\)/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
  });
});

// Each payload sets window.__pwned (or opens a dialog) if it runs; the page must never run any.
const PAYLOADS = {
  accountName: '<script>window.__pwned=1</script>',
  trailName: '<img src=x onerror="window.__pwned=2">',
  summary: '<svg onload="window.__pwned=3"></svg>',
  errorMessage: '"><script>window.__pwned=4</script>',
  remedy: '<iframe src="javascript:parent.__pwned=5"></iframe>',
  sweepId: '</title><script>window.__pwned=6</script>',
  endpoint: '</style><script>window.__pwned=7</script><style>',
  why: "' onmouseover='window.__pwned=8' x='",
  storeName: '<details open ontoggle="window.__pwned=9">',
  ouName: '<svg/onload=window.__pwned=16>',
};

/** Opens a page in its own tab of the shared Chromium, refusing every request but the file itself. */
async function open(path: string): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
  const opened = await context.newPage();
  const seen: string[] = [];
  const dialogs: string[] = [];
  opened.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  await opened.route('**/*', (route) => {
    seen.push(route.request().url());
    return route.request().url().startsWith('file://') ? route.continue() : route.abort();
  });
  await opened.goto(pathToFileURL(path).href);
  await opened.waitForSelector('html[data-ready]');
  return { page: opened, requests: seen, dialogs };
}

const pwned = (p: Page) => p.evaluate(() => (globalThis as { __pwned?: number }).__pwned);
const handlerAttributes = (p: Page) => p.locator('*').evaluateAll((elements) => elements.flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')));

describe('the HTML report of a stored result written by a hostile hand, in Chromium', () => {
  // What the file may hold and still be read by `report` (lib/report/sweep-result.ts checks its shape, not its text).
  const hostile = aStoredResult({
    sweepId: PAYLOADS.sweepId,
    endpoint: PAYLOADS.endpoint,
    summary: aSummary({ sweepId: PAYLOADS.sweepId }),
    organization: { managementAccountId: '111111111111', accounts: ['222222222222', '333333333333'].map((id) => ({ id, name: PAYLOADS.accountName, ou: { id: 'ou-x-1', name: PAYLOADS.ouName } })), skipped: [], regions: ['us-east-1'] },
    accountRegions: [
      aStoredAccountRegion({
        accountName: PAYLOADS.accountName,
        sources: [
          aStoredSource({
            name: PAYLOADS.trailName,
            arn: `arn:aws:cloudtrail:us-east-1:222222222222:trail/${PAYLOADS.trailName}`,
            summary: PAYLOADS.summary,
            status: 'not-remediable',
            blockers: [{ code: 'destinationMissing', message: PAYLOADS.remedy, remedy: PAYLOADS.remedy, transient: false }],
            actions: [aStoredAction({ why: PAYLOADS.why, outcome: 'failed', detail: PAYLOADS.errorMessage })],
          }),
          aStoredSource({ kind: 'eventDataStore', name: PAYLOADS.storeName, arn: `arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/${PAYLOADS.storeName}`, summary: PAYLOADS.summary }),
        ],
      }),
      aStoredAccountRegion({ accountId: '333333333333', accountName: PAYLOADS.accountName, status: 'unreachable', error: { class: 'accessDenied', name: 'AccessDenied', message: PAYLOADS.errorMessage }, sources: [] }),
    ],
  });
  let opened: Awaited<ReturnType<typeof open>>;

  beforeAll(async () => {
    const stored = join(dir, 'hostile.json');
    const pagePath = join(dir, 'hostile.html');
    writeFileSync(stored, JSON.stringify(hostile, null, 2));
    const report = await runCli(cli, ['report', stored, '--format', 'html', '--output', pagePath], isolatedEnv());
    expect([report.status, report.stderr]).toEqual([1, `report: wrote ${pagePath}\n`]);
    opened = await open(pagePath);
  });

  afterAll(async () => {
    await opened?.page.close();
  });

  it('runs no script of theirs: no handler, no dialog, no request but the file itself', async () => {
    const p = opened.page;
    // A pointer over every map cell and table row, and each account-region opened with its calls: an injected
    // onmouseover, onerror or ontoggle would run now.
    for (const target of await p.locator('button.cell, #rows .row').all()) await target.hover();
    for (const [account, region] of [['222222222222', 'us-east-1'], ['333333333333', 'us-east-1']]) {
      await p.locator(`button.cell[data-account="${account}"][data-region="${region}"]`).click();
      for (const target of await p.locator('#detail tr.source, #detail .calls summary').all()) await target.click();
    }
    expect(await pwned(p)).toBeUndefined();
    expect(opened.dialogs).toEqual([]);
    expect(await p.locator('img, svg, iframe').count()).toBe(0);
    expect(await p.locator('script').count()).toBe(2);
    expect(await handlerAttributes(p)).toEqual([]);
    expect(opened.requests).toEqual([pathToFileURL(join(dir, 'hostile.html')).href]);
  });

  it('shows the account name, the source names, the summaries, the remedy and the error as typed: on the map, in the table and in the panel', async () => {
    const p = opened.page;
    expect(await p.title()).toBe(`Insights sweep ${PAYLOADS.sweepId}`);
    expect(await p.locator('h1').innerText()).toBe(`CloudTrail Insights sweep ${PAYLOADS.sweepId}`);
    expect(await p.locator('.grid-row .acct').allInnerTexts()).toEqual([`222222222222 (${PAYLOADS.accountName})`, `333333333333 (${PAYLOADS.accountName})`]);
    expect(await p.locator('details.ou .ou-name').allInnerTexts()).toEqual([PAYLOADS.ouName]);
    expect(await p.locator('#rows .row .what b').allInnerTexts()).toEqual(expect.arrayContaining([PAYLOADS.trailName, PAYLOADS.storeName]));
    await p.locator('button.cell[data-account="222222222222"][data-region="us-east-1"]').click();
    const panel = p.locator('#detail section.account-region');
    expect(await panel.locator('h2').innerText()).toBe(`222222222222 (${PAYLOADS.accountName}) us-east-1`);
    expect(await panel.locator('tr.source td:first-child b').allInnerTexts()).toEqual([PAYLOADS.trailName, PAYLOADS.storeName]);
    expect(await panel.locator('tr.source').nth(1).getAttribute('data-arn')).toBe(`arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/${PAYLOADS.storeName}`);
    expect(await panel.locator('tr.source .finding').allInnerTexts()).toEqual(expect.arrayContaining([PAYLOADS.summary, `a person must: ${PAYLOADS.remedy}`]));
    expect(await panel.locator('.calls .why').first().textContent()).toBe(PAYLOADS.why);
    expect(await panel.locator('.calls .detail').first().textContent()).toBe(PAYLOADS.errorMessage);
    await p.locator('button.cell[data-account="333333333333"][data-region="us-east-1"]').click();
    expect(await panel.locator('.note').first().innerText()).toBe(`unreachable: AccessDenied: ${PAYLOADS.errorMessage}`);
    expect(await p.locator('header p').innerText()).toContain(PAYLOADS.endpoint);
    // Searching for the payload finds it as text.
    await p.locator('#f-search').fill('<img src=x');
    expect(await p.locator('#rows .row .what b').allInnerTexts()).toEqual([PAYLOADS.trailName]);
    await p.locator('#f-search').fill('');
  });
});

describe('the HTML report of a result whose statuses, outcomes, mode and counts are not known values, in Chromium', () => {
  // A file `report` would refuse; the renderer must still hold if a reader some day lets one through.
  const status = 'drifted" onmouseover="window.__pwned=10" x="' as StoredSource['status'];
  const outcome = 'applied" onclick="window.__pwned=11' as StoredAction['outcome'];
  const clockStatus = 'off" autofocus onfocus="window.__pwned=12" x="' as 'off';
  const unknownValues = aStoredResult({
    mode: '<script>window.__pwned=13</script>' as 'enforce',
    writesApplied: '<img src=x onerror="window.__pwned=14">' as unknown as number,
    accountRegions: [
      aStoredAccountRegion({
        accountId: '"><script>window.__pwned=15</script>',
        sources: [aStoredSource({ status, actions: [aStoredAction({ outcome })], clockAfter: { status: clockStatus, channels: [] } })],
      }),
    ],
  });
  let opened: Awaited<ReturnType<typeof open>>;

  beforeAll(async () => {
    const pagePath = join(dir, 'unknown-values.html');
    writeFileSync(pagePath, renderHtml(unknownValues));
    opened = await open(pagePath);
  });

  afterAll(async () => {
    await opened?.page.close();
  });

  it('runs no script of theirs, and gives each unknown status and outcome the class "unknown"', async () => {
    const p = opened.page;
    for (const target of await p.locator('button.cell, #rows .row').all()) await target.hover();
    await p.locator('button.cell').first().click();
    expect(await pwned(p)).toBeUndefined();
    expect(opened.dialogs).toEqual([]);
    expect(await handlerAttributes(p)).toEqual([]);
    expect(await p.locator('img').count()).toBe(0);
    expect(await p.locator('script').count()).toBe(2);
    expect(await p.locator('#detail tr.source .status').getAttribute('class')).toBe('status unknown');
    expect(await p.locator('#detail ul.calls li').getAttribute('class')).toBe('unknown');
    expect(await p.locator('#detail tr.source .status').innerText()).toBe(status.toUpperCase());
    expect(await p.locator('#detail section.account-region').getAttribute('data-account')).toBe('"><script>window.__pwned=15</script>');
    expect(await p.locator('#detail .timeline').getAttribute('aria-label')).toBe('pending first delivery until unknown');
  });
});
