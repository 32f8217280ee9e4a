// npm audit for CI (.ci/run): the runtime tree (what the Lambda bundles are built from) must have no known high or
// critical advisory; the whole tree, dev tools included, is audited and reported. A registry that does not answer the
// audit endpoint (mirrors often do not: 404/405) is reported as such and is not a failure: the check ran where it could.
import { spawnSync } from 'node:child_process';

/** What one `npm audit --json` run says: not answered (and why), or the counts and the high/critical packages. */
function judge(stdout, stderr, status) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    return { answered: false, why: (stderr || stdout || `npm audit exited ${status}`).trim().split('\n')[0] };
  }
  if (report.error || report.statusCode || report.message) return { answered: false, why: report.message ?? report.error?.summary ?? 'the audit endpoint returned an error' };
  const severe = Object.entries(report.vulnerabilities ?? {}).filter(([, x]) => x.severity === 'high' || x.severity === 'critical');
  return { answered: true, counts: report.metadata?.vulnerabilities ?? {}, severe: severe.map(([name, x]) => `${name} (${x.severity})`) };
}

let failed = false;
for (const [label, omitDev] of [['runtime tree (--omit=dev)', true], ['whole tree (dev included)', false]]) {
  const out = spawnSync('npm', ['audit', '--json', ...(omitDev ? ['--omit=dev'] : [])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const r = judge(out.stdout, out.stderr, out.status);
  if (!r.answered) {
    console.log(`npm audit, ${label}: not answered by the registry (${r.why}); skipped`);
    continue;
  }
  const c = r.counts;
  console.log(`npm audit, ${label}: ${c.critical ?? 0} critical, ${c.high ?? 0} high, ${c.moderate ?? 0} moderate, ${c.low ?? 0} low${r.severe.length ? `: ${r.severe.join(', ')}` : ''}`);
  if (omitDev && r.severe.length) failed = true;
}
if (failed) {
  console.error('npm audit: the runtime tree has a known high or critical advisory (listed above)');
  process.exit(1);
}
