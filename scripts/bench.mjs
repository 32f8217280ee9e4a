// `npm run bench`: runs every benchmark in its own Node process (bundles and cold imports, event-driven repair, the
// 1,000 x 4 sweep, the simulator's throughput, both objectives side by side, the 5,000 x 17 HTML report in
// Chromium), then merges their figures into
// bench/results/latest.json with the date and the machine, and prints a summary. Every ratio's two sides come from this
// run (a step's previous result file is removed before it runs, so a failed step shows as missing, never as stale),
// and each timing is printed with what else the machine ran while it was measured (bench/machine-load.ts: other
// processes' CPU in cores). BENCH_SCALE=1 adds the 5,000 x 17 sweep (about 8 minutes here; also
// `npm run bench:scale`). Expects `node scripts/build.mjs functions|bench|sim` to have run (the npm script does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const started = Date.now();
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' };
const steps = [
  ['bundles', 'dist/bench/bundles.mjs', {}],
  ['events', 'dist/bench/events.mjs', {}],
  ['sweep', 'dist/bench/sweep.mjs', process.env.BENCH_SCALE === '1' ? {} : { SCALE_ACCOUNTS: '0' }],
  ['sim', 'dist/bench/sim.mjs', {}],
  ['coverage', 'dist/bench/coverage.mjs', {}],
  ['report', 'dist/bench/report.mjs', {}],
];
const failed = [];
for (const [name, file, extra] of steps) {
  if (!existsSync(file)) {
    failed.push(`${name}: ${file} is missing (build first)`);
    continue;
  }
  console.log(`\n===== ${name} =====`);
  rmSync(`bench/results/${name}.json`, { force: true });
  const t = Date.now();
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit', env: { ...env, ...extra } });
  console.log(`(${name}: ${((Date.now() - t) / 1000).toFixed(0)} s)`);
  if (r.status !== 0) failed.push(`${name}: exit ${r.status}`);
}

const read = (name) => (existsSync(`bench/results/${name}.json`) ? JSON.parse(readFileSync(`bench/results/${name}.json`, 'utf8')) : undefined);
const machine = { node: process.version, platform: `${process.platform} ${process.arch}`, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) };
const latest = { at: new Date().toISOString(), machine, totalSeconds: Math.round((Date.now() - started) / 1000), bundles: read('bundles'), events: read('events'), sweep: read('sweep'), sim: read('sim'), coverage: read('coverage'), report: read('report'), failed };
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify(latest, null, 2)}\n`);

console.log(`\n===== summary (${latest.at}, ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}) =====`);
const load = (l) => (l?.otherCores == null ? 'load unknown' : `other processes ${l.otherCores} of ${l.cores} cores`);
if (latest.bundles) console.log(`bundles: cold import median of ${latest.bundles.runs} fresh processes each, interleaved with the baseline's; ${load(latest.bundles.load)}`);
for (const b of latest.bundles?.bundles ?? []) console.log(`bundle ${b.name.padEnd(22)} ${String(b.bytes).padStart(9)} B  gzip ${String(b.gzipBytes).padStart(8)} B  cold import ${b.coldImportMs} ms${b.name === 'baseline' ? '' : ` = ${b.ratioToBaseline}x the baseline`}`);
for (const e of latest.events?.kinds ?? latest.events?.results ?? [])
  console.log(`event  ${String(e.label).padEnd(52)} reads ${String(e.readsPerDrift).padStart(4)} (minimum ${e.minimumReadsPerDrift}), writes ${e.writesPerDrift} (minimum ${e.minimumWritesPerDrift}), converged ${e.converged}/${e.runs} in ${e.convergedMsP50} ms p50${e.retries ? `, ${e.retries} Lambda retries` : ''}; ${load(e.load)}`);
for (const s of latest.sweep?.results ?? [])
  console.log(`sweep  ${s.label}: ${s.cloudtrailCalls} CloudTrail calls (minimum ${s.minimumCloudTrailCalls}, ratio ${s.cloudtrailRatio}), ${s.assumeRoles} AssumeRole (minimum ${s.minimumAssumeRoles}, ratio ${s.assumeRoleRatio}), ${(s.workerMs / 1000).toFixed(1)} s vs ideal ${(s.idealMs / 1000).toFixed(1)} s for ${s.concurrency} x ${s.lanes} lanes (${s.ratioToIdeal ?? '-'} x; ${load(s.load)}), throttled ${s.throttledCalls}, unrecovered ${s.unrecovered}`);
for (const c of latest.coverage?.results ?? [])
  console.log(`objective ${c.objective.padEnd(11)} ${latest.coverage.accounts} x ${latest.coverage.regions}: ${c.writes} writes, ${c.sourcesBilledForInsights} sources billed for Insights, ${c.managementCopiesAdded} management copies added (${c.secondManagementCopies} second copies in all), ${c.redundantSources} redundant sources, ${c.uncoveredAccountRegions} uncovered; spend ${c.spend.currency ?? ''} ${c.spend.total.toFixed(2)}, up to ${c.spend.redundantUpTo.toFixed(2)} where redundant carriers live`);
if (latest.report) {
  const r = latest.report;
  console.log(`report ${r.accounts} x ${r.regions} HTML: ${r.fileBytes} B for ${r.findings} findings, rendered in ${r.renderHtmlMs} ms; Chromium first render ${r.firstRenderMs} ms, filter by status ${r.statusFilterMs} ms, by OU and region ${r.ouRegionFilterMs} ms, search ${r.searchMs} ms; ${load(r.load)}`);
}
if (latest.sim) console.log(`sim    ${latest.sim.accounts} x ${latest.sim.regions} world loads in ${latest.sim.loadInProcessMs} ms; SDK concurrency 64: ${latest.sim.sdkConcurrency64?.requestsPerSecond} req/s`);
console.log(`bench: ${latest.totalSeconds} s in all; bench/results/latest.json written${failed.length ? `; FAILED: ${failed.join('; ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
