import { afterEach, describe, expect, it } from 'vitest';
import '../../src/components/index.ts';
import type { EdgeModel, EdgeModelEventMap } from '../../src/components/EdgeModel.ts';
import { REGISTRY, weather, withoutLabel } from './weatherData.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

function mount(attributes: Record<string, string>): EdgeModel {
  const element = document.createElement('edge-model');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  return element;
}

describe('<edge-model>', () => {
  it('renders, fires activated, and predict() resolves and shows the result', async () => {
    const element = mount({ registry: REGISTRY, name: 'weather', backends: 'wasm' });
    const activated = new Promise<EdgeModelEventMap['activated']>((resolve) => element.addEventListener('activated', resolve, { once: true }));
    await element.ready();
    expect((await activated).detail).toMatchObject({ name: 'weather', version: '1', backend: 'wasm' });
    await element.updateComplete;
    expect(element.getAttribute('status')).toBe('ready');
    expect(element.shadowRoot?.querySelector('[part=status]')?.textContent).toContain('v1 on wasm');

    const day = weather.find((r) => r.date === '2014-12-06') ?? weather[1000];
    const prediction = await element.predict(withoutLabel(day));
    expect(prediction.version).toBe('1');
    expect(prediction.scores).toHaveLength(5);
    await element.updateComplete;
    const rows = element.shadowRoot?.querySelectorAll('[part=prediction] .row');
    expect(rows).toHaveLength(5);
    expect(element.shadowRoot?.querySelector('.best')?.textContent).toContain(prediction.label as string);
  });

  it('reflects status="error" and fires error for an unknown model', async () => {
    const element = mount({ registry: REGISTRY, name: 'no-such-model', backends: 'cpu' });
    const failed = new Promise<EdgeModelEventMap['error']>((resolve) => element.addEventListener('error', resolve, { once: true }));
    expect((await failed).detail.error.code).toBe('UNKNOWN_MODEL');
    await element.updateComplete;
    expect(element.getAttribute('status')).toBe('error');
    expect(element.shadowRoot?.querySelector('[role=alert]')?.textContent).toContain('UNKNOWN_MODEL');
  });

  it('types its events, and a removed listener hears nothing', async () => {
    const element = mount({ registry: REGISTRY, name: 'weather', backends: 'cpu' });
    const removed: string[] = [];
    const kept: string[] = [];
    // Typed: `detail` is the runtime's ActivatedDetail, no cast.
    const early = (event: EdgeModelEventMap['activated']) => removed.push(event.detail.version);
    element.addEventListener('activated', early);
    const heard = new Promise<void>((resolve) =>
      element.addEventListener('activated', (event) => {
        kept.push(`${event.detail.name}@${event.detail.version} on ${event.detail.backend}`);
        resolve();
      }),
    );
    element.removeEventListener('activated', early);
    await element.ready();
    await heard;
    expect(kept).toEqual(['weather@1 on cpu']);
    expect(removed).toEqual([]);
  });
});
