// What a Lambda artifact's cold start loads: the entry file and the chunks it imports statically, transitively (an
// esbuild split build names its chunks "./chunk-….mjs"). Its other chunks load on first use of an `import()`, if ever.
// Shared by the bundle test (what must stay out) and the bundle benchmark (what is measured).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const STATIC_IMPORT = /(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?"\.\/([^"]+)"/g;

/** File names in `dir`, the entry first, that importing `entry` loads. */
export function coldLoaded(dir: string, entry = 'handler.mjs'): string[] {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(STATIC_IMPORT)) walk(m[1]!);
  };
  walk(entry);
  return [...seen];
}
