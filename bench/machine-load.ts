// What else the machine was doing while a benchmark measured: the CPU time every process spent (/proc/stat, all cores,
// busy = user + nice + system + irq + softirq + steal) minus this process's own, its threads (the simulator's) and the
// children it waited for (/proc/self/stat utime, stime, cutime, cstime), over the measured interval. Reported as cores:
// 0.9 other cores on a 2-core machine means another process kept almost one core busy the whole time. Linux only;
// elsewhere the figures are null and say so.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Jiffies per second: USER_HZ, 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)). */
const HZ = 100;

export interface MachineLoad {
  seconds: number;
  cores: number;
  /** Other processes' CPU, in cores on average over the interval; null where /proc is missing. */
  otherCores: number | null;
  /** This benchmark's own CPU (its threads and waited-for children), in cores on average. */
  ownCores: number | null;
}

function sample(): { at: number; busy: number; own: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    // Field 2 is "(comm)", which may hold spaces: count from the closing parenthesis.
    const self = readFileSync('/proc/self/stat', 'utf8');
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    // After the comm: state is f[0], so utime (field 14) is f[11], stime f[12], cutime f[13], cstime f[14].
    const own = (f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0);
    return { at: performance.now(), busy: user + nice + system + irq + softirq + steal, own };
  } catch {
    return undefined;
  }
}

/** Starts measuring; the function returned ends the interval and gives its figures. */
export function measureLoad(): () => MachineLoad {
  const start = sample();
  return () => {
    const end = sample();
    const seconds = start && end ? (end.at - start.at) / 1000 : 0;
    const cores = cpus().length;
    if (!start || !end || seconds <= 0) return { seconds, cores, otherCores: null, ownCores: null };
    const own = (end.own - start.own) / HZ / seconds;
    const all = (end.busy - start.busy) / HZ / seconds;
    return { seconds: Number(seconds.toFixed(1)), cores, otherCores: Number(Math.max(0, all - own).toFixed(2)), ownCores: Number(own.toFixed(2)) };
  };
}

/** "other processes 0.12 of 2 cores (this run 1.71)". */
export const describeLoad = (l: MachineLoad): string =>
  l.otherCores === null ? 'machine load unknown (no /proc)' : `other processes ${l.otherCores} of ${l.cores} cores (this run ${l.ownCores})`;
