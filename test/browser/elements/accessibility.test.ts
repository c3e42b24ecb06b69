import axeSource from 'axe-core/axe.min.js?raw';
import type { AxeResults, RunOptions } from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { createEdgeRuntime } from '../../../src/index.ts';
import { uniqueDbName, weather, withoutLabel } from '../weatherData.ts';
import { buttonOf, cleanUp, mount, serve, track, until } from './support.ts';

afterEach(cleanUp);

type Axe = { run(context: Element, options: RunOptions): Promise<AxeResults> };

/** axe-core, loaded as the script it ships (its UMD build, so no bundler step is involved). */
function loadAxe(): Axe {
  const global = globalThis as { axe?: Axe };
  if (!global.axe) {
    const script = document.createElement('script');
    script.textContent = axeSource;
    document.head.append(script);
  }
  return global.axe as Axe;
}

/** Violations as readable lines, so a failure says what and where. */
const describeViolations = (results: AxeResults) =>
  results.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n').join(' ')}`));

describe('accessibility', () => {
  it('a page with all three elements rendered (a prediction, a ready status, a drift report) has no axe violations', async () => {
    const registry = await serve();
    const main = document.createElement('main');
    main.lang = 'en';
    const heading = document.createElement('h1');
    heading.textContent = 'Weather model';
    main.append(heading);
    document.body.append(main);
    const runtime = track(createEdgeRuntime({ registry: registry.url, backends: ['cpu'], dbName: uniqueDbName('a11y'), updateIntervalMs: 0 }));
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime }, main);
    const status = mount('edge-model-status', { for: 'm' }, {}, main);
    const report = mount('edge-drift-report', { for: 'm' }, {}, main);
    const predictions = await model.predict(weather.filter((r) => r.date >= '2014-06-01' && r.date < '2014-09-01').map(withoutLabel));
    // A few labels, so the quality-over-time chart is drawn too.
    for (const p of predictions.slice(0, 20)) await model.feedback(p.predictionId, p.label as string);
    await report.refresh();
    await until(() => status.shadowRoot?.querySelector('.why') !== null);
    await Promise.all([model.updateComplete, status.updateComplete, report.updateComplete]);
    expect(report.status).toBe('ready');
    expect(report.shadowRoot?.querySelectorAll('[part~=features] svg[role=img]').length).toBe(6);
    expect(report.shadowRoot?.querySelectorAll('svg[part~=drift-series], svg[part~=quality-series]').length).toBe(2);

    const results = await loadAxe().run(main, { resultTypes: ['violations'] });
    expect(describeViolations(results)).toEqual([]);
    // It really looked inside the shadow roots: rules ran on the buttons and charts there.
    expect(results.passes.length + results.incomplete.length + results.inapplicable.length).toBeGreaterThan(0);
  });

  it('the buttons are reachable and work from the keyboard', async () => {
    const registry = await serve();
    const runtime = track(createEdgeRuntime({ registry: registry.url, backends: ['cpu'], dbName: uniqueDbName('a11y'), updateIntervalMs: 0 }));
    const model = mount('edge-model', { id: 'm', name: 'weather' }, { runtime });
    const status = mount('edge-model-status', { for: 'm' });
    await model.ready();
    await until(() => !buttonOf(status, 'check').disabled);
    const before = model.lastCheck?.getTime() ?? 0;
    const check = buttonOf(status, 'check');
    check.focus();
    expect(status.shadowRoot?.activeElement).toBe(check);
    await userEvent.keyboard('{Enter}');
    await until(() => (model.lastCheck?.getTime() ?? 0) > before && !check.disabled);
    // Nothing to roll back to: the button says so by being disabled (and so out of the tab order).
    expect(buttonOf(status, 'rollback').disabled).toBe(true);
  });
});
