import { afterEach, describe, expect, it } from 'vitest';
import '../../src/components/index.ts';
import type { EdgeModel } from '../../src/components/EdgeModel.ts';
import type { OutputSpec } from '../../src/registry/Manifest.ts';
import { day, serve } from './harness.ts';

const hostile = [
  '<img src=x onerror="globalThis.__edgewatchPwned=1">',
  '<script>globalThis.__edgewatchPwned=2</script>',
  '"><svg onload="globalThis.__edgewatchPwned=3">',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a label that looks like a template literal is the point
  '${globalThis.__edgewatchPwned=4}',
  '<b>bold</b>',
];

afterEach(() => {
  document.body.innerHTML = '';
});

describe('hostile labels and names are rendered as text by <edge-model>', () => {
  it('labels from the manifest appear as their literal text; no element is created from them, nothing runs', async () => {
    const registry = await serve();
    const v1 = registry.manifest.models.weather.versions['1'];
    const outputs: OutputSpec = { kind: 'classification', labels: hostile };
    const versions = { ...registry.manifest.models.weather.versions, '1': { ...v1, outputs, goldens: undefined } };
    await registry.publish({ ...registry.manifest, models: { weather: { ...registry.manifest.models.weather, versions } } });
    const element = document.createElement('edge-model') as EdgeModel;
    element.setAttribute('registry', registry.url);
    element.setAttribute('name', 'weather');
    element.setAttribute('backends', 'cpu');
    document.body.append(element);
    await element.ready();
    const prediction = await element.predict(day);
    expect(prediction.version).toBe('1');
    expect(hostile).toContain(prediction.label);
    await element.updateComplete;
    const root = element.shadowRoot as ShadowRoot;
    const rows = [...root.querySelectorAll('[part=prediction] .row span:first-child')].map((span) => span.textContent);
    expect(rows).toEqual(hostile);
    expect(root.querySelectorAll('img, script, svg, b')).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 50)); // an onerror/onload would have fired by now
    expect((globalThis as { __edgewatchPwned?: unknown }).__edgewatchPwned).toBeUndefined();
  });

  it('a hostile model name in the error message is text too', async () => {
    const registry = await serve();
    const element = document.createElement('edge-model') as EdgeModel;
    element.setAttribute('registry', registry.url);
    element.setAttribute('name', hostile[0]);
    element.setAttribute('backends', 'cpu');
    const failed = new Promise((resolve) => element.addEventListener('error', resolve, { once: true }));
    document.body.append(element);
    await failed;
    await element.updateComplete;
    const alert = element.shadowRoot?.querySelector('[role=alert]');
    expect(alert?.textContent).toContain(hostile[0]);
    expect(element.shadowRoot?.querySelectorAll('img')).toHaveLength(0);
    expect((globalThis as { __edgewatchPwned?: unknown }).__edgewatchPwned).toBeUndefined();
  });
});
