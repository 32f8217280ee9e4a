// The CLI as an operator runs it, for suites that also serve a simulator from the test process: bundled like
// scripts/build.mjs does, into this suite's own directory (another suite may be rebuilding dist/ meanwhile), and run
// without blocking the event loop the in-process simulator answers on.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export const root = join(__dirname, '../../..');

export async function buildCli(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'cli-bundle-')), 'cli.mjs');
  await build({
    entryPoints: [join(root, 'cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    loader: { '.yaml': 'text' },
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

/** No credentials from the machine running the tests: only what a test passes. */
export const isolatedEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'cli-home-')), AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
  return env;
};

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(cli: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: root, env, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ status: typeof status === 'number' ? status : null, stdout, stderr });
    });
  });
}
