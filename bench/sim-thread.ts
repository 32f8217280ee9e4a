// The simulator in a worker thread, for benchmarks: it gets the machine's second core while the product's code runs
// on the first. A benchmark's bundle is both sides: the main thread starts a Worker on its own file
// (startSimulatorThread(import.meta.url, params)), the thread builds its simulator and serves named methods
// (serveSimulator); the simulator's EventBridge events are forwarded to the main thread when asked for.
import { Worker, parentPort } from 'node:worker_threads';
import type { EventBridgeEvent } from '../sim/records';
import type { Simulator } from '../sim/server';

export type RpcArgs = Record<string, string | number>;
export type Methods = Record<string, (args: RpcArgs) => unknown>;

/** The thread's side: answer `rpc` messages with `methods`, stop on `stop`, forward events if `forwardEvents`. */
export function serveSimulator(sim: Simulator, methods: Methods, options: { forwardEvents: boolean }): void {
  if (options.forwardEvents) sim.onEvent((event) => parentPort!.postMessage({ type: 'event', event }));
  parentPort!.on('message', (m: { type: string; id: number; method: string; args: RpcArgs }) => {
    if (m.type === 'rpc') parentPort!.postMessage({ type: 'rpc', id: m.id, result: methods[m.method]!(m.args) });
    if (m.type === 'stop') void sim.stop().then(() => process.exit(0));
  });
  parentPort!.postMessage({ type: 'ready', endpoint: sim.endpoint });
}

export interface SimThread {
  endpoint: string;
  onEvent(f: (e: EventBridgeEvent) => void): void;
  rpc<T>(method: string, args?: RpcArgs): Promise<T>;
  stop(): Promise<void>;
}

/** The main thread's side: start the benchmark's own file as the thread, resolved once its simulator listens. */
export function startSimulatorThread(benchmarkUrl: string, params: unknown): Promise<SimThread> {
  const thread = new Worker(new URL(benchmarkUrl), { workerData: params });
  const pending = new Map<number, (v: unknown) => void>();
  let listener: (e: EventBridgeEvent) => void = () => undefined;
  let nextId = 1;
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.on('message', (m: { type: string; endpoint?: string; event?: EventBridgeEvent; id?: number; result?: unknown }) => {
      if (m.type === 'event') listener(m.event!);
      else if (m.type === 'rpc') (pending.get(m.id!)!(m.result), pending.delete(m.id!));
      else if (m.type === 'ready')
        resolve({
          endpoint: m.endpoint!,
          onEvent: (f) => void (listener = f),
          rpc: <T>(method: string, args: RpcArgs = {}) =>
            new Promise<T>((res) => {
              const id = nextId++;
              pending.set(id, res as (v: unknown) => void);
              thread.postMessage({ type: 'rpc', id, method, args });
            }),
          stop: () => new Promise<void>((res) => (thread.once('exit', () => res()), thread.postMessage({ type: 'stop' }))),
        });
    });
  });
}
