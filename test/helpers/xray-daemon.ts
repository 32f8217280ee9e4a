// An X-Ray daemon stand-in: a UDP socket on 127.0.0.1 (a random port) keeping every datagram it receives, and the
// environment Lambda sets for a function with `Tracing: Active` (AWS_XRAY_DAEMON_ADDRESS, _X_AMZN_TRACE_ID,
// AWS_XRAY_CONTEXT_MISSING), so that whatever an X-Ray SDK or Tracer in the code would send lands here.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

export interface XRayDaemon {
  /** `127.0.0.1:<port>`, the value of AWS_XRAY_DAEMON_ADDRESS. */
  address: string;
  /** Every datagram received, as text (a daemon datagram is a JSON header line, then a segment document). */
  datagrams: string[];
  /** Sends one datagram to the daemon from outside the code under test and waits until it was received. */
  probe(text: string): Promise<void>;
  /** Sets Lambda's tracing environment; returns what puts the previous one back. */
  tracingEnv(): () => void;
  stop(): Promise<void>;
}

/** A trace header as Lambda passes it in _X_AMZN_TRACE_ID: a sampled root and the function segment as parent. */
export function lambdaTraceHeader(now = Date.now()): string {
  const root = `1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}

export async function startXRayDaemon(): Promise<XRayDaemon> {
  const socket = createSocket('udp4');
  const datagrams: string[] = [];
  const waiting: { text: string; resolve: () => void }[] = [];
  socket.on('message', (buf) => {
    const text = buf.toString('utf8');
    datagrams.push(text);
    for (const w of waiting.filter((x) => x.text === text)) w.resolve();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  const address = `127.0.0.1:${port}`;
  return {
    address,
    datagrams,
    probe: (text) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ text, resolve });
        const sender = createSocket('udp4');
        sender.send(text, port, '127.0.0.1', (err) => {
          sender.close();
          if (err) reject(err);
        });
      }),
    tracingEnv: () => {
      const values: Record<string, string> = { AWS_XRAY_DAEMON_ADDRESS: address, _X_AMZN_TRACE_ID: lambdaTraceHeader(), AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR' };
      const before = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
      Object.assign(process.env, values);
      return () => {
        for (const [k, v] of Object.entries(before)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      };
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
