// The HTML report as a security team uses it, in a real headless Chromium (test/helpers/browser.ts): every map status
// in its own colour with its legend entry, filters and search narrowing the findings table to exactly the right rows,
// sorting; then the report of a generated 5,000-account x 17-region organization opened and filtered in the browser.
// Expected rows are counted here from the stored result itself, not through lib/report's view.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { REGIONS_17 } from '../../../bench/generate-world';
import { generateStoredResult } from '../../../bench/report-result';
import { renderHtml } from '../../../lib/report/render-html';
import type { StoredSource, StoredSweepResult } from '../../../lib/report/sweep-result';
import { launchChromium } from '../../helpers/browser';

jest.setTimeout(300_000);

const dir = mkdtempSync(join(tmpdir(), 'report-scale-'));
const STATUSES = ['covered', 'pending', 'drifted', 'not-remediable', 'exempt', 'unreachable', 'out-of-scope'];
let context: BrowserContext;

beforeAll(async () => {
  context = (await launchChromium({ width: 1400, height: 1000 })).context;
  await context.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
});

afterAll(async () => {
  await context?.close();
});

async function openReport(result: StoredSweepResult, name: string): Promise<{ page: Page; errors: string[]; bytes: number; gotoMs: number }> {
  const path = join(dir, `${name}.html`);
  const html = renderHtml(result);
  writeFileSync(path, html);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const started = performance.now();
  await page.goto(pathToFileURL(path).href, { timeout: 240_000 });
  await page.waitForSelector('html[data-ready]', { timeout: 240_000 });
  return { page, errors, bytes: Buffer.byteLength(html), gotoMs: performance.now() - started };
}

// The suites compile without the DOM's types; in the page these are the browser's own.
declare const getComputedStyle: (e: unknown) => { backgroundColor: string };
const shown = async (p: Page) => Number(await p.locator('#f-count').getAttribute('data-shown'));
/** The statuses, accounts, regions and kinds of the table rows in the DOM (the ones in view). */
const rowsInView = (p: Page) => p.locator('#rows .row').evaluateAll((rows) => rows.map((r) => ({ account: r.getAttribute('data-account'), region: r.getAttribute('data-region'), kind: r.getAttribute('data-kind'), status: r.querySelector('.status')!.textContent, name: r.querySelector('.what b')!.textContent })));
const select = (p: Page, id: string, label: string) => p.locator(`#${id}`).selectOption({ label });
const clear = (p: Page) => p.locator('#f-clear').click();

/** A source's status as the table shows it. */
const shownStatus = (s: StoredSource) => (s.repaired ? 'REPAIRED' : s.status.toUpperCase());
const sourcesOf = (r: StoredSweepResult) => r.accountRegions.flatMap((ar) => ar.sources);

describe('the coverage map and the findings table of an organization in every state', () => {
  // 50 accounts in OUs of 20, 3 of them out of the policy's scope: every status, every grid open at once.
  const result = generateStoredResult({ accounts: 53, regions: REGIONS_17.slice(0, 4), perOu: 20, skipped: 3 });
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ({ page, errors } = await openReport(result, 'every-state'));
  });

  it('shows every status on the map in its own colour, the same as its legend entry', async () => {
    expect(errors).toEqual([]);
    const colours: Record<string, string> = {};
    for (const status of STATUSES) {
      const cell = page.locator(`button.cell[data-status="${status}"]`).first();
      expect([status, await page.locator(`button.cell[data-status="${status}"]`).count()]).not.toEqual([status, 0]);
      const cellColour = await cell.evaluate((e) => getComputedStyle(e).backgroundColor);
      const legend = page.locator(`li.legend-item[data-status="${status}"]`);
      expect(await legend.locator('.chip').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(cellColour);
      expect(await legend.innerText()).toMatch(new RegExp(`^${status.replace(/-/g, ' ').replace('pending', 'pending first delivery')} \\d+$`));
      colours[status] = cellColour;
    }
    expect(new Set(Object.values(colours)).size).toBe(STATUSES.length);
  });

  it('counts each status in the legend as the cells show it', async () => {
    for (const status of STATUSES) {
      const cells = await page.locator(`button.cell[data-status="${status}"]`).count();
      expect([status, await page.locator(`li.legend-item[data-status="${status}"] b`).innerText()]).toEqual([status, String(cells)]);
    }
    expect(await page.locator('button.cell').count()).toBe(53 * 4);
  });

  it('narrows the table by status to exactly the sources in that status', async () => {
    const drifted = sourcesOf(result).filter((s) => shownStatus(s) === 'DRIFTED');
    await select(page, 'f-status', `DRIFTED (${drifted.length})`);
    expect(await shown(page)).toBe(drifted.length);
    // Few enough to be all in view: the rows in the DOM are the whole answer.
    expect(drifted.length).toBeGreaterThan(0);
    expect(drifted.length).toBeLessThan(25);
    const rows = await rowsInView(page);
    expect(rows.map((r) => `${r.status} ${r.account} ${r.region} ${r.name}`).sort()).toEqual(drifted.map((s) => `DRIFTED ${s.accountId} ${s.region} ${s.name}`).sort());
    await clear(page);
  });

  it('narrows by OU, account, region and kind together, and by free text', async () => {
    const ou = result.organization.accounts[25]!.ou!.name!;
    const inOu = new Set(result.organization.accounts.filter((a) => a.ou?.name === ou).map((a) => a.id));
    const stores = sourcesOf(result).filter((s) => inOu.has(s.accountId) && s.region === 'us-east-2' && s.kind === 'eventDataStore');
    await select(page, 'f-ou', ou);
    await select(page, 'f-region', 'us-east-2');
    await select(page, 'f-kind', 'event data store');
    expect(await shown(page)).toBe(stores.length);
    expect((await rowsInView(page)).map((r) => `${r.account} ${r.name}`).sort()).toEqual(stores.map((s) => `${s.accountId} ${s.name}`).sort());
    const account = stores[3]!.accountId;
    await select(page, 'f-account', `${account} (${result.organization.accounts.find((a) => a.id === account)!.name})`);
    expect(await rowsInView(page)).toEqual([{ account, region: 'us-east-2', kind: 'event data store', status: shownStatus(stores[3]!), name: stores[3]!.name }]);
    await clear(page);

    // Every word must match somewhere in the row: a store's name and an account id.
    await page.locator('#f-search').fill('mgmt-eu-west-1 100000000007');
    const expected = sourcesOf(result).filter((s) => s.accountId === '100000000007' && s.name === 'mgmt-eu-west-1');
    expect(await shown(page)).toBe(expected.length);
    expect((await rowsInView(page)).map((r) => r.name)).toEqual(expected.map((s) => s.name));
    await page.locator('#f-search').fill('NOT-REMEDIABLE destination');
    expect(await shown(page)).toBe(sourcesOf(result).filter((s) => s.status === 'not-remediable').length);
    await page.locator('#f-search').fill('no such thing anywhere');
    expect(await shown(page)).toBe(0);
    await clear(page);
  });

  it('sorts by a column, both ways', async () => {
    await page.locator('button[data-sort="account"]').click();
    const ids = [...result.organization.accounts.map((a) => a.id)].sort();
    expect((await rowsInView(page))[0]!.account).toBe(ids[0]);
    await page.locator('button[data-sort="account"]').click();
    expect((await rowsInView(page))[0]!.account).toBe(ids.at(-1));
    expect(await page.locator('button[data-sort="account"]').getAttribute('aria-sort')).toBe('descending');
  });
});

describe('the report of a generated 5,000-account x 17-region organization in Chromium', () => {
  const result = generateStoredResult({ accounts: 5000, regions: REGIONS_17 });
  let page: Page;
  let errors: string[];
  let bytes: number;
  let loadMs: number;

  beforeAll(async () => {
    ({ page, errors, bytes, gotoMs: loadMs } = await openReport(result, 'org-5000x17'));
  });

  it('opens: the legend counts all 85,000 account-regions, the table all findings, the OUs closed but summarized', async () => {
    expect(errors).toEqual([]);
    const counts = await page.locator('li.legend-item').evaluateAll((items) => items.map((i) => Number(i.querySelector('b')!.textContent!.replace(/,/g, ''))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(85_000);
    const byStatus = Object.fromEntries(STATUSES.map((s, i) => [s, counts[i]]));
    expect(byStatus['out-of-scope']).toBe(result.organization.skipped.length * 17);
    expect(byStatus.unreachable).toBe(result.accountRegions.filter((ar) => ar.status === 'unreachable').length);
    expect(byStatus.exempt).toBe(result.accountRegions.filter((ar) => ar.coverage?.status === 'exempt').length);
    expect(await page.locator('details.ou').count()).toBe(26);
    expect(await page.locator('button.cell').count()).toBe(0);
    const findings = result.accountRegions.length + sourcesOf(result).length;
    expect(await shown(page)).toBe(findings);
    expect(await page.locator('#rows .row').count()).toBeLessThan(100);
    console.log(`report-scale: ${bytes.toLocaleString('en')} bytes, ${findings.toLocaleString('en')} findings; goto to first render ${Math.round(loadMs)} ms, script ${await page.getAttribute('html', 'data-rendered-ms')} ms`);
  });

  it('opens an OU a page of 100 accounts at a time, and a cell its account-region', async () => {
    await page.locator('details.ou .ou-title').first().click();
    // The page draws an opened OU's cells after the click returns: wait for its first page to be drawn, then count.
    await page.locator('details.ou').first().locator('.pager .page').waitFor();
    await page.locator('details.ou').first().locator('button.cell').nth(100 * 17 - 1).waitFor();
    expect(await page.locator('details.ou').first().locator('button.cell').count()).toBe(100 * 17);
    await page.locator('details.ou').first().locator('.pager .next').click();
    expect(await page.locator('details.ou').first().locator('.pager .page').innerText()).toBe('accounts 101–200 of 200 (page 2 of 2)');
    const cell = page.locator('details.ou').first().locator('button.cell').first();
    const account = await cell.getAttribute('data-account');
    await cell.click();
    expect(await page.locator('#detail section.account-region h2').innerText()).toMatch(new RegExp(`^${account} \\(account-\\d+\\) us-east-1$`));
    await page.locator('#detail-close').click();
  });

  it('filters 250,000 findings to the right rows in the browser', async () => {
    const notRemediable = sourcesOf(result).filter((s) => s.status === 'not-remediable').length;
    const t1 = performance.now();
    await select(page, 'f-status', `NOT-REMEDIABLE (${notRemediable.toLocaleString('en')})`);
    const statusMs = performance.now() - t1;
    expect(await shown(page)).toBe(notRemediable);
    expect(new Set((await rowsInView(page)).map((r) => r.status))).toEqual(new Set(['NOT-REMEDIABLE']));
    await clear(page);
    const t2 = performance.now();
    await page.locator('#f-search').fill('regional-eu-west-1 100000004321');
    const searchMs = performance.now() - t2;
    // The trail, and its account-region's own finding when that names it ("analyzed by regional-eu-west-1").
    const expected = [
      ...sourcesOf(result).filter((s) => s.accountId === '100000004321' && s.name === 'regional-eu-west-1'),
      ...result.accountRegions.filter((ar) => ar.accountId === '100000004321' && ar.coverage?.message.includes('regional-eu-west-1')),
    ];
    expect(expected.length).toBeGreaterThan(0);
    expect(await shown(page)).toBe(expected.length);
    console.log(`report-scale: status filter ${Math.round(statusMs)} ms (in page ${await page.getAttribute('html', 'data-filter-ms')} ms for the last), first search ${Math.round(searchMs)} ms`);
  });
});
