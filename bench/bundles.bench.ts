// Lambda bundle figures: per function, the minified bytes a cold start loads (handler.mjs and the chunks it imports;
// target 450 KB) and the whole artifact's (every chunk; limit 1 MB), the loaded bytes' gzip -9 size, and
// its cold import time (median of RUNS fresh Node processes, interleaved with the baseline's in the same run, with
// --enable-source-maps as SAM's `Sourcemap: true` sets) against a baseline bundle that only constructs a CloudTrail
// client, built with the same esbuild settings (target 1.5x); and what else the machine ran meanwhile.
// Prints, and writes bench/results/bundles.json. Run: npm run bench:bundles (RUNS= to change the sample size).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { coldLoaded } from '../test/helpers/cold-loaded';
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

/**
 * The baselines: what any function pays for the SDK's CloudTrail client alone. `baseline` is built as the functions are
 * (template.yaml's BuildProperties: split, the environment's credentials only); `baseline-stock` without those two
 * settings (the SDK's whole default credential chain inlined), as the functions were built when #19 measured 2.1x.
 */
function buildBaseline(name: string, stock: boolean): string {
  // The entry lives under node_modules/.cache so that it resolves the SDK from this repository's node_modules.
  const src = join(root, 'node_modules/.cache/bundles-bench');
  const dir = join(scratch, name);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'handler.ts'), "import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';\nexport const client = new CloudTrailClient({ region: 'us-east-1' });\n");
  const args = samArgs(dir).filter((a) => !stock || (a !== '--splitting' && !a.startsWith('--alias:')));
  const out = spawnSync(join(root, 'node_modules/.bin/esbuild'), [...args, join(src, 'handler.ts'), '--log-level=warning'], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${name} build failed: ${out.stderr}`);
  return join(dir, 'handler.mjs');
}

const bytesOf = (files: string[]) => files.reduce((sum, f) => sum + statSync(f).size, 0);
const artifact = (file: string) => readdirSync(dirname(file)).filter((f) => f.endsWith('.mjs')).map((f) => join(dirname(file), f));

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
const bundles: Record<string, string> = { baseline: buildBaseline('baseline', false), 'baseline-stock': buildBaseline('baseline-stock', true) };
for (const name of readdirSync(functionsDir).sort()) bundles[name] = join(functionsDir, name, 'handler.mjs');

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(bundles).map((k) => [k, []]));
const load = measureLoad();
for (let i = 0; i < RUNS; i++) for (const [name, file] of Object.entries(bundles)) samples[name]!.push(importMs(file)); // interleaved: drift hits all alike
const machineLoad = load();

const baselineMs = median(samples.baseline!);
const stockMs = median(samples['baseline-stock']!);
const isBaseline = (name: string) => name.startsWith('baseline');
const rows = Object.entries(bundles).map(([name, file]) => {
  // What a cold start reads and compiles: handler.mjs and the chunks it imports statically. The artifact's other chunks
  // (opt-in features, and the SDK's own `import()`s of what Lambda never uses) load on first use, if ever.
  const cold = coldLoaded(dirname(file), basename(file)).map((f) => join(dirname(file), f));
  const bytes = bytesOf(cold);
  const artifactBytes = bytesOf(artifact(file));
  const ms = median(samples[name]!);
  return {
    name,
    bytes,
    gzipBytes: gzipSync(Buffer.concat(cold.map((f) => readFileSync(f))), { level: 9 }).length,
    artifactBytes,
    coldFiles: cold.length,
    coldImportMs: Number(ms.toFixed(1)),
    overBaselineMs: Number((ms - baselineMs).toFixed(1)),
    ratioToBaseline: Number((ms / baselineMs).toFixed(2)),
    ratioToStockBaseline: Number((ms / stockMs).toFixed(2)),
    withinLimit: artifactBytes <= LIMIT,
    withinTargets: bytes <= TARGET_BYTES && artifactBytes <= TARGET_BYTES && ms / baselineMs <= TARGET_RATIO,
  };
});

const kb = (n: number) => `${(n / 1000).toFixed(0)} kB`;
console.log(`Lambda bundles (node ${process.version}, ${RUNS} fresh processes each, --enable-source-maps; "loaded" = handler.mjs and the chunks it imports, what a cold start reads; "artifact" = every .mjs file deployed, limit ${kb(LIMIT)})\n`);
console.log(`${'bundle'.padEnd(22)}${'loaded'.padStart(12)}${'gzip -9'.padStart(12)}${'artifact'.padStart(12)}${'cold import'.padStart(14)}${'vs baseline'.padStart(13)}${'vs stock'.padStart(10)}`);
for (const r of rows) {
  const over = [r.withinLimit ? '' : 'OVER 1 MB', !isBaseline(r.name) && r.bytes > TARGET_BYTES ? `loaded over ${kb(TARGET_BYTES)}` : '', !isBaseline(r.name) && r.ratioToBaseline > TARGET_RATIO ? `over ${TARGET_RATIO}x the baseline` : ''].filter(Boolean).join(', ');
  console.log(`${r.name.padEnd(22)}${`${r.bytes.toLocaleString('en-US')} B`.padStart(12)}${`${r.gzipBytes.toLocaleString('en-US')} B`.padStart(12)}${`${r.artifactBytes.toLocaleString('en-US')} B`.padStart(12)}${`${r.coldImportMs} ms`.padStart(14)}${(isBaseline(r.name) ? '' : `${r.ratioToBaseline}x`).padStart(13)}${(isBaseline(r.name) ? '' : `${r.ratioToStockBaseline}x`).padStart(10)}${over ? `  ${over}` : ''}`);
}
console.log('baseline: only `new CloudTrailClient()`, built as the functions are; stock: the same without splitting and the credentials alias');
console.log(`measured under: ${describeLoad(machineLoad)}`);

mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/bundles.json'), `${JSON.stringify({ node: process.version, runs: RUNS, flags: ['--enable-source-maps'], limitBytes: LIMIT, targetBytes: TARGET_BYTES, targetRatio: TARGET_RATIO, load: machineLoad, baseline: 'new CloudTrailClient() only, same esbuild settings', bytes: 'handler.mjs and the chunks it imports (what a cold start loads); artifactBytes: every .mjs file', bundles: rows }, null, 2)}\n`);
console.log('\nwritten: bench/results/bundles.json');
rmSync(scratch, { recursive: true, force: true });
