import { runDemo } from '../../../cli/demo';
import { NOW } from '../../helpers/builders';

describe('the demo', () => {
  it('shows every kind of finding on the sample organization, computed by the decision core', () => {
    const lines: string[] = [];
    expect(runDemo({ format: 'table', write: (l) => lines.push(l), now: NOW })).toBe(0);
    const text = lines.join('\n');
    for (const status of ['COMPLIANT', 'OUT-OF-SCOPE', 'DRIFTED', 'NOT-REMEDIABLE', 'EXEMPT', 'PENDING-FIRST-DELIVERY']) expect(text).toContain(`  ${status}: `);
    expect(text).toContain('Insights clock after repair: pending first delivery until 2026-11-28T12:00:00.000Z');
    expect(lines.at(-1)).toBe('summary: 1 compliant, 1 out-of-scope, 4 drifted, 1 not-remediable, 1 exempt, 1 pending-first-delivery; 5 planned write(s)');
  });
});
