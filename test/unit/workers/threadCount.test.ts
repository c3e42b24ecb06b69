import { afterEach, describe, expect, it, vi } from 'vitest';
import { storedThreadCount, threadCount } from '../../../workers/threadCount.ts';

describe('threadCount', () => {
  it('takes whole numbers of at least one, as asked', () => {
    expect(threadCount(1)).toBe(1);
    expect(threadCount(6)).toBe(6);
  });

  it('refuses anything else', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', null, undefined, {}, [2]]) expect(threadCount(bad)).toBeUndefined();
  });
});

describe('storedThreadCount', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('caps a remembered count at the device cores: a tampered row cannot start more threads than cores', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 });
    expect(storedThreadCount(1)).toBe(1);
    expect(storedThreadCount(4)).toBe(4);
    expect(storedThreadCount(5)).toBeUndefined();
    expect(storedThreadCount(100_000)).toBeUndefined();
    expect(storedThreadCount('4')).toBeUndefined();
    expect(storedThreadCount(2.5)).toBeUndefined();
  });

  it('allows one thread where the navigator is missing or says nothing', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 0 });
    expect(storedThreadCount(1)).toBe(1);
    expect(storedThreadCount(2)).toBeUndefined();
  });
});
