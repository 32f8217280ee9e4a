/**
 * Name globs for policy selection: `*` matches any run of characters (empty included), `?` exactly one; every other
 * character matches itself, case-sensitively, and a glob matches the whole value. Pure.
 * Kept deliberately smaller than shell globs: source names and ARNs have no path semantics.
 *
 * No regular expressions: a glob is operator input, and `.*` runs backtrack catastrophically (`*a*a*a*a*a*a*b`
 * against 128 `a`s took about a minute). Two pointers with a single backtrack point (the last `*` seen) are
 * O(value × glob) in the worst case and linear for the usual `prefix-*` globs.
 */

/**
 * Steps taken by every match so far: the tests bound the work (at most (value + 1) × (glob + 1) steps a match), not the
 * time, which a loaded machine stretches.
 */
export const globWork = { steps: 0 };

/** The most steps matchesGlob may take on these lengths. */
export const globStepBound = (valueLength: number, globLength: number): number => (valueLength + 1) * (globLength + 1) + globLength;

export function matchesGlob(value: string, glob: string): boolean {
  let v = 0;
  let g = 0;
  // Where the last `*` was in the glob, and the value position it is currently made to end before.
  let star = -1;
  let starEnd = 0;
  while (v < value.length) {
    globWork.steps++;
    const c = glob[g];
    if (c === '*') {
      star = g++;
      starEnd = v;
    } else if (c !== undefined && (c === '?' || c === value[v])) {
      v++;
      g++;
    } else if (star >= 0) {
      // Let the last `*` swallow one more character and retry what follows it. Earlier stars never need
      // revisiting: whatever an earlier star could absorb, the last one can absorb as well.
      g = star + 1;
      v = ++starEnd;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') {
    globWork.steps++;
    g++;
  }
  return g === glob.length;
}

export const matchesAnyGlob = (value: string, globs: readonly string[]): boolean => globs.some((g) => matchesGlob(value, g));
