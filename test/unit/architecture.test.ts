// The architecture's promises, checked on the source tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const root = join(__dirname, '../..');
function sources(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out = out.concat(sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}
const importsOf = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('architecture', () => {
  // Product code: the adapters are the only SDK users, and the simulator is a server, not a client. The harnesses
  // (test/, bench/) drive the simulator through the real SDK on purpose.
  it('only lib/aws/ imports @aws-sdk in product code', () => {
    const offenders = ['lib', 'functions', 'cli', 'sim'].flatMap(sources).filter((f) => !f.startsWith('lib/aws/') && importsOf(f).some((i) => i.startsWith('@aws-sdk/')));
    expect(offenders).toEqual([]);
  });

  it('keeps the simulator independent of the product it tests', () => {
    const offenders = sources('sim').filter((f) => importsOf(f).some((i) => /(^|\/)(lib|functions|cli)\//.test(i)));
    expect(offenders).toEqual([]);
  });

  it('keeps the decision core pure: no I/O, no AWS, no Node built-ins', () => {
    const core = [...sources('lib/domain'), ...sources('lib/policy')];
    expect(core.length).toBeGreaterThan(10);
    const impure = core.filter((f) => importsOf(f).some((i) => i.startsWith('@aws-sdk/') || i.startsWith('node:') || ['fs', 'http', 'https', 'child_process', 'net'].includes(i)));
    expect(impure).toEqual([]);
  });

  it('keeps the README folder tree current: one line per folder (test/unit mirrors lib/ and cli/)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const tree = readme.slice(readme.indexOf('## Folders'));
    const folders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(join(root, dir))) {
        const path = dir ? `${dir}/${name}` : name;
        if (['node_modules', '.git', 'dist', 'coverage', '.aws-sam'].includes(name) || !statSync(join(root, path)).isDirectory()) continue;
        folders.push(path);
        if (!path.startsWith('test/unit')) walk(path);
      }
    };
    walk('');
    expect(folders.filter((f) => !new RegExp(`^${f.replace(/[.]/g, '\\.')}/ `, 'm').test(tree))).toEqual([]);
  });

  // Users clone this repository and nothing else: no file may read or cite a folder beside the checkout.
  it('stands alone: nothing reads or cites a path outside the repository', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? (['node_modules', 'dist', 'coverage', '.git', 'vendor'].includes(d.name) ? [] : files(join(dir, d.name))) : [join(dir, d.name)],
      );
    const outside = ['README.md', 'package.json', 'jest.config.js', 'template.yaml', '.ci/run', ...['docs', 'lib', 'sim', 'cli', 'functions', 'infra', 'scripts', 'test', 'bench', 'types', 'events'].flatMap(files)]
      .filter((f) => !f.endsWith('.png'))
      .filter((f) => /\.\.\/shared\b|\.\.\/\.\.\/shared\b/.test(readFileSync(join(root, f), 'utf8')));
    expect(outside).toEqual([]);
  });

  it('gives every lib/ module a header comment saying what it owns', () => {
    const missing = sources('lib').filter((f) => !readFileSync(join(root, f), 'utf8').trimStart().startsWith('/**'));
    expect(missing).toEqual([]);
  });

  // Folders are layers: lib/domain and lib/policy at the bottom, adapters, pipeline, sweep and report above, entry
  // points on top. A cycle between folders means a layer reaches up. Type-only imports are erased at build time.
  it('has no import cycle between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const file of ['lib', 'functions', 'cli', 'sim'].flatMap(sources)) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const m of text.matchAll(/^(import|export)\s+(?!type\b)[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
        const from = dirname(file);
        const to = dirname(normalize(join(from, m[2]!)));
        if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (folder: string, path: string[]): void => {
      state.set(folder, 'open');
      for (const next of graph.get(folder) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(folder, 'done');
    };
    for (const folder of graph.keys()) if (!state.has(folder)) visit(folder, [folder]);
    expect(cycles).toEqual([]);
  });
});
