// A headless Chromium for the browser tests (which one: test/helpers/find-chromium.ts), driven by Playwright.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { findChromium, type Chromium } from './find-chromium';

export type { Chromium } from './find-chromium';

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; chromium: Chromium }> {
  const found = findChromium(join(__dirname, '../..'));
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    ...(found.executablePath && { executablePath: found.executablePath }),
    ...(found.channel && { channel: found.channel }),
    headless: true,
    args: found.args,
    viewport,
  });
  return { context, chromium: found };
}
