// A headless Chromium for the report benchmark, found as test/helpers/browser.ts finds one (CHROMIUM_PATH, Debian's
// /usr/bin/chromium, the build the registry package @sparticuz/chromium ships, an installed Chrome), and Playwright
// loaded from node_modules at run time: the benchmark is an esbuild bundle (scripts/build.mjs bench), and Playwright
// reads its own package files next to its modules, so it must not be bundled.
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchReportBrowser(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; source: string }> {
  const load = createRequire(join(process.cwd(), 'package.json'));
  const { chromium } = load('playwright-core') as typeof import('playwright-core');
  let found: { source: string; executablePath?: string; channel?: string; args: string[] };
  if (process.env.CHROMIUM_PATH) found = { source: `CHROMIUM_PATH (${process.env.CHROMIUM_PATH})`, executablePath: process.env.CHROMIUM_PATH, args: ['--headless', ...QUIET] };
  else if (existsSync('/usr/bin/chromium')) found = { source: "Debian's chromium", executablePath: '/usr/bin/chromium', args: ['--headless', ...QUIET] };
  else if (process.platform === 'linux') {
    const sparticuz = ((await import(load.resolve('@sparticuz/chromium'))) as { default: { executablePath(): Promise<string>; args: string[] } }).default;
    const path = await sparticuz.executablePath();
    found = { source: `@sparticuz/chromium (${path})`, executablePath: path, args: [...new Set([...sparticuz.args, ...QUIET])] };
  } else found = { source: 'the installed Google Chrome', channel: 'chrome', args: QUIET };
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'report-bench-profile-')), {
    ...(found.executablePath && { executablePath: found.executablePath }),
    ...(found.channel && { channel: found.channel }),
    headless: true,
    args: found.args,
    viewport,
  });
  // Nothing but the report file: a request anywhere else is refused (and would be a bug).
  await context.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
  return { context, source: found.source };
}
