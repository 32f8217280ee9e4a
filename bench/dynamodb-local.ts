// DynamoDB for benchmarks: dynalite (https://github.com/architect/dynalite, in memory on 127.0.0.1) with the product's
// ledger table, as test/helpers/dynalite.ts makes it for the tests (copied: bench code does not import from test/).
// dynalite is loaded at run time from node_modules, not bundled: its storage layer (level) resolves native modules
// relative to its own files. It can run in the calling thread or in a worker thread of its own (a third thread next
// to the product's and the simulator's): `startDynamoDb({ thread: benchmarkUrl })` starts the benchmark's own file as
// that thread, which must call `serveDynamoDbThread()` when its workerData says `{ role: 'dynamodb' }`.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parentPort, Worker } from 'node:worker_threads';
import { documentClient } from '../lib/aws/ledger-dynamodb';
import { ledgerTable } from '../test/helpers/ledger-table';

export interface LocalDynamoDb {
  endpoint: string;
  /** Where it runs: 'main' (this thread) or 'thread' (its own worker thread). */
  where: 'main' | 'thread';
  doc: ReturnType<typeof documentClient>;
  /** A document client of its own (its own connections), as each Lambda container has. */
  newDoc(): ReturnType<typeof documentClient>;
  createLedgerTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

async function listen(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  // Not `require`: esbuild would bundle what a literal require names.
  const load = createRequire(import.meta.url);
  const dynalite = load('dynalite') as (o: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The worker thread's side: listen, report the endpoint, close on `stop`. */
export async function serveDynamoDbThread(): Promise<void> {
  const { endpoint, close } = await listen();
  parentPort!.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void close().then(() => process.exit(0));
  });
  parentPort!.postMessage({ type: 'ready', endpoint });
}

export async function startDynamoDb(options: { thread?: string } = {}): Promise<LocalDynamoDb> {
  let endpoint: string;
  let stop: () => Promise<void>;
  if (options.thread) {
    const worker = new Worker(new URL(options.thread), { workerData: { role: 'dynamodb' } });
    endpoint = await new Promise<string>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: { type: string; endpoint?: string }) => m.type === 'ready' && resolve(m.endpoint!));
    });
    stop = () => new Promise<void>((resolve) => (worker.once('exit', () => resolve()), worker.postMessage({ type: 'stop' })));
  } else {
    const server = await listen();
    endpoint = server.endpoint;
    stop = server.close;
  }
  const raw = new DynamoDBClient(config(endpoint));
  return {
    endpoint,
    where: options.thread ? 'thread' : 'main',
    doc: documentClient(config(endpoint)),
    newDoc: () => documentClient(config(endpoint)),
    stop,
    createLedgerTable: async (name) => void (await raw.send(new CreateTableCommand(ledgerTable(name)))),
  };
}
