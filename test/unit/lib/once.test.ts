import { once } from '../../../lib/once';

describe('once: what a function loads lazily', () => {
  it('loads on first use only, and every caller shares that one load, even callers that arrive while it runs', async () => {
    let loads = 0;
    const module = once(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([module(), module()]);
    expect(await module()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it('does not keep a failed load: the next caller loads again', async () => {
    let attempts = 0;
    const module = once(async () => {
      attempts++;
      if (attempts === 1) throw new Error('chunk not found');
      return 'loaded';
    });
    await expect(module()).rejects.toThrow('chunk not found');
    await expect(module()).resolves.toBe('loaded');
    expect(attempts).toBe(2);
  });
});
