// The HTML report's figures: its file size, the time to render it (Node) and to first render in headless Chromium,
// and the time a filter and a search take there, for a generated 5,000-account x 17-region organization
// (bench/report-result.ts); plus the coverage map's screenshots, of the demo's organization (the demo's report-mode
// sweep on the simulator, its accounts grouped by its world's OUs) and of the large one, into docs/images/. Chromium timings come
// from the page itself (performance.now() around the work, up to the next frame) and from Playwright (goto to the
// page's "ready" mark). Writes bench/results/report.json. Run: npm run bench (REPORT_ACCOUNTS= to change the size).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { runDemo } from '../cli/demo';
import { renderHtml } from '../lib/report/render-html';
import type { StoredSweepResult } from '../lib/report/sweep-result';
import { parseWorld } from '../sim/world';
import demoWorldText from '../sim/worlds/drifted-organization.yaml';
import { REGIONS_17 } from './generate-world';
import { describeLoad, measureLoad } from './machine-load';
import { launchReportBrowser } from './report-browser';
import { generateStoredResult } from './report-result';

const ACCOUNTS = Number(process.env.REPORT_ACCOUNTS ?? 5000);
const IMAGES = 'docs/images';

// The benchmark compiles without the DOM's types; in the page this is the browser's own.
declare const requestAnimationFrame: (callback: () => void) => number;

/** Runs `work` in the page and waits for the next frame: what a person waits for, in the page's own clock. */
const inPage = (page: Page, work: string): Promise<number> =>
  page.evaluate(
    (body) =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        new Function(body)();
        requestAnimationFrame(() => resolve(performance.now() - t));
      }),
    work,
  );

const setSelect = (id: string, label: string) =>
  `{ const s = document.getElementById(${JSON.stringify(id)}); s.value = [...s.options].find((o) => o.textContent.startsWith(${JSON.stringify(label)})).value; s.dispatchEvent(new Event('change')); }`;
const setSearch = (q: string) => `{ const s = document.getElementById('f-search'); s.value = ${JSON.stringify(q)}; s.dispatchEvent(new Event('input')); }`;
const clearFilters = `document.getElementById('f-clear').click();`;

/** The regions' header row stays at the top of the window while scrolling; in a whole-map screenshot, at the top of the map. */
const unstick = (page: Page) => page.evaluate("document.querySelector('.grid-head').style.position = 'static'");

async function demoResult(): Promise<StoredSweepResult> {
  let json = '';
  await runDemo({ format: 'json', write: (text) => (json += text) });
  const result = (JSON.parse(json) as { reportSweep: StoredSweepResult }).reportSweep;
  // Grouped by the OUs of the demo's world file: a sweep records an account's OU only when discovery reads OU paths
  // (a policy scoping by OU), and the demo's policy does not.
  const world = parseWorld(demoWorldText, 'sim/worlds/drifted-organization.yaml');
  const ous = new Map(world.organization.organizationalUnits.map((o) => [o.id, o.name]));
  const parent = new Map(world.organization.accounts.map((a) => [a.id, a.parent]));
  const ouOf = (id: string) => {
    const p = parent.get(id);
    return p ? { id: p, name: ous.get(p) ?? `root ${p}` } : undefined;
  };
  result.organization.accounts = result.organization.accounts.map((a) => ({ ...a, ...(ouOf(a.id) && { ou: ouOf(a.id)! }) }));
  return result;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'report-bench-'));
  mkdirSync(IMAGES, { recursive: true });
  const { context, source } = await launchReportBrowser({ width: 1400, height: 1000 });
  console.log(`report benchmark: ${ACCOUNTS} accounts x ${REGIONS_17.length} regions, Chromium: ${source}, node ${process.version}`);
  try {
    // The demo's organization: the map as the demo leaves it after its report-mode sweep.
    const demo = demoResult();
    const demoPath = join(dir, 'demo.html');
    writeFileSync(demoPath, renderHtml(await demo));
    const demoPage = await context.newPage();
    await demoPage.goto(pathToFileURL(demoPath).href);
    await demoPage.waitForSelector('html[data-ready]');
    await unstick(demoPage);
    await demoPage.locator('#map').screenshot({ path: `${IMAGES}/report-map-demo.png` });
    await demoPage.close();
    console.log(`demo organization: ${IMAGES}/report-map-demo.png`);

    const load = measureLoad();
    const t0 = performance.now();
    const result = generateStoredResult({ accounts: ACCOUNTS, regions: REGIONS_17 });
    const t1 = performance.now();
    const html = renderHtml(result);
    const t2 = performance.now();
    const path = join(dir, 'report.html');
    writeFileSync(path, html);
    const findings = result.accountRegions.length + result.accountRegions.reduce((n, ar) => n + ar.sources.length, 0);

    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const t3 = performance.now();
    await page.goto(pathToFileURL(path).href, { timeout: 300_000 });
    await page.waitForSelector('html[data-ready]', { timeout: 300_000 });
    const firstRenderMs = performance.now() - t3;
    const scriptMs = Number(await page.getAttribute('html', 'data-rendered-ms'));
    await page.waitForSelector('html[data-search-ready]', { timeout: 300_000 });
    const searchReadyMs = performance.now() - t3;

    const statusFilterMs = await inPage(page, setSelect('f-status', 'NOT-REMEDIABLE'));
    const statusShown = Number(await page.getAttribute('#f-count', 'data-shown'));
    await inPage(page, clearFilters);
    const ouRegionFilterMs = await inPage(page, `${setSelect('f-ou', 'Workloads-Prod-01')} ${setSelect('f-region', 'eu-west-1')}`);
    const ouRegionShown = Number(await page.getAttribute('#f-count', 'data-shown'));
    await inPage(page, clearFilters);
    const searchMs = await inPage(page, setSearch('regional-eu-west-1 100000004321'));
    const searchShown = Number(await page.getAttribute('#f-count', 'data-shown'));
    await inPage(page, clearFilters);
    const sortMs = await inPage(page, `document.querySelector('button[data-sort="clock"]').click();`);
    const openOuMs = await inPage(page, `document.querySelector('details.ou summary').click();`);
    await unstick(page);
    await page.locator('#map').screenshot({ path: `${IMAGES}/report-map-${ACCOUNTS}x${REGIONS_17.length}.png` });
    const machine = load();
    if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);

    const figures = {
      accounts: ACCOUNTS,
      regions: REGIONS_17.length,
      accountRegions: ACCOUNTS * REGIONS_17.length,
      findings,
      chromium: source,
      fileBytes: Buffer.byteLength(html),
      generateMs: Math.round(t1 - t0),
      renderHtmlMs: Math.round(t2 - t1),
      firstRenderMs: Math.round(firstRenderMs),
      scriptMs: Math.round(scriptMs),
      searchReadyMs: Math.round(searchReadyMs),
      statusFilterMs: Math.round(statusFilterMs),
      statusShown,
      ouRegionFilterMs: Math.round(ouRegionFilterMs),
      ouRegionShown,
      searchMs: Math.round(searchMs),
      searchShown,
      sortMs: Math.round(sortMs),
      openOuMs: Math.round(openOuMs),
      screenshots: [`${IMAGES}/report-map-demo.png`, `${IMAGES}/report-map-${ACCOUNTS}x${REGIONS_17.length}.png`],
      load: machine,
    };
    console.log(`file ${figures.fileBytes.toLocaleString('en')} bytes for ${findings.toLocaleString('en')} findings; renderHtml ${figures.renderHtmlMs} ms (Node)`);
    console.log(`Chromium: first render ${figures.firstRenderMs} ms from goto (its script ${figures.scriptMs} ms), search index ready ${figures.searchReadyMs} ms from goto`);
    console.log(`filter by status ${figures.statusFilterMs} ms (${statusShown} rows), by OU and region ${figures.ouRegionFilterMs} ms (${ouRegionShown} rows), search ${figures.searchMs} ms (${searchShown} rows), sort by clock ${figures.sortMs} ms, open an OU ${figures.openOuMs} ms`);
    console.log(`screenshots: ${figures.screenshots.join(', ')}; ${describeLoad(machine)}`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/report.json', `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await context.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
