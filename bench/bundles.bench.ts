// Lambda bundle figures: per function, the minified bundle's bytes (target 450 KB, limit 1 MB), its gzip -9 bytes, and
// its cold import time (median of RUNS fresh Node processes, interleaved with the baseline's in the same run, with
// --enable-source-maps as SAM's `Sourcemap: true` sets) against a baseline bundle that only constructs a CloudTrail
// client, built with the same esbuild settings (target 1.5x); and what else the machine ran meanwhile.
// Prints, and writes bench/results/bundles.json. Run: npm run bench:bundles (RUNS= to change the sample size).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describeLoad, measureLoad } from './machine-load';

const RUNS = Math.max(15, Number(process.env.RUNS ?? 15));
const LIMIT = 1_000_000;
const TARGET_BYTES = 450_000;
const TARGET_RATIO = 1.5;
const root = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), 'bundles-bench-'));

/** The esbuild CLI arguments `sam build` uses for template.yaml's first function (scripts/sam-esbuild.mjs). */
function samArgs(outdir: string): string[] {
  const script = `const { parseCfnYaml } = await import(${JSON.stringify(pathToFileURL(join(root, 'scripts/cfn-yaml.mjs')).href)});
    const { esbuildArgs } = await import(${JSON.stringify(pathToFileURL(join(root, 'scripts/sam-esbuild.mjs')).href)});
    const t = parseCfnYaml((await import('node:fs')).readFileSync('template.yaml', 'utf8'));
    const fn = Object.values(t.Resources).find((r) => r.Type === 'AWS::Serverless::Function');
    console.log(JSON.stringify(esbuildArgs({ ...fn.Metadata.BuildProperties, EntryPoints: ['<entry>'] }, ${JSON.stringify(outdir)})));`;
  return (JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as string[]).filter((a) => a !== '<entry>');
}

/** The baseline: what any function pays for the SDK's CloudTrail client alone. */
function buildBaseline(): string {
  const dir = join(scratch, 'baseline');
  const entry = "import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';\nexport const client = new CloudTrailClient({ region: 'us-east-1' });\n";
  const args = samArgs(dir).map((a) => (a.startsWith('--outdir=') ? `--outfile=${join(dir, 'handler.mjs')}` : a));
  const out = spawnSync(join(root, 'node_modules/.bin/esbuild'), [...args, '--sourcefile=baseline.ts', '--loader=ts', '--log-level=warning'], { cwd: root, input: entry, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`baseline build failed: ${out.stderr}`);
  return join(dir, 'handler.mjs');
}

/** One fresh process: milliseconds spent in import() of the bundle. */
function importMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const out = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_REGION: 'us-east-1' } });
  return Number(out.trim().split('\n').pop());
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const functionsDir = join(root, 'dist/functions');
const bundles: Record<string, string> = { baseline: buildBaseline() };
for (const name of readdirSync(functionsDir).sort()) bundles[name] = join(functionsDir, name, 'handler.mjs');

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(bundles).map((k) => [k, []]));
const load = measureLoad();
for (let i = 0; i < RUNS; i++) for (const [name, file] of Object.entries(bundles)) samples[name]!.push(importMs(file)); // interleaved: drift hits all alike
const machineLoad = load();

const baselineMs = median(samples.baseline!);
const rows = Object.entries(bundles).map(([name, file]) => {
  const bytes = readFileSync(file);
  const ms = median(samples[name]!);
  return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, coldImportMs: Number(ms.toFixed(1)), overBaselineMs: Number((ms - baselineMs).toFixed(1)), ratioToBaseline: Number((ms / baselineMs).toFixed(2)), withinLimit: bytes.length <= LIMIT, withinTargets: bytes.length <= TARGET_BYTES && ms / baselineMs <= TARGET_RATIO };
});

const kb = (n: number) => `${(n / 1000).toFixed(0)} kB`;
console.log(`Lambda bundles (node ${process.version}, ${RUNS} fresh processes each, --enable-source-maps, limit ${kb(LIMIT)} minified)\n`);
console.log(`${'bundle'.padEnd(22)}${'minified'.padStart(12)}${'gzip -9'.padStart(12)}${'cold import'.padStart(14)}${'vs baseline'.padStart(14)}`);
for (const r of rows) {
  const over = [r.withinLimit ? '' : 'OVER 1 MB', r.name !== 'baseline' && r.bytes > TARGET_BYTES ? `over ${kb(TARGET_BYTES)}` : '', r.name !== 'baseline' && r.ratioToBaseline > TARGET_RATIO ? `over ${TARGET_RATIO}x` : ''].filter(Boolean).join(', ');
  console.log(`${r.name.padEnd(22)}${`${r.bytes.toLocaleString('en-US')} B`.padStart(12)}${`${r.gzipBytes.toLocaleString('en-US')} B`.padStart(12)}${`${r.coldImportMs} ms`.padStart(14)}${(r.name === 'baseline' ? '' : `${r.ratioToBaseline}x`).padStart(14)}${over ? `  ${over}` : ''}`);
}
console.log(`measured under: ${describeLoad(machineLoad)}`);

mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/bundles.json'), `${JSON.stringify({ node: process.version, runs: RUNS, flags: ['--enable-source-maps'], limitBytes: LIMIT, targetBytes: TARGET_BYTES, targetRatio: TARGET_RATIO, load: machineLoad, baseline: 'new CloudTrailClient() only, same esbuild settings', bundles: rows }, null, 2)}\n`);
console.log('\nwritten: bench/results/bundles.json');
rmSync(scratch, { recursive: true, force: true });
