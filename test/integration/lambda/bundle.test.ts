// The esbuild bundle Lambda runs: ESM, SDK included, loads in plain Node without node_modules quirks.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'functions'], { cwd: root, stdio: 'pipe' });
});

it.each(['on-cloudtrail-change', 'drift-sweep', 'sweep-worker'])('bundles %s as an ESM module exporting handler', (name) => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(root, `dist/functions/${name}/handler.mjs`))}); console.log(typeof m.handler);`], { cwd: root, encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } });
  expect(out.trim().split('\n').pop()).toBe('function');
});
