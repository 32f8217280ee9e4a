// Bundles the Lambda entry points (functions/*/handler.ts) and the CLI with esbuild, as ESM for Node 22
// (esbuild's JS API, https://esbuild.github.io/api/), and the standalone simulator. Usage: node scripts/build.mjs [cli|sim|bench|functions|all]
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const what = process.argv[2] ?? 'all';
if (!['cli', 'sim', 'bench', 'functions', 'all'].includes(what)) {
  console.error(`build: unknown target "${what}" (expected cli, sim, bench, functions or all)`);
  process.exit(2);
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  sourcemap: 'external',
  sourcesContent: false,
  legalComments: 'none',
  loader: { '.yaml': 'text' },
  logLevel: 'warning',
  // CJS dependencies bundled into ESM (@slack/webhook, parts of Powertools) call require() for Node built-ins: give
  // the bundle one, or they fail at load with "Dynamic require of ... is not supported".
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

/** esbuild `alias` of the Lambda bundles (and only theirs): resolved from the working directory, the repository root. */
const LAMBDA_ALIAS = {
  '@aws-sdk/credential-provider-node': './lib/aws/lambda-credentials.ts',
  bowser: './lib/aws/lambda-absent.ts',
  '@smithy/core/event-streams': './lib/aws/lambda-absent.ts',
};

const started = Date.now();
if (what === 'cli' || what === 'all') {
  await build({ ...common, entryPoints: { cli: 'cli/main.ts' }, outdir: 'dist', banner: { js: `#!/usr/bin/env node\n${common.banner.js}` } });
}
if (what === 'sim' || what === 'all') {
  await build({ ...common, entryPoints: { sim: 'sim/main.ts' }, outdir: 'dist', banner: { js: `#!/usr/bin/env node\n${common.banner.js}` } });
}
if (what === 'bench') {
  const entryPoints = Object.fromEntries(readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).map((f) => [f.replace(/\.bench\.ts$/, ''), join('bench', f)]));
  await build({ ...common, entryPoints, outdir: 'dist/bench' });
}
if (what === 'functions' || what === 'all') {
  const names = existsSync('functions')
    ? readdirSync('functions', { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join('functions', d.name, 'handler.ts')))
        .map((d) => d.name)
    : [];
  // Lambda bundles: the SDK is bundled (the version tested, not the one the runtime ships; and bundled it loaded
  // faster than from node_modules when measured), minified, target node24 (the Lambda runtime's major). A linked
  // source map, as template.yaml's `Sourcemap: true` makes SAM build (it also sets NODE_OPTIONS=--enable-source-maps,
  // so stack traces in CloudWatch name the TypeScript sources): the same files byte for byte
  // (test/integration/lambda/bundle.test.ts). The SDK's default credential chain is replaced by the environment's
  // credentials, all a Lambda function has (lib/aws/lambda-credentials.ts). Split: what a function imports with
  // `await import()` (an opt-in feature) is a chunk beside handler.mjs, loaded on first use, not at cold start. One
  // build per function, as SAM builds them, so that no chunk is shared between two functions' artifacts.
  rmSync('dist/functions', { recursive: true, force: true });
  for (const name of names) {
    await build({ ...common, entryPoints: [join('functions', name, 'handler.ts')], outdir: join('dist/functions', name), minify: true, sourcemap: 'linked', splitting: true, alias: LAMBDA_ALIAS });
  }
  console.error(`build: ${names.length} function bundle(s)`);
}
console.error(`build: ${what} in ${Date.now() - started} ms`);
