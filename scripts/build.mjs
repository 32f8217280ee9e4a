// Bundles the Lambda entry points (functions/*/handler.ts) and the CLI with esbuild, as ESM for Node 22
// (esbuild's JS API, https://esbuild.github.io/api/), and the standalone simulator. Usage: node scripts/build.mjs [cli|sim|bench|functions|all]
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
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
  const entryPoints = existsSync('functions')
    ? Object.fromEntries(
        readdirSync('functions', { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(join('functions', d.name, 'handler.ts')))
          .map((d) => [`${d.name}/handler`, join('functions', d.name, 'handler.ts')]),
      )
    : {};
  if (Object.keys(entryPoints).length > 0) {
    // Lambda bundles: the SDK is bundled (the version tested, not the one the runtime ships; and bundled it loaded
    // faster than from node_modules when measured), minified, target node24 (the Lambda runtime's major). A linked
    // source map, as template.yaml's `Sourcemap: true` makes SAM build (it also sets NODE_OPTIONS=--enable-source-maps,
    // so stack traces in CloudWatch name the TypeScript sources): the same bundle byte for byte
    // (test/integration/lambda/bundle.test.ts).
    await build({ ...common, entryPoints, outdir: 'dist/functions', minify: true, sourcemap: 'linked' });
  }
  console.error(`build: ${Object.keys(entryPoints).length} function bundle(s)`);
}
console.error(`build: ${what} in ${Date.now() - started} ms`);
