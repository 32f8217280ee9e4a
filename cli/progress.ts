// A sweep's progress on stderr (stdout stays parseable): on a terminal one bar redrawn in place with account-regions
// done of total and an ETA; elsewhere (CI logs, pipes) a plain line every tenth of the way.

export interface Progress {
  done(key: string): void;
  finish(): void;
}

export interface ProgressOptions {
  total: number;
  write: (text: string) => void;
  tty: boolean;
  /** Milliseconds, injectable for tests. */
  now?: () => number;
  width?: number;
}

export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const width = options.width ?? 30;
  const step = Math.max(1, Math.ceil(options.total / 10));
  let count = 0;
  const eta = () => (count === 0 ? '?' : formatEta(((now() - started) / count) * (options.total - count)));
  const line = () => `${count}/${options.total} account-regions`;
  return {
    done() {
      count++;
      if (options.tty) {
        const filled = options.total ? Math.round((count / options.total) * width) : width;
        options.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line()}  ETA ${eta()}   `);
      } else if (count % step === 0 || count === options.total) {
        options.write(`sweep: ${line()}${count < options.total ? ` (ETA ${eta()})` : ''}\n`);
      }
    },
    finish() {
      if (options.tty) options.write(`\r[${'#'.repeat(width)}] ${line()} in ${formatEta(now() - started)}\n`);
    },
  };
}
