// Policy name globs: `*` any run (empty included), `?` exactly one character, case-sensitive, whole value; and in
// time linear in the value for any glob an operator can write.
import fc from 'fast-check';
import { globStepBound, globWork, matchesAnyGlob, matchesGlob } from '../../../../lib/domain/glob';

/** The textbook dynamic program, restated independently: does glob[g..] match value[v..]? */
function referenceMatch(value: string, glob: string): boolean {
  const memo = new Map<string, boolean>();
  const at = (v: number, g: number): boolean => {
    const key = `${v},${g}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (g === glob.length) result = v === value.length;
    else if (glob[g] === '*') result = at(v, g + 1) || (v < value.length && at(v + 1, g));
    else result = v < value.length && (glob[g] === '?' || glob[g] === value[v]) && at(v + 1, g + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

describe('name globs', () => {
  it('match * and ? and nothing else specially', () => {
    expect(matchesGlob('a.b', 'a.b')).toBe(true);
    expect(matchesGlob('axb', 'a.b')).toBe(false);
    expect(matchesGlob('prod-(1)', 'prod-(?)')).toBe(true);
    expect(matchesGlob('a+b', 'a+b')).toBe(true);
    expect(matchesGlob('aab', 'a+b')).toBe(false);
    expect(matchesGlob('x\\y', 'x\\?')).toBe(true);
    expect(matchesGlob('[abc]', '[abc]')).toBe(true);
    expect(matchesGlob('a', '[abc]')).toBe(false);
  });

  it('let * match any run of characters, the empty one included', () => {
    expect(matchesGlob('prod-', 'prod-*')).toBe(true);
    expect(matchesGlob('prod-main', 'prod-*')).toBe(true);
    expect(matchesGlob('', '*')).toBe(true);
    expect(matchesGlob('', '**')).toBe(true);
    expect(matchesGlob('audit-trail-eu', '*-trail-*')).toBe(true);
    expect(matchesGlob('arn:aws:cloudtrail:us-east-1:222222222222:trail/main', 'arn:aws:cloudtrail:*:222222222222:trail/*')).toBe(true);
    expect(matchesGlob('line1\nline2', 'line1*')).toBe(true);
  });

  it('let ? match exactly one character', () => {
    expect(matchesGlob('audit1', 'audit?')).toBe(true);
    expect(matchesGlob('audit', 'audit?')).toBe(false);
    expect(matchesGlob('audit12', 'audit?')).toBe(false);
    expect(matchesGlob('', '?')).toBe(false);
    expect(matchesGlob('ab', '?*?')).toBe(true);
    expect(matchesGlob('a', '?*?')).toBe(false);
  });

  it('match the whole name, case-sensitively', () => {
    expect(matchesGlob('prod-main', 'prod')).toBe(false);
    expect(matchesGlob('my-prod', 'prod*')).toBe(false);
    expect(matchesGlob('Prod-main', 'prod-*')).toBe(false);
    expect(matchesGlob('prod-main', 'prod-mai')).toBe(false);
    expect(matchesGlob('', '')).toBe(true);
    expect(matchesGlob('x', '')).toBe(false);
  });

  it('match when any of a list matches', () => {
    expect(matchesAnyGlob('audit1', ['prod-*', 'audit?'])).toBe(true);
    expect(matchesAnyGlob('dev', ['prod-*', 'audit?'])).toBe(false);
    expect(matchesAnyGlob('dev', [])).toBe(false);
  });

  it('agree with a reference matcher on random short names and globs', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'b', '-', '.'), maxLength: 12 });
    const glob = fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', '*', '?'), maxLength: 8 });
    fc.assert(
      fc.property(name, glob, (v, g) => matchesGlob(v, g) === referenceMatch(v, g)),
      { numRuns: 5000 },
    );
  });

  it('take at most (name + 1) x (glob + 1) steps on a glob built to backtrack (many stars, a long name that almost matches)', () => {
    // The regex this replaced took about a minute on the first case alone: exponential, not bounded by the lengths.
    const cases: [string, string, boolean][] = [
      ['a'.repeat(128), '*a*a*a*a*a*a*b', false],
      ['a'.repeat(1000), `${'*a'.repeat(40)}*b`, false],
      ['a'.repeat(128), '*a*a*a*a*a*a*', true],
    ];
    for (const [name, glob, expected] of cases) {
      const before = globWork.steps;
      expect(matchesGlob(name, glob)).toBe(expected);
      expect(globWork.steps - before).toBeLessThanOrEqual(globStepBound(name.length, glob.length));
    }
  });
});
