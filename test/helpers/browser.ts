// A headless Chromium for the browser tests, found without a download from outside the npm registry:
// CHROMIUM_PATH if set; Debian's /usr/bin/chromium when installed; else the build the registry package
// @sparticuz/chromium ships (Linux x64 and arm64: it unpacks into the OS temp dir on first use); else an installed
// Google Chrome (macOS, Windows). Playwright drives whichever it is.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export interface Chromium {
  /** Where it came from, for the test log and the closing note. */
  source: string;
  executablePath?: string;
  channel?: string;
  args: string[];
}

// Without the background-networking flags Chromium keeps trying to reach Google's hosts, which a closed test
// network refuses; nothing a test needs uses them.
const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** @sparticuz/chromium is ESM-only and the suites run as CommonJS: ask a child Node for its path and flags. */
function sparticuz(): Chromium {
  const script = "const c = (await import('@sparticuz/chromium')).default; console.log(JSON.stringify({ path: await c.executablePath(), args: c.args }));";
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(__dirname, '../..'), encoding: 'utf8' });
  const { path, args } = JSON.parse(out.trim().split('\n').pop()!) as { path: string; args: string[] };
  return { source: `@sparticuz/chromium (${path})`, executablePath: path, args: [...new Set([...args, ...QUIET])] };
}

export function findChromium(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Chromium {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH}: no such file`);
    return { source: `CHROMIUM_PATH (${env.CHROMIUM_PATH})`, executablePath: env.CHROMIUM_PATH, args: ['--headless', ...QUIET] };
  }
  if (existsSync('/usr/bin/chromium')) return { source: "Debian's chromium (/usr/bin/chromium)", executablePath: '/usr/bin/chromium', args: ['--headless', ...QUIET] };
  if (platform === 'linux' && ['x64', 'arm64'].includes(process.arch)) return sparticuz();
  if (platform === 'darwin' || platform === 'win32') return { source: 'the installed Google Chrome', channel: 'chrome', args: QUIET };
  throw new Error(`no headless Chromium for ${platform}/${process.arch}: set CHROMIUM_PATH to a Chromium or Chrome executable`);
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; chromium: Chromium }> {
  const found = findChromium();
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    ...(found.executablePath && { executablePath: found.executablePath }),
    ...(found.channel && { channel: found.channel }),
    headless: true,
    args: found.args,
    viewport,
  });
  return { context, chromium: found };
}
