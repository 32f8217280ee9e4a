// `insights-remediator report --format html` opened in a real headless Chromium (test/helpers/browser.ts): what a
// person sees of a stored enforce-mode sweep, and nothing fetched from anywhere. Saves a screenshot.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import type { StoredSweepResult } from '../../../lib/report/sweep-result';
import { Simulator } from '../../../sim/server';
import { launchChromium } from '../../helpers/browser';
import { parseWorld } from '../../../sim/world';
import { buildCli, isolatedEnv, root, runCli } from './cli-process';

jest.setTimeout(120_000);

const SCREENSHOT = join(tmpdir(), 'insights-remediator-report.png');
const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));

let result: StoredSweepResult;
let html: string;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];

beforeAll(async () => {
  const cli = await buildCli();
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
  await page.goto(pathToFileURL(pagePath).href);
  // Which browser ran, for the log: the test proves the page in whatever Chromium the machine could provide.
  console.log(`report-html: ${launched.chromium.source}: ${await page.evaluate(() => navigator.userAgent)}`);
});

afterAll(async () => {
  await context?.close();
});

const judged = () => result.accountRegions.flatMap((ar) => ar.sources).filter((s) => s.status !== 'out-of-scope');

describe('the HTML report in Chromium', () => {
  it('is one self-contained page: no script, no stylesheet or image to fetch, no request but the file itself', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);
    expect(requests).toEqual([pathToFileURL(join(dir, 'report.html')).href]);
  });

  it('has a section per account and region, headed with the account, its name and the region', async () => {
    expect(await page.locator('h1').innerText()).toBe(`CloudTrail Insights sweep ${result.sweepId}`);
    expect(await page.locator('section.account-region h2').allInnerTexts()).toEqual(result.accountRegions.map((ar) => `${ar.accountId}${ar.accountName ? ` (${ar.accountName})` : ''} ${ar.region}`));
    expect(await page.locator('section.account-region h2').first().innerText()).toBe('111111111111 (management) ap-southeast-2');
  });

  it('shows each source with its status and the calls made, and one timeline bar per source', async () => {
    expect(await page.locator('tr.source').count()).toBe(judged().length);
    expect(await page.locator('tr.source .timeline').count()).toBe(judged().length);
    expect(await page.locator('.status.repaired').count()).toBe(result.summary.repaired);
    expect(await page.locator('.status.not-remediable').count()).toBe(judged().filter((s) => s.status === 'not-remediable').length);
    const devTrail = page.locator(`tr.source[data-arn="arn:aws:cloudtrail:eu-west-1:333333333333:trail/dev-trail"]`);
    expect(await devTrail.locator('.calls li summary').allInnerTexts()).toEqual(['applied PutEventSelectors', 'applied PutInsightSelectors']);
  });

  it('lays out each Insights clock on the 7-day axis: a trail pending for 36 hours, a store for the whole week, a compliant source delivering', async () => {
    const labels = await page.locator('.timeline-label').allInnerTexts();
    expect(labels.filter((l) => /^pending first delivery until \d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(l))).toHaveLength(7);
    const widthOf = async (arn: string, state: string) => {
      const row = page.locator(`tr.source[data-arn="${arn}"]`);
      const bar = (await row.locator('.timeline').boundingBox())!;
      const segment = await row.locator(`.timeline .segment.${state}`).boundingBox();
      return segment ? segment.width / bar.width : 0;
    };
    expect(await widthOf('arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', 'pending')).toBeCloseTo(36 / 168, 2);
    expect(await widthOf('arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', 'delivering')).toBeCloseTo(132 / 168, 2);
    expect(await widthOf('arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/prod-lake-0001', 'pending')).toBeGreaterThan(0.99);
    expect(await widthOf('arn:aws:cloudtrail:ap-southeast-2:333333333333:trail/dev-apac', 'delivering')).toBeCloseTo(1, 2);
    expect(await widthOf('arn:aws:cloudtrail:us-east-1:333333333333:eventdatastore/dev-lake-0001', 'off')).toBeCloseTo(1, 2);
  });

  it('says what is left for a person, and saves a screenshot', async () => {
    expect(await page.locator('.verdict').innerText()).toMatch(/^Drift left \(3\)/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
  });
});
