/**
 * Name globs for policy selection: `*` matches any run of characters, `?` exactly one. Pure.
 * Kept deliberately smaller than shell globs: source names and ARNs have no path semantics.
 */

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    cache.set(glob, re);
  }
  return re;
}

export const matchesGlob = (value: string, glob: string): boolean => globToRegExp(glob).test(value);
export const matchesAnyGlob = (value: string, globs: readonly string[]): boolean => globs.some((g) => matchesGlob(value, g));
