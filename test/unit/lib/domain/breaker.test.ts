import { breakerVerdict, emptyBreaker, markNotified, recordRepair } from '../../../../lib/domain/breaker';

const policy = { maxRepairs: 3, windowMs: 60 * 60_000 };
const at = (min: number) => new Date(Date.parse('2026-11-21T12:00:00Z') + min * 60_000);

describe('the circuit breaker', () => {
  it('stays closed below the limit', () => {
    let s = emptyBreaker();
    s = recordRepair(s, at(0), 'alice', policy);
    s = recordRepair(s, at(1), 'alice', policy);
    expect(breakerVerdict(s, at(2), policy)).toEqual({ open: false, actors: ['alice'], notify: false });
  });

  it('opens at the limit, names who keeps reverting, and notifies once per open period', () => {
    let s = emptyBreaker();
    for (const [m, who] of [[0, 'alice'], [5, 'bob'], [10, 'alice']] as const) s = recordRepair(s, at(m), who, policy);
    const v = breakerVerdict(s, at(11), policy);
    expect(v).toMatchObject({ open: true, actors: ['alice', 'bob'], until: at(60).toISOString(), notify: true });
    s = markNotified(s, v);
    expect(breakerVerdict(s, at(12), policy).notify).toBe(false);
  });

  it('closes when the oldest repair of the last few leaves the window', () => {
    let s = emptyBreaker();
    for (const m of [0, 5, 10]) s = recordRepair(s, at(m), 'alice', policy);
    expect(breakerVerdict(s, at(59), policy).open).toBe(true);
    expect(breakerVerdict(s, at(60), policy).open).toBe(false);
  });

  it('forgets repairs older than the window when recording', () => {
    let s = emptyBreaker();
    s = recordRepair(s, at(0), undefined, policy);
    s = recordRepair(s, at(120), 'alice', policy);
    expect(s.repairs).toEqual([{ at: at(120).toISOString(), actor: 'alice' }]);
  });
});
