// The esbuild bundle Lambda runs: ESM, SDK included, loads in plain Node without node_modules quirks; `sam build`
// with template.yaml's Metadata produces the very same bytes; and each stays within the 1 MB limit (README "Deploy").
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { coldLoaded } from '../../helpers/cold-loaded';
import { loadTemplates, type Template } from '../../unit/infra/templates';

const root = join(__dirname, '../../..');
const NAMES = ['on-cloudtrail-change', 'drift-sweep', 'sweep-worker'];
const LIMIT = 1_000_000;
// Three levels below the repository, as `sam build`'s .aws-sam/build/<LogicalId> and dist/functions/<name> are: the
// source maps' relative paths, and so the chunks' content hashes, are then the same.
const out = join(root, '.aws-sam/bundle-test');

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'functions'], { cwd: root, stdio: 'pipe' });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const importHandler = (file: string, cwd = root) =>
  execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); console.log(typeof m.handler);`], { cwd, encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } })
    .trim()
    .split('\n')
    .pop();

/** The Node major of the template's runtime (`nodejs24.x` -> 24): the bundles must load on exactly that major. */
const runtimeMajor = () => Number(/nodejs(\d+)\.x/.exec(readFileSync(join(root, 'template.yaml'), 'utf8'))![1]);

it('loads the bundles on the Node major Lambda runs them on', () => {
  expect(Number(execFileSync(process.execPath, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim())).toBe(runtimeMajor());
});

it.each(NAMES)('bundles %s as an ESM module exporting handler', (name) => {
  expect(importHandler(join(root, `dist/functions/${name}/handler.mjs`))).toBe('function');
});

// nodejs24.x removed callback-style handlers: a function of three parameters, or one that is not async, fails at init.
it.each(NAMES)('exports %s as an async handler of at most two parameters (event, context), as nodejs24.x requires', (name) => {
  const file = join(root, `dist/functions/${name}/handler.mjs`);
  const shape = execFileSync(process.execPath, ['--input-type=module', '-e', `const { handler } = await import(${JSON.stringify(file)}); console.log(JSON.stringify({ kind: handler.constructor.name, params: handler.length }));`], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } })
    .trim()
    .split('\n')
    .pop()!;
  const { kind, params } = JSON.parse(shape) as { kind: string; params: number };
  expect(kind).toBe('AsyncFunction');
  expect(params).toBeLessThanOrEqual(2);
});

describe('sam build (template.yaml Metadata, translated as aws-lambda-builders does: scripts/sam-esbuild.mjs)', () => {
  const [template] = loadTemplates('template.yaml') as [Template];
  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');

  it('builds every function of the template, and only those', () => {
    const entries = functions.map(([, r]) => (r.Metadata!.BuildProperties as { EntryPoints: string[] }).EntryPoints).flat();
    expect(entries.sort()).toEqual(NAMES.map((n) => `functions/${n}/handler.ts`).sort());
    expect(readdirSync(join(root, 'functions')).filter((d) => statSync(join(root, 'functions', d)).isDirectory()).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('produces the same %s bundle as scripts/build.mjs, and it loads with no node_modules around', (name) => {
    const [id, fn] = functions.find(([, r]) => JSON.stringify(r.Metadata).includes(`functions/${name}/handler.ts`))!;
    const dir = join(out, id);
    const args = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', `const { esbuildArgs } = await import(${JSON.stringify(join(root, 'scripts/sam-esbuild.mjs'))}); console.log(JSON.stringify(esbuildArgs(${JSON.stringify(fn.Metadata!.BuildProperties)}, ${JSON.stringify(dir)})));`], { encoding: 'utf8' }),
    ) as string[];
    execFileSync(join(root, 'node_modules/.bin/esbuild'), args, { cwd: root, stdio: 'pipe' });
    // Handler: handler.handler -> handler.mjs at the artifact root, its chunks beside it.
    expect(fn.Properties.Handler).toBe('handler.handler');
    const ours = join(root, `dist/functions/${name}`);
    expect(readdirSync(dir).sort()).toEqual(readdirSync(ours).sort());
    for (const file of readdirSync(dir)) expect([file, readFileSync(join(dir, file)).equals(readFileSync(join(ours, file)))]).toEqual([file, true]);
    expect(importHandler(join(dir, 'handler.mjs'), dir)).toBe('function');
  });
});

describe('what a cold start loads', () => {
  // Each marker is a string only that code holds: Slack's client, Secrets Manager's operation (the webhook secret),
  // Organizations' (OU paths, targeted sweeps), SQS's batch send (the targeted-sweep queue), Security Hub's import.
  it.each([
    ['on-cloudtrail-change', '@slack/webhook'],
    ['on-cloudtrail-change', 'GetSecretValue'],
    ['on-cloudtrail-change', 'ListAccountsForParent'],
    ['on-cloudtrail-change', 'SendMessageBatch'],
    ['sweep-worker', '@slack/webhook'],
    ['sweep-worker', 'GetSecretValue'],
    ['sweep-worker', 'ListAccountsForParent'],
    ['sweep-worker', 'BatchImportFindings'],
  ])('%s loads the code holding %s on first use: a chunk of its artifact that handler.mjs does not import', (name, marker) => {
    const dir = join(root, `dist/functions/${name}`);
    const holding = readdirSync(dir).filter((f) => f.endsWith('.mjs') && readFileSync(join(dir, f), 'utf8').includes(marker));
    expect(holding.length).toBeGreaterThan(0);
    expect(coldLoaded(dir).filter((f) => holding.includes(f))).toEqual([]);
  });

  // An ESM import of node:http evaluates every export of it, and its WebSocket export loads Node's undici: about 15 ms of
  // a cold start (measured with --cpu-prof) for a module a Lambda calling AWS over https never uses.
  it.each(NAMES)('keeps node:http out of what %s loads at cold start (the SDK imports it on the first http call)', (name) => {
    const dir = join(root, `dist/functions/${name}`);
    const httpImports = coldLoaded(dir).filter((f) => /from\s*"(?:node:)?http"/.test(readFileSync(join(dir, f), 'utf8')));
    expect(httpImports).toEqual([]);
  });

  it.each(NAMES)('gives %s the environment\'s credentials only: no SSO, shared-config or process credentials in what it loads', (name) => {
    const dir = join(root, `dist/functions/${name}`);
    const loaded = coldLoaded(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(loaded).toContain('AWS_ACCESS_KEY_ID');
    expect(loaded).toContain('LambdaCredentialsError');
    for (const other of ['defaultProvider::fromSSO', 'defaultProvider::fromIni', 'defaultProvider::fromProcess', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) expect([name, other, loaded.includes(other)]).toEqual([name, other, false]);
  });
});

describe('bundle size', () => {
  it.each(NAMES)('keeps %s within 1 MB minified, every chunk counted', (name) => {
    const dir = join(root, `dist/functions/${name}`);
    const bytes = readdirSync(dir).filter((f) => f.endsWith('.mjs')).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(LIMIT);
  });

  // lib/aws/lambda-absent.ts stands in for them (esbuild alias): the SDK imports both only on paths a Lambda never takes.
  it.each(NAMES)('leaves the browser user-agent parser and the event-stream serde out of every chunk of %s', (name) => {
    const dir = join(root, `dist/functions/${name}`);
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.mjs.map'))
      .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { sources: string[] }).sources);
    expect(sources.filter((s) => s.includes('node_modules/bowser/') || s.includes('/submodules/event-streams/'))).toEqual([]);
    expect(sources.some((s) => s.endsWith('lib/aws/lambda-absent.ts'))).toBe(true);
  });

  // esbuild cannot tree-shake a namespace re-exported as a value: `import { z } from 'zod'` materialises all of zod,
  // its ~260 KB of locales included, while `import * as z from 'zod'` keeps only what is used (about 350 KB less).
  it('imports zod as a namespace in product code, which is what lets esbuild drop what the functions do not use', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
    const offenders = ['lib', 'functions'].flatMap(files).filter((f) => /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*'zod'/.test(readFileSync(join(root, f), 'utf8').replace(/import type \{[^}]*\}/g, '')));
    expect(offenders).toEqual([]);
  });
});
