// Simulator figures: how long a 1,000-account x 4-region world takes to load, and the request rate the server
// sustains on this machine (server in its own process; clients here), through the real SDK v3 clients and through raw
// keep-alive HTTP. Prints; asserts nothing. Run: npm run bench (ACCOUNTS=, SECONDS= to change the size).
import { CloudTrailClient, DescribeTrailsCommand, GetEventDataStoreCommand, GetTrailStatusCommand, ListEventDataStoresCommand } from '@aws-sdk/client-cloudtrail';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../sim/server';
import { validateWorld } from '../sim/world';
import { signedHeaders } from '../test/helpers/signed-request';
import { accountId, generateWorld } from './generate-world';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 1000);
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1'];
const SECONDS = Number(process.env.SECONDS ?? 5);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;

async function load(concurrency: number, call: (i: number) => Promise<unknown>): Promise<{ rate: number; p50: number; p99: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await call(n++);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / SECONDS, p50: pct(latencies, 50), p99: pct(latencies, 99), errors };
}

async function main(): Promise<void> {
  console.log(`simulator benchmark: ${ACCOUNTS} accounts x ${REGIONS.length} regions, node ${process.version}, ${SECONDS} s per load phase`);
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const raw = generateWorld(ACCOUNTS, REGIONS);
  const t1 = performance.now();
  const world = validateWorld(raw);
  const t2 = performance.now();
  const inProcess = await Simulator.start({ world, throttling: { enabled: false } });
  const t3 = performance.now();
  console.log(`world: ${world.trails.length} trails, ${world.eventDataStores.length} event data stores`);
  const figures: Record<string, unknown> = { accounts: ACCOUNTS, regions: REGIONS.length, trails: world.trails.length, eventDataStores: world.eventDataStores.length, loadInProcessMs: Math.round(t3 - t0) };
  console.log(`load in process: generate ${(t1 - t0).toFixed(0)} ms, validate ${(t2 - t1).toFixed(0)} ms, start (state + server) ${(t3 - t2).toFixed(0)} ms; total ${(t3 - t0).toFixed(0)} ms; heap +${mb(process.memoryUsage().heapUsed - heap0)}`);
  await inProcess.stop();

  // The request rate is the server's: it runs in its own process (dist/sim.mjs), loading the world from a file.
  const file = join(mkdtempSync(join(tmpdir(), 'sim-bench-')), 'world.json');
  writeFileSync(file, JSON.stringify(raw));
  const child = spawn(process.execPath, [join(import.meta.dirname, '../sim.mjs'), '--world', file, '--no-throttling'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve(d.toString().trim()));
    child.on('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  console.log(`standalone: ${line}`);
  figures.standaloneLoadMs = Number(/loaded in (\d+) ms/.exec(line)?.[1]);
  const sim = { endpoint: /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]! };

  const clients = new Map<string, CloudTrailClient>();
  const client = (account: string, region: string) => {
    const key = `${account}/${region}`;
    let c = clients.get(key);
    if (!c) clients.set(key, (c = new CloudTrailClient({ endpoint: sim.endpoint, region, credentials: { accessKeyId: account, secretAccessKey: 'x' }, maxAttempts: 1 })));
    return c;
  };
  const pick = (i: number) => ({ account: accountId((i * 7919) % ACCOUNTS), region: REGIONS[i % REGIONS.length]! });
  const sdkMix = (i: number) => {
    const { account, region } = pick(i);
    const c = client(account, region);
    switch (i % 4) {
      case 0:
        return c.send(new DescribeTrailsCommand({}));
      case 1:
        return c.send(new GetTrailStatusCommand({ Name: `arn:aws:cloudtrail:${region}:${account}:trail/regional-${region}` }));
      case 2:
        return c.send(new GetEventDataStoreCommand({ EventDataStore: `mgmt-${region}` }));
      default:
        return c.send(new ListEventDataStoresCommand({}));
    }
  };
  for (const concurrency of [1, 16, 64]) {
    const r = await load(concurrency, sdkMix);
    figures[`sdkConcurrency${concurrency}`] = { requestsPerSecond: Math.round(r.rate), p50Ms: Number(r.p50.toFixed(1)), p99Ms: Number(r.p99.toFixed(1)), errors: r.errors };
    console.log(`SDK v3 clients, concurrency ${String(concurrency).padStart(2)}: ${r.rate.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}`);
  }
  // Raw requests are signed once per account-region (the simulator verifies SigV4; a signature stays valid 15 minutes).
  const signed = new Map<string, Promise<Record<string, string>>>();
  const rawCall = async (i: number) => {
    const { account, region } = pick(i);
    const body = JSON.stringify({ Name: `regional-${region}` });
    const key = `${account}/${region}`;
    if (!signed.has(key)) signed.set(key, signedHeaders(sim.endpoint, { target: 'CloudTrail_20131101.GetTrailStatus', body, accessKeyId: account, region }));
    const { host: _host, ...headers } = await signed.get(key)!;
    const res = await fetch(sim.endpoint, { method: 'POST', headers, body });
    if (res.status !== 200) throw new Error(String(res.status));
    await res.text();
  };
  const r = await load(64, rawCall);
  console.log(`raw HTTP keep-alive, concurrency 64: ${r.rate.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}`);
  figures.rawHttpConcurrency64 = { requestsPerSecond: Math.round(r.rate), p50Ms: Number(r.p50.toFixed(1)), p99Ms: Number(r.p99.toFixed(1)), errors: r.errors };
  child.kill('SIGTERM');
  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench/results/sim.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, ...figures }, null, 2)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
