// The Slack webhook URL is a secret: whoever knows its path can post to the channel. This file proves that it never
// leaves the two places that must hold it (the Secrets Manager answer and the request to Slack): no trace (X-Ray daemon
// datagram), log line, EMF metric, error (thrown, or a delivery's error text), DynamoDB item (ledger, idempotency,
// sweep), handler or sweep result, Slack message (the digest is the sweep's report to people) or AWS call holds it,
// whole, as a path, as any of its secret segments or encoded, even when Slack fails in every way it does (5xx, 429 with
// Retry-After, a dropped connection, 404 no_service, a fetch error naming the URL) and the failures are logged and the
// messages kept in the ledger's outbox. (The CLI's `report` renders CLI sweep results, which never involve Slack.)
//
// The functions run as deployed, in-process: the event function through `wire` + `depsFromConfig`, the drift sweep's
// and the sweep worker's handlers with the worker's digest wired as functions/sweep-worker/handler.ts wires it, all
// loaded afresh with Lambda's tracing environment (an X-Ray daemon stand-in on 127.0.0.1 UDP), Powertools logs at DEBUG
// and EMF metrics on, writing to process.stdout as in Lambda, so everything they print is caught.
// The URL reaches them the production way: SLACK_WEBHOOK_SECRET names a secret, read through Powertools parameters
// from a Secrets Manager stand-in (AWS_ENDPOINT_URL_SECRETS_MANAGER). hooks.slack.com is a local Slack stand-in behind
// fetch, and a fetch error is rewritten to name hooks.slack.com as it would in production, so any error text carrying
// a URL carries the secret one. DynamoDB is dynalite, AWS the simulator, SQS the simulated queue.
//
// Tracing is Lambda's own (`Tracing: Active`, lib/observability.ts): no X-Ray SDK or Powertools Tracer is installed,
// so no code path could record the request to Slack as a subsegment; the last test holds that.
import * as ct from '@aws-sdk/client-cloudtrail';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { format } from 'node:util';
import type { Simulator } from '../../../sim/server';
import { SimulatedQueue, runEventSourceMapping } from '../../../sim/sqs-queue';
import { startDynalite } from '../../helpers/dynalite';
import { MGMT, PROD, ROLE, startSim, trailArn } from '../../helpers/sim';
import { startXRayDaemon, type XRayDaemon } from '../../helpers/xray-daemon';
import { loadTemplates } from '../../unit/infra/templates';
import { parsePolicy } from '../../../lib/policy/load';
import { runtimePolicyText } from '../../../lib/runtime-policy';

const root = join(__dirname, '../../..');

// The webhook: a realistic URL whose path is the credential, with recognisable segments and a random token.
const TOKEN = Array.from(randomBytes(24), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('');
const SLACK_ORIGIN = 'https://hooks.slack.com';
const WEBHOOK_PATH = `/services/T0SECRET/B0SECRET/${TOKEN}`;
const WEBHOOK_URL = `${SLACK_ORIGIN}${WEBHOOK_PATH}`;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:insights-remediator/slack-webhook-Ab12Cd';
/** Every form the secret could leak in: whole, as a path, each secret segment, encoded. */
const NEEDLES = [
  WEBHOOK_URL,
  WEBHOOK_PATH,
  'T0SECRET',
  'B0SECRET',
  TOKEN,
  encodeURIComponent(WEBHOOK_URL),
  encodeURIComponent(WEBHOOK_PATH),
  Buffer.from(WEBHOOK_URL).toString('base64'),
  Buffer.from(WEBHOOK_PATH).toString('base64'),
  Buffer.from(TOKEN).toString('base64').replace(/=+$/, ''),
  Buffer.from(TOKEN).toString('hex'),
];
const leaks = (text: string) => NEEDLES.filter((n) => text.includes(n));

/** How Slack answers a POST; `unparsable`: no request is made, fetch fails the way Node's words an unparsable URL. */
type Answer = 'ok' | 'serverError' | 'rateLimited' | 'drop' | 'noService' | 'unparsable';
interface Post {
  path: string;
  body: string;
  answer: Answer | 'wrong path';
}

/** Slack's incoming webhook: answers each POST on the secret path with the next scripted answer ('ok' once none is left). */
async function startSlack(script: Answer[]) {
  const posts: Post[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const answer = req.url === WEBHOOK_PATH && req.method === 'POST' ? (script.shift() ?? 'ok') : 'wrong path';
      posts.push({ path: req.url ?? '', body, answer });
      if (answer === 'drop') return void req.socket.destroy();
      const [status, headers, text] = (
        {
          ok: [200, {}, 'ok'],
          serverError: [500, {}, 'internal_error'],
          rateLimited: [429, { 'Retry-After': '1' }, 'rate_limited'],
          noService: [404, {}, 'no_service'],
          'wrong path': [404, {}, 'no_service'],
          unparsable: [400, {}, 'invalid_payload'],
        } as const
      )[answer];
      res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { posts, script, base, stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/** Secrets Manager: GetSecretValue of the webhook secret answers the URL (what `aws secretsmanager create-secret` stored). */
async function startSecretsManager() {
  const asked: { target: string; secretId: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const secretId = String((JSON.parse(body || '{}') as { SecretId?: string }).SecretId);
      asked.push({ target, secretId });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target === 'secretsmanager.GetSecretValue' && secretId === SECRET_ARN)
        res.end(JSON.stringify({ ARN: SECRET_ARN, Name: 'insights-remediator/slack-webhook', VersionId: 'v1', SecretString: WEBHOOK_URL, VersionStages: ['AWSCURRENT'], CreatedDate: 1_764_000_000 }));
      else res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { asked, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/** An error with the stand-in's address put back to hooks.slack.com, along its cause chain, as production would see it. */
function asFromSlack(e: unknown, base: string): unknown {
  for (let x = e as { message?: string; stack?: string; cause?: unknown } | undefined, depth = 0; x && typeof x === 'object' && depth < 10; x = x.cause as typeof x, depth++) {
    try {
      if (typeof x.message === 'string') x.message = x.message.split(base).join(SLACK_ORIGIN);
      if (typeof x.stack === 'string') x.stack = x.stack.split(base).join(SLACK_ORIGIN);
    } catch {
      // a read-only property: left as it is
    }
  }
  return e;
}

const errorText = (e: unknown): string => {
  const parts: string[] = [];
  for (let x = e as { message?: unknown; stack?: unknown; cause?: unknown } | undefined, depth = 0; x !== undefined && x !== null && depth < 10; x = typeof x === 'object' ? (x.cause as typeof x) : undefined, depth++)
    parts.push(typeof x === 'object' ? `${String(x.message)}\n${String(x.stack)}\n${format('%o', x)}` : String(x));
  return parts.join('\n');
};

const ENV = ['POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_LOG_LEVEL', 'AWS_LAMBDA_LOG_LEVEL', 'POWERTOOLS_DEV', 'POWERTOOLS_LOGGER_LOG_EVENT', 'AWS_ENDPOINT_URL_SECRETS_MANAGER'] as const;
// The validated runtime form the functions read (insights-remediator validate-policy FILE --output policy.json).
const POLICY = runtimePolicyText(parsePolicy('version: 1\nmode: enforce\nscope: {regions: {include: [us-east-1, eu-west-1]}}\n'));
const context = { functionName: 'insights-remediator', awsRequestId: 'req-webhook-secret', getRemainingTimeInMillis: () => 60_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f' } as unknown as Context;

type EventFunction = typeof import('../../../functions/on-cloudtrail-change/handler');
type WorkerFunction = typeof import('../../../functions/sweep-worker/handler');
type SchedulerFunction = typeof import('../../../functions/drift-sweep/handler');
type DeliveryResult = import('../../../lib/notify/slack-webhook').DeliveryResult;

/** What the run left behind, by where it went. */
const captured = {
  datagrams: [] as string[],
  output: [] as string[],
  errors: [] as string[],
  deliveries: [] as (DeliveryResult & { by: string })[],
  items: {} as Record<string, Record<string, unknown>[]>,
  /** Ledger items right after the event function's invocations, before the digest cleared the outbox. */
  ledgerAfterEvents: [] as Record<string, unknown>[],
  results: [] as unknown[],
  awsCalls: '',
};
let posts: Post[] = [];
let secretAsks: { target: string; secretId: string }[] = [];
let traceHeader = '';
let probe = '';

let daemon: XRayDaemon;
let sim: Simulator;
let db: Awaited<ReturnType<typeof startDynalite>>;
let slack: Awaited<ReturnType<typeof startSlack>>;
let secrets: Awaited<ReturnType<typeof startSecretsManager>>;

beforeAll(async () => {
  daemon = await startXRayDaemon();
  probe = `{"format": "json", "version": 1}\n{"name":"probe","id":"${randomBytes(8).toString('hex')}"}`;
  await daemon.probe(probe); // the stand-in hears what is sent to AWS_XRAY_DAEMON_ADDRESS
  sim = await startSim();
  db = await startDynalite();
  await db.createTables('ledger', 'idempotency');
  await new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }).send(
    new CreateTableCommand({ TableName: 'sweeps', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] }),
  );
  // The first repair's message: delivered. The second's: 500, 429 (Retry-After 1 s), the connection dropped, then a
  // fetch error naming the URL: undelivered after 4 attempts. The refused repair's: 404 no_service, not retried. The
  // digest when the sweep completes: dropped, 500, 500, dropped (undelivered); the digest at the sweep's deadline: 404
  // (undelivered, the finalize message fails for SQS to deliver it again); on that redelivery: delivered.
  slack = await startSlack(['ok', 'serverError', 'rateLimited', 'drop', 'unparsable', 'noService', 'drop', 'serverError', 'serverError', 'drop', 'noService']);
  secrets = await startSecretsManager();

  const env = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  const restoreTracing = daemon.tracingEnv();
  traceHeader = process.env._X_AMZN_TRACE_ID!;
  Object.assign(process.env, {
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    AWS_LAMBDA_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_DEV: 'false', // as in Lambda: Powertools writes to process.stdout through its own Console
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
  });

  // Everything printed, whichever way: process.stdout/stderr (Powertools' Console) and console.* (the batch utility).
  const spies: { mockRestore(): void }[] = [];
  for (const stream of [process.stdout, process.stderr])
    spies.push(jest.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => (captured.output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as never));
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) spies.push(jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void captured.output.push(format(...args))));
  // hooks.slack.com is the local stand-in, for Slack's requests only (the AWS SDK does not use fetch).
  const realFetch = globalThis.fetch;
  const foreign: string[] = [];
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(`${SLACK_ORIGIN}/`)) {
      foreign.push(url);
      return realFetch(input, init);
    }
    if (slack.script[0] === 'unparsable') {
      slack.script.shift();
      slack.posts.push({ path: url.slice(SLACK_ORIGIN.length), body: String(init?.body), answer: 'unparsable' });
      // undici: `throw new TypeError('Failed to parse URL from ' + input, { cause })`: the one fetch error naming its URL.
      throw new TypeError(`Failed to parse URL from ${url}`, { cause: new TypeError('Invalid URL') });
    }
    try {
      return await realFetch(`${slack.base}${url.slice(SLACK_ORIGIN.length)}`, init);
    } catch (e) {
      throw asFromSlack(e, slack.base);
    }
  }) as typeof fetch;

  try {
    let eventModule!: EventFunction;
    let workerModule!: WorkerFunction;
    let schedulerModule!: SchedulerFunction;
    let mods!: {
      config: typeof import('../../../lib/config');
      clients: typeof import('../../../lib/aws/clients');
      ledger: typeof import('../../../lib/aws/ledger-dynamodb');
      sweepStore: typeof import('../../../lib/aws/sweep-store-dynamodb');
      digest: typeof import('../../../lib/notify/digest');
      webhook: typeof import('../../../lib/notify/slack-webhook');
      webhookUrl: typeof import('../../../lib/notify/webhook-url');
      observability: typeof import('../../../lib/observability');
    };
    jest.isolateModules(() => {
      eventModule = require('../../../functions/on-cloudtrail-change/handler');
      workerModule = require('../../../functions/sweep-worker/handler');
      schedulerModule = require('../../../functions/drift-sweep/handler');
      mods = {
        config: require('../../../lib/config'),
        clients: require('../../../lib/aws/clients'),
        ledger: require('../../../lib/aws/ledger-dynamodb'),
        sweepStore: require('../../../lib/aws/sweep-store-dynamodb'),
        digest: require('../../../lib/notify/digest'),
        webhook: require('../../../lib/notify/slack-webhook'),
        webhookUrl: require('../../../lib/notify/webhook-url'),
        observability: require('../../../lib/observability'),
      };
    });
    const { logger } = mods.observability;
    // The environment template.yaml gives the functions (SLACK_WEBHOOK_SECRET: the secret's ARN, not the URL).
    const config = mods.config.loadConfig({ MANAGEMENT_ACCOUNT_ID: MGMT, MEMBER_ROLE_NAME: ROLE, LEDGER_TABLE: 'ledger', IDEMPOTENCY_TABLE: 'idempotency', POLICY, SLACK_WEBHOOK_SECRET: SECRET_ARN });
    const aws = new mods.clients.AwsClients({ managementAccountId: MGMT, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: MGMT, secretAccessKey: 'x' }, budget: { readsPerSecond: 1000, writesPerSecond: 1000 } });
    const ledger = new mods.ledger.DynamoDbLedger(db.doc, 'ledger');
    const watched = <T extends { send(m: never): Promise<DeliveryResult> }>(sender: T, by: string): T => {
      const send = sender.send.bind(sender);
      sender.send = (async (m: never) => {
        const r = await send(m);
        captured.deliveries.push({ ...r, by });
        return r;
      }) as T['send'];
      return sender;
    };

    // 1. The event function, as `handler` wires it.
    const deps = eventModule.depsFromConfig(config, ledger, aws);
    // The sender is built with the first message (lib/notify/webhook-url.ts slackFromSecret): a SlackSender behind it.
    expect(deps.slack).toBeDefined();
    watched(deps.slack!, 'event function');
    const eventFunction = eventModule.wire(config, deps, db.doc);
    const events: unknown[] = [];
    sim.onEvent((e) => void events.push(e));
    const invoke = async (event: unknown) => {
      try {
        captured.results.push(await eventFunction(event as never, context));
      } catch (e) {
        captured.errors.push(errorText(e)); // Lambda retries the event
      }
    };
    const invokeAll = async () => {
      await new Promise((r) => setTimeout(r, 20));
      while (events.length) await invoke(events.shift());
    };
    const alice = new ct.CloudTrailClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'x' }, maxAttempts: 1 });
    // Alice drifts the trail that carries Insights, each time a new incident (messaged once).
    // Insights turned off: repaired, its message delivered.
    await alice.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    await invokeAll();
    // Logging stopped: repaired, its message undelivered (500, 429, dropped, a fetch error naming the URL).
    await alice.send(new ct.StopLoggingCommand({ Name: 'audit' }));
    await invokeAll();
    // Insights turned off again, and AWS refuses the repair: its message undelivered too (404 no_service).
    await alice.send(new ct.PutInsightSelectorsCommand({ TrailName: 'audit', InsightSelectors: [] }));
    const denied = sim.faults.add({ effect: 'accessDenied', service: 'cloudtrail', operation: 'PutInsightSelectors', account: PROD });
    await invokeAll();
    denied();
    // Logging stopped while CloudTrail answers 5xx to every read: the function throws, for Lambda to retry the event.
    await alice.send(new ct.StopLoggingCommand({ Name: 'audit' }));
    const failing = sim.faults.add({ effect: 'serverError', service: 'cloudtrail', account: PROD });
    await invokeAll();
    failing();
    captured.ledgerAfterEvents = ((await db.doc.send(new ScanCommand({ TableName: 'ledger' }))).Items ?? []) as Record<string, unknown>[];

    // 2. A drift sweep: the scheduler's handler starts it, the worker's handler (its digest wired as in
    // functions/sweep-worker/handler.ts) runs it on the simulated queue; the digest fails at completion, then goes out.
    const store = new mods.sweepStore.DynamoDbSweepStore(db.doc, 'sweeps');
    const queue = new SimulatedQueue(sim.clock, { visibilityTimeoutMs: 60_000, maxReceiveCount: 4 });
    const started = await schedulerModule.makeSchedulerHandler({ aws, policy: config.policy, queue, store, now: () => sim.clock.now() })({}, { awsRequestId: 'req-sweep-0001' });
    captured.results.push(started);
    const sweepSlack = watched(mods.webhookUrl.slackFromSecret(config.slackWebhookSecret!, { timeoutMs: 3000 }), 'sweep worker');
    const worker = workerModule.makeWorkerHandler({
      policy: config.policy,
      aws,
      managementAccountId: MGMT,
      now: () => sim.clock.now(),
      store,
      queue,
      ledger,
      digest: async (summary, accountRegions) => {
        const out = await mods.digest.sendSweepDigest(summary, accountRegions, { ledger, slack: sweepSlack });
        captured.results.push({ digest: out });
        return out.delivered;
      },
      log: (m, f) => logger.info(m, f),
    });
    await runEventSourceMapping(
      queue,
      sim.clock,
      async (event) => {
        try {
          const out = await worker(event as unknown as SQSEvent);
          captured.results.push(out);
          return out;
        } catch (e) {
          captured.errors.push(errorText(e));
          throw e;
        }
      },
      { batchSize: 10, concurrency: 1 },
    );
    const sweep = await store.load(started.sweepId);
    captured.results.push(sweep);
    await new Promise((r) => setTimeout(r, 200)); // a straggling datagram would arrive by now
    expect(foreign).toEqual([]);
  } finally {
    globalThis.fetch = realFetch;
    for (const s of spies.reverse()) s.mockRestore();
    restoreTracing();
    for (const k of ENV) {
      if (env[k] === undefined) delete process.env[k];
      else process.env[k] = env[k];
    }
  }
  for (const table of ['ledger', 'idempotency', 'sweeps']) captured.items[table] = ((await db.doc.send(new ScanCommand({ TableName: table }))).Items ?? []) as Record<string, unknown>[];
  captured.datagrams = [...daemon.datagrams];
  captured.awsCalls = JSON.stringify(sim.calls);
  posts = [...slack.posts];
  secretAsks = [...secrets.asked];
}, 120_000);

afterAll(async () => {
  await Promise.all([sim?.stop(), db?.stop(), slack?.stop(), secrets?.stop(), daemon?.stop()]);
});

const sinks = () => ({
  'X-Ray datagram': captured.datagrams,
  'log line or metric': captured.output,
  error: [...captured.errors, ...captured.deliveries.map((d) => d.error ?? '')],
  'ledger item': [...captured.items.ledger!, ...captured.ledgerAfterEvents].map((i) => JSON.stringify(i)),
  'idempotency item': captured.items.idempotency!.map((i) => JSON.stringify(i)),
  'sweep item': captured.items.sweeps!.map((i) => JSON.stringify(i)),
  'stored result': captured.results.map((r) => JSON.stringify(r)),
  'Slack message': posts.map((p) => p.body),
  'AWS call': [captured.awsCalls],
});

describe('the Slack webhook URL', () => {
  it('never writes the webhook URL into a trace, log line, metric, error, ledger item or report, even when Slack fails', () => {
    const found = Object.entries(sinks()).flatMap(([where, texts]) => texts.flatMap((t, i) => leaks(t).map((n) => `${where} #${i} holds ${JSON.stringify(n)}: ${t.slice(0, 300)}`)));
    expect(found).toEqual([]);
  });

  it('was really used, and what was checked really holds the failures, logs, metrics and outbox it is about', () => {
    // The URL came from the secret, through Powertools parameters, once (cached), and Slack was posted to at exactly it.
    expect(secretAsks).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN }]);
    expect(posts.map((p) => p.path)).toEqual(posts.map(() => WEBHOOK_PATH));
    // Every way of failing was served, and deliveries succeeded too.
    expect(new Set(posts.map((p) => p.answer))).toEqual(new Set(['serverError', 'rateLimited', 'drop', 'unparsable', 'noService', 'ok']));
    expect(captured.deliveries.map((d) => [d.by, d.delivered, d.attempts])).toEqual([
      ['event function', true, 1],
      ['event function', false, 4],
      ['event function', false, 1],
      ['sweep worker', false, 4],
      ['sweep worker', false, 1],
      ['sweep worker', true, 1],
    ]);
    // Errors were thrown: the event function's, for Lambda to retry (CloudTrail answering 5xx), and the sweep worker's
    // (the finalize message failed for SQS to redeliver it, the digest undelivered), with their stacks and causes.
    expect(captured.errors).toEqual([expect.stringMatching(/^222222222222\/us-east-1: InternalFailure/), expect.stringMatching(/^All records failed processing[\s\S]*the digest was not delivered; retrying/)]);
    // The error texts: redacted where the error named the URL, Slack's status or fetch's failure otherwise.
    const errors = captured.deliveries.filter((d) => !d.delivered).map((d) => d.error);
    const redacted = 'A request error occurred: Failed to parse URL from [webhook URL]: Failed to parse URL from [webhook URL]';
    const http404 = 'An HTTP protocol error occurred: statusCode = 404';
    expect(errors).toEqual([redacted, http404, expect.stringMatching(/^A request error occurred: (TypeError: )?fetch failed/), http404]);

    // The logs: Powertools JSON lines, with Lambda's trace id (the tracing environment was in effect), the repairs, and
    // each failed delivery with its error text.
    const lines = captured.output.flatMap((o) => o.split('\n')).filter((l) => l.startsWith('{'));
    const json = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const logs = json.filter((l) => typeof l.message === 'string');
    expect(logs.length).toBeGreaterThan(10);
    expect(logs.some((l) => l.xray_trace_id === /Root=([^;]+)/.exec(traceHeader)![1])).toBe(true);
    expect(logs.some((l) => l.level === 'DEBUG' || l.message === 'Lambda invocation event')).toBe(true);
    const failed = logs.filter((l) => l.message === 'slack delivery failed').map((l) => l.error);
    expect(failed).toEqual([redacted, http404]);
    expect(logs.some((l) => l.message === 'repair refused')).toBe(true);
    expect(logs.filter((l) => l.message === 'sweep complete' || l.message === 'sweep finalize').map((l) => l.outcome)).toEqual(expect.arrayContaining(['digest undelivered', 'digest sent']));

    // The metrics: EMF documents, the refused repair counted.
    const emf = json.filter((l) => '_aws' in l);
    expect(emf.map((m) => Object.keys(m))).toEqual(expect.arrayContaining([expect.arrayContaining(['eventsHandled']), expect.arrayContaining(['repairsFailed'])]));

    // The outbox kept both undelivered messages until the digest carried them; the digest cleared it.
    const owed = (items: Record<string, unknown>[]) => items.flatMap((i) => (i.record as { undelivered?: { text: string }[] } | undefined)?.undelivered ?? []).map((u) => u.text);
    const outbox = owed(captured.ledgerAfterEvents);
    expect(outbox).toEqual([expect.stringMatching(/^Insights repaired on trail `audit`/), expect.stringMatching(/refused/)]);
    const digest = posts.filter((p) => p.answer === 'ok').at(-1)!.body;
    for (const text of outbox) expect(digest).toContain(text.slice(0, 40));
    expect(owed(captured.items.ledger!)).toEqual([]);
    // The stores were written: handler results, idempotency records, the sweep's summary and digest time.
    expect(captured.results.some((r) => (r as { target?: string }).target === trailArn('audit'))).toBe(true);
    expect(captured.items.idempotency!.length).toBeGreaterThanOrEqual(3);
    expect(captured.items.sweeps!.some((i) => i.sk === '#summary')).toBe(true);
    expect(captured.items.sweeps!.some((i) => typeof i.digestSentAt === 'string')).toBe(true);

    // The daemon stand-in hears what is sent to it: the probe.
    expect(captured.datagrams).toContain(probe);
  });

  it('has no X-Ray SDK or Powertools Tracer in any function, so nothing could send the URL as a traced request', () => {
    // Lambda traces the functions itself (template.yaml Globals), which is why its tracing environment is set above.
    const [template] = loadTemplates('template.yaml') as unknown as [{ Globals: { Function: { Tracing: string } } }];
    expect(template.Globals.Function.Tracing).toBe('Active');
    // Nothing but the probe reached the daemon: no code sent a segment.
    expect(captured.datagrams).toEqual([probe]);

    const TRACERS = /(^|\/)(aws-xray-sdk[\w-]*|@aws-lambda-powertools\/tracer|@aws\/aws-distro-opentelemetry-node-autoinstrumentation)$/;
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => TRACERS.test(n))).toEqual([]);
    // The runtime dependencies, transitively, as the lock resolves them: what a bundle can contain.
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }> };
    const resolve = (name: string, from: string): string | undefined => {
      for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
        const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
        if (lock.packages[key]) return key;
        if (!dir) return undefined;
      }
    };
    const seen = new Set<string>();
    const queue = Object.keys(pkg.dependencies).map((n) => resolve(n, '')!);
    while (queue.length) {
      const key = queue.pop()!;
      if (seen.has(key)) continue;
      seen.add(key);
      const p = lock.packages[key]!;
      for (const n of Object.keys({ ...p.dependencies, ...p.optionalDependencies, ...p.peerDependencies })) {
        const dep = resolve(n, key);
        if (dep) queue.push(dep);
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    expect([...seen].some((k) => k.endsWith('node_modules/@slack/webhook'))).toBe(true);
    expect([...seen].filter((k) => TRACERS.test(k))).toEqual([]);
    // Nor is one installed at all, so no import could bundle one.
    expect(Object.keys(lock.packages).filter((k) => TRACERS.test(k))).toEqual([]);
    // And no product code opens a UDP socket or names the daemon.
    const sources = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? sources(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
    const files = ['lib', 'functions'].flatMap((d) => sources(join(root, d)));
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => /['"](node:)?dgram['"]|aws-xray-sdk|powertools\/tracer|AWS_XRAY_DAEMON_ADDRESS/.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});
