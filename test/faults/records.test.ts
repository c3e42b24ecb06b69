import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdgewatchError } from '../../src/errors.ts';
import { rejection } from '../support/rejection.ts';
import { weather, withoutLabel } from '../browser/weatherData.ts';
import { day, release, runtime, serve } from './harness.ts';

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error as EdgewatchError }),
  );

describe('one bad record fails only its own call', () => {
  it.each([
    ['a function', (r: Record<string, unknown>) => Object.assign(r, { wind: () => 2 }), 'wind'],
    ['a Symbol', (r: Record<string, unknown>) => Object.assign(r, { temp_max: Symbol('x') }), 'temp_max'],
    [
      'a throwing getter',
      (r: Record<string, unknown>) =>
        Object.defineProperty(r, 'precipitation', {
          enumerable: true,
          get() {
            throw new Error('no');
          },
        }),
      'precipitation',
    ],
    ['a Proxy', (r: Record<string, unknown>) => new Proxy(r, {}), ''],
  ])('%s in one record of a micro-batch: INPUT_INVALID with details.field, every other call answered', async (_label, spoil, field) => {
    const registry = await serve();
    const model = await runtime(registry.url).model('weather').ready();
    for (const size of [8, 40]) {
      // 8: below the column-packing threshold (records cloned as they are); 40: packed by column.
      const records: Record<string, unknown>[] = weather.slice(0, size).map((w) => ({ ...withoutLabel(w) }));
      const bad = 3;
      records[bad] = spoil(records[bad]) as Record<string, unknown>;
      const answers = await Promise.all(records.map((r) => settle(model.predict(r as never))));
      if (field === '' && size >= 16) {
        // A Proxy over a plain record is read through when packed by column: its values are answered.
        expect(answers.every((a) => a.ok)).toBe(true);
        continue;
      }
      const failed = answers[bad];
      expect(failed.ok, `size ${size}`).toBe(false);
      if (!failed.ok) {
        expect(failed.error).toBeInstanceOf(EdgewatchError);
        expect(failed.error.code).toBe('INPUT_INVALID');
        expect(failed.error.details.field).toBe(field);
        expect(failed.error.details.row).toBe(0);
      }
      expect(answers.filter((a, i) => i !== bad && a.ok && a.value.version === '1')).toHaveLength(size - 1);
    }
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });

  it('an array request with one uncloneable record fails that request only (row within it)', async () => {
    const registry = await serve();
    const model = await runtime(registry.url).model('weather').ready();
    const good = withoutLabel(weather[0]);
    const [a, b] = await Promise.all([settle(model.predict([good, { ...good, wind: () => 1 } as never])), settle(model.predict([good, good]))]);
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.details).toMatchObject({ field: 'wind', row: 1 });
    expect(b.ok && b.value.length).toBe(2);
  });
});

describe('own properties only, real dates', () => {
  it("model('__proto__') and model('constructor') are UNKNOWN_MODEL", async () => {
    const registry = await serve();
    const rt = runtime(registry.url);
    expect((await rejection(rt.model('__proto__').ready())).code).toBe('UNKNOWN_MODEL');
    expect((await rejection(rt.model('constructor').ready())).code).toBe('UNKNOWN_MODEL');
    await expect(rt.model('weather').predict(day)).resolves.toMatchObject({ version: '1' });
  });

  it("channels.stable ['constructor', '1'] is a dangling channel (MANIFEST_INVALID at its path), not a TypeError; v1 serves", async () => {
    const registry = await serve();
    const rt = runtime(registry.url);
    const model = await rt.model('weather').ready();
    const errors: EdgewatchError[] = [];
    rt.addEventListener('error', (e) => errors.push(e.detail.error));
    await registry.publish(release(registry.manifest, ['constructor', '1']));
    await rt.checkForUpdates();
    expect(errors.map((e) => [e.code, e.details.path])).toEqual([['MANIFEST_INVALID', 'models.weather.channels.stable[0]']]);
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });

  it('2014-02-30 is INPUT_INVALID naming the date; 2016-02-29 is answered', async () => {
    const registry = await serve();
    const model = await runtime(registry.url).model('weather').ready();
    const error = await rejection(model.predict({ ...day, date: '2014-02-30' }));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details.field).toBe('date');
    await expect(model.predict({ ...day, date: '2016-02-29' })).resolves.toMatchObject({ version: '1' });
  });
});

describe('fuzzing predict()', () => {
  it('any record gets a prediction or a typed INPUT_INVALID naming a field; concurrent good calls are answered; v1 keeps serving', async () => {
    const registry = await serve();
    const model = await runtime(registry.url).model('weather').ready();
    const fields = ['date', 'precipitation', 'temp_max', 'temp_min', 'wind'];
    const hostile = fc.oneof(
      fc.anything(),
      fc.constant(() => 1),
      fc.constant(Symbol('s')),
      fc.date({ noInvalidDate: false }),
      fc.string(),
      fc.double(),
      fc.constantFrom('2014-02-30', '2014-13-01', '2014-01-01T25:00:00Z', '__proto__', 'constructor', ''),
    );
    const record = fc
      .dictionary(fc.constantFrom(...fields, '__proto__', 'constructor', 'toString', 'extra'), hostile, { maxKeys: 8 })
      .map((overrides) => ({ ...withoutLabel(weather[7]), ...overrides }));
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 24 }), async (records) => {
        const answers = await Promise.all([...records.map((r) => settle(model.predict(r as never))), settle(model.predict(day))]);
        expect(answers.at(-1)?.ok).toBe(true);
        for (const answer of answers) {
          if (answer.ok) expect(answer.value.version).toBe('1');
          else {
            expect(answer.error).toBeInstanceOf(EdgewatchError);
            expect(answer.error.code).toBe('INPUT_INVALID');
            expect(typeof answer.error.details.field).toBe('string');
          }
        }
      }),
      { numRuns: 40 },
    );
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });
});
