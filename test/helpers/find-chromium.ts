// Which headless Chromium to drive, found without a download from outside the npm registry: CHROMIUM_PATH if set;
// Debian's /usr/bin/chromium when installed; else the build the registry package @sparticuz/chromium ships (Linux x64
// and arm64: it unpacks into the OS temp dir on first use); else an installed Google Chrome (macOS, Windows). No
// Playwright here: the browser tests (test/helpers/browser.ts) and the report benchmark (bench/report-browser.ts, an
// esbuild bundle that loads Playwright from node_modules at run time) both use it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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

/** @sparticuz/chromium is ESM-only and the suites run as CommonJS: a child Node, in the repository, gives its path and flags. */
function sparticuz(root: string): Chromium {
  const script = "const c = (await import('@sparticuz/chromium')).default; console.log(JSON.stringify({ path: await c.executablePath(), args: c.args }));";
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  const { path, args } = JSON.parse(out.trim().split('\n').pop()!) as { path: string; args: string[] };
  return { source: `@sparticuz/chromium (${path})`, executablePath: path, args: [...new Set([...args, ...QUIET])] };
}

/** `root`: the repository, whose node_modules holds @sparticuz/chromium. */
export function findChromium(root: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Chromium {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH}: no such file`);
    return { source: `CHROMIUM_PATH (${env.CHROMIUM_PATH})`, executablePath: env.CHROMIUM_PATH, args: ['--headless', ...QUIET] };
  }
  if (existsSync('/usr/bin/chromium')) return { source: "Debian's chromium (/usr/bin/chromium)", executablePath: '/usr/bin/chromium', args: ['--headless', ...QUIET] };
  if (platform === 'linux' && ['x64', 'arm64'].includes(process.arch)) return sparticuz(root);
  if (platform === 'darwin' || platform === 'win32') return { source: 'the installed Google Chrome', channel: 'chrome', args: QUIET };
  throw new Error(`no headless Chromium for ${platform}/${process.arch}: set CHROMIUM_PATH to a Chromium or Chrome executable`);
}
