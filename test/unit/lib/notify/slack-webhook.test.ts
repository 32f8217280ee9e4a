import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redact, SlackSender } from '../../../../lib/notify/slack-webhook';

const message = { text: 'hello', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hello' } }] };
let server: Server;
let url: string;
let replies: ((res: import('node:http').ServerResponse) => void)[];
let received: { path: string; body: unknown }[];

beforeEach(async () => {
  replies = [];
  received = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url!, body: JSON.parse(body) });
      const reply = replies.shift() ?? ((r) => r.end('ok'));
      reply(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000SECRET/B000SECRET/xyzSECRETxyz`;
});
afterEach(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

const status = (code: number, headers: Record<string, string> = {}) => (res: import('node:http').ServerResponse) => {
  res.writeHead(code, headers);
  res.end(code === 429 ? 'rate_limited' : 'error');
};

describe('SlackSender', () => {
  it('posts the Block Kit payload to the webhook', async () => {
    const out = await new SlackSender({ url: async () => url }).send(message);
    expect(out).toEqual({ delivered: true, attempts: 1 });
    expect(received).toEqual([{ path: '/services/T000SECRET/B000SECRET/xyzSECRETxyz', body: message }]);
  });

  it('posts to the rotated URL once the secret holds a new one, without a new sender (no redeploy)', async () => {
    let current = url;
    const sender = new SlackSender({ url: async () => current });
    await sender.send(message);
    current = url.replace('/B000SECRET/', '/B111ROTATED/');
    expect(await sender.send(message)).toEqual({ delivered: true, attempts: 1 });
    expect(received.map((r) => r.path)).toEqual(['/services/T000SECRET/B000SECRET/xyzSECRETxyz', '/services/T000SECRET/B111ROTATED/xyzSECRETxyz']);
  });

  it('waits the Retry-After Slack asks for on 429', async () => {
    const waits: number[] = [];
    replies = [status(429, { 'Retry-After': '2' })];
    const out = await new SlackSender({ url: async () => url, sleep: async (ms) => void waits.push(ms) }).send(message);
    expect(out).toEqual({ delivered: true, attempts: 2 });
    expect(waits).toEqual([2000]);
  });

  it('caps a very long Retry-After', async () => {
    const waits: number[] = [];
    replies = [status(429, { 'Retry-After': '3600' })];
    await new SlackSender({ url: async () => url, sleep: async (ms) => void waits.push(ms), maxRetryAfterSeconds: 30 }).send(message);
    expect(waits).toEqual([30_000]);
  });

  it('gives up rather than wait past the time it is allowed, leaving the message for the outbox', async () => {
    let clock = 0;
    const waits: number[] = [];
    replies = [status(429, { 'Retry-After': '20' }), status(429, { 'Retry-After': '20' })];
    const out = await new SlackSender({ url: async () => url, now: () => clock, sleep: async (ms) => void (waits.push(ms), (clock += ms)), maxRetryAfterSeconds: 30, totalMs: 30_000 }).send(message);
    expect(waits).toEqual([20_000]);
    expect(out).toMatchObject({ delivered: false, attempts: 2, error: expect.stringContaining('gave up: waiting 20 s more would pass the 30 s allowed') });
    expect(out.error).not.toContain('SECRET');
  });

  it('backs off and retries on 500s', async () => {
    const waits: number[] = [];
    replies = [status(500), status(503)];
    const out = await new SlackSender({ url: async () => url, sleep: async (ms) => void waits.push(ms) }).send(message);
    expect(out).toEqual({ delivered: true, attempts: 3 });
    expect(waits).toEqual([200, 400]);
  });

  it('gives up after the attempts, times out a silent server, and never reveals the URL', async () => {
    replies = Array.from({ length: 4 }, () => () => undefined); // never answers
    const logs: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void logs.push(a.map(String).join(' '))));
    const out = await new SlackSender({ url: async () => url, timeoutMs: 100, maxAttempts: 2, sleep: async () => undefined }).send(message);
    spies.forEach((s) => s.mockRestore());
    expect(out.delivered).toBe(false);
    expect(out.attempts).toBe(2);
    expect(out.error).toBeDefined();
    for (const text of [out.error!, ...logs]) expect(text).not.toContain('SECRET');
  });

  it('does not retry a 4xx other than 429', async () => {
    replies = [status(404)];
    const out = await new SlackSender({ url: async () => url, sleep: async () => undefined }).send(message);
    expect(out).toMatchObject({ delivered: false, attempts: 1, error: 'An HTTP protocol error occurred: statusCode = 404' });
  });

  it('reports a URL that cannot be had, without throwing', async () => {
    const out = await new SlackSender({ url: async () => { throw new Error(`secret lookup failed for ${url}`); } }).send(message);
    expect(out.delivered).toBe(false);
    expect(out.error).not.toContain('SECRET');
  });

  it('redacts webhook URLs from any text', () => {
    expect(redact('failed to POST https://hooks.slack.com/services/T1/B2/abc: boom')).toBe('failed to POST [webhook URL]: boom');
  });
});
