// scripts/audit.mjs, the CI audit step, run with a stand-in `npm` that answers like the registry would.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './templates';

/** Runs the audit script with an `npm` that prints `runtime` for --omit=dev and `whole` otherwise. */
function auditWith(runtime: unknown, whole: unknown) {
  const bin = mkdtempSync(join(tmpdir(), 'fake-npm-'));
  writeFileSync(join(bin, 'runtime.json'), JSON.stringify(runtime));
  writeFileSync(join(bin, 'whole.json'), JSON.stringify(whole));
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\ncase "$*" in *--omit=dev*) cat "${bin}/runtime.json";; *) cat "${bin}/whole.json";; esac\nexit 1\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  const out = spawnSync(process.execPath, [join(root, 'scripts/audit.mjs')], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}
const clean = { vulnerabilities: {}, metadata: { vulnerabilities: { critical: 0, high: 0, moderate: 0, low: 0 } } };
const withHigh = { vulnerabilities: { 'fast-xml-parser': { severity: 'high' } }, metadata: { vulnerabilities: { critical: 0, high: 1, moderate: 0, low: 0 } } };
const unanswered = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 };

describe('the CI audit', () => {
  it('fails on a high advisory in the runtime tree, naming the package', () => {
    const r = auditWith(withHigh, withHigh);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('runtime tree (--omit=dev): 0 critical, 1 high, 0 moderate, 0 low: fast-xml-parser (high)');
    expect(r.stderr).toContain('the runtime tree has a known high or critical advisory');
  });

  it('reports an advisory only in dev tools without failing', () => {
    const r = auditWith(clean, withHigh);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('whole tree (dev included): 0 critical, 1 high');
  });

  it('says so and passes when the registry does not answer the audit endpoint', () => {
    const r = auditWith(unanswered, unanswered);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('runtime tree (--omit=dev): not answered by the registry (405 Method Not Allowed');
  });
});
