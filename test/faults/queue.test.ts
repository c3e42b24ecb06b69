import { describe, expect, it } from 'vitest';
import { EdgewatchError } from '../../src/errors.ts';
import { weather, withoutLabel } from '../browser/weatherData.ts';
import { day, runtime, serve } from './harness.ts';

describe('bounded queue', () => {
  it('a flood of predict() calls past batch.maxQueued gets QUEUE_FULL (typed, at once); what was taken is answered; then it serves again', async () => {
    const registry = await serve();
    const model = await runtime(registry.url, { batch: { maxQueued: 50 } })
      .model('weather')
      .ready();
    const calls = Array.from({ length: 2000 }, (_, i) =>
      model.predict(withoutLabel(weather[i % weather.length])).then(
        (p) => ({ ok: true as const, version: p.version }),
        (error: EdgewatchError) => ({ ok: false as const, error }),
      ),
    );
    const answers = await Promise.all(calls);
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      if (a.ok) continue;
      expect(a.error).toBeInstanceOf(EdgewatchError);
      expect(a.error.code).toBe('QUEUE_FULL');
    }
    const answered = answers.filter((a) => a.ok);
    expect(answered.length).toBeGreaterThanOrEqual(50);
    expect(answered.every((a) => a.ok && a.version === '1')).toBe(true);
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });
});
