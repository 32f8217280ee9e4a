import { createProgress, formatEta } from '../../../cli/progress';

function recorder(tty: boolean, total: number) {
  let t = 0;
  const out: string[] = [];
  const progress = createProgress({ total, tty, write: (s) => out.push(s), now: () => t, width: 10 });
  return { out, progress, tick: (ms: number) => void (t += ms) };
}

describe('sweep progress', () => {
  it('redraws one bar in place on a terminal, with account-regions done of total and an ETA from the pace so far', () => {
    const { out, progress, tick } = recorder(true, 4);
    tick(2000);
    progress.done('a');
    expect(out.at(-1)).toBe('\r[###.......] 1/4 account-regions  ETA 6s   ');
    tick(2000);
    progress.done('b');
    expect(out.at(-1)).toBe('\r[#####.....] 2/4 account-regions  ETA 4s   ');
    progress.done('c');
    progress.done('d');
    progress.finish();
    expect(out.at(-1)).toBe('\r[##########] 4/4 account-regions in 4s\n');
    expect(out.every((l) => l.startsWith('\r'))).toBe(true);
  });

  it('prints plain lines every tenth of the way when stderr is not a terminal, and none for the finish', () => {
    const { out, progress, tick } = recorder(false, 25);
    for (let i = 0; i < 25; i++) {
      tick(100);
      progress.done(String(i));
    }
    progress.finish();
    expect(out).toHaveLength(9);
    expect(out[0]).toBe('sweep: 3/25 account-regions (ETA 2s)\n');
    expect(out.at(-1)).toBe('sweep: 25/25 account-regions\n');
    expect(out.some((l) => l.includes('\r'))).toBe(false);
  });

  it('says ETAs the way people read them', () => {
    expect([formatEta(400), formatEta(59_000), formatEta(61_000), formatEta(3_725_000)]).toEqual(['0s', '59s', '1m01s', '1h02m']);
  });
});
