// A headless Chromium for the report benchmark, found as the browser tests find one (test/helpers/find-chromium.ts),
// and Playwright loaded from node_modules at run time: the benchmark is an esbuild bundle (scripts/build.mjs bench),
// and Playwright reads its own package files next to its modules, so it must not be bundled.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { findChromium } from '../test/helpers/find-chromium';

export async function launchReportBrowser(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; source: string }> {
  const load = createRequire(join(process.cwd(), 'package.json'));
  const { chromium } = load('playwright-core') as typeof import('playwright-core');
  const found = findChromium(process.cwd());
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
