import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { loadSeattleWeather } from '../../../src/demo/weatherData.node.ts';
import { compile } from '../../../src/features/compile.ts';
import { packWindow, unpackWindow } from '../../../src/monitor/store/packWindow.ts';
import { mergeWindows, sketchLayout, WindowSketch, type WindowSketchJSON } from '../../../src/monitor/WindowSketch.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';

const manifest = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8')) as RegistryManifest;
const entry = manifest.models.weather.versions['1'];
const columns = Object.keys(entry.baseline?.features ?? {});
const days = loadSeattleWeather().map(({ weather: _label, ...record }) => record);
const features = Float32Array.from(compile(entry.features).transform(days));
if (entry.outputs.kind !== 'classification') throw new Error('the weather model is a classifier');
const outputs = entry.outputs;

/** A day's window of the real model features, `repeat` passes over `from` of the 1,461 real days. */
function dayWindow(from: number, count: number, repeat: number, layout = sketchLayout(columns, outputs, entry.baseline)): WindowSketchJSON {
  const w = new WindowSketch(layout, 'weather', '1', 0, 86_400_000);
  const width = columns.length;
  const slice = features.subarray(from * width, (from + count) * width);
  const scores = new Float32Array(count * 5).map((_, i) => ((i % 5) + (i % 7)) / 10);
  for (let k = 0; k < repeat; k++) {
    w.observe(slice, scores, count);
    w.observeTiming(0.2 + (k % 5) / 10, 'wasm', 0.1);
  }
  return w.toJSON();
}

describe('packWindow', () => {
  it('round-trips a window exactly, non-finite numbers and #-strings included', () => {
    const json = dayWindow(0, 1461, 1);
    expect(unpackWindow(packWindow(json))).toEqual(json);
    const odd = { ...json, model: '#u', version: '##f', start: Number.NaN, end: Number.POSITIVE_INFINITY, health: { ...json.health, backends: { '#f': 3 } } };
    const back = unpackWindow(packWindow(odd as WindowSketchJSON));
    expect(back.model).toBe('#u');
    expect(back.version).toBe('##f');
    expect(back.start).toBeNaN();
    expect(back.end).toBe(Number.POSITIVE_INFINITY);
    expect(back.health.backends).toEqual({ '#f': 3 });
    // survives the structured clone IndexedDB stores it with
    expect(unpackWindow(structuredClone(packWindow(json)))).toEqual(json);
  });

  it('reads a plain JSON window (an older row) as it is', () => {
    const json = dayWindow(0, 100, 1);
    expect(unpackWindow(json)).toBe(json);
  });

  it("stores a busy day in exactly the bytes of a quiet one, measured with V8's serializer (IndexedDB's)", () => {
    // a quiet day: 333 predictions over a third of a year; a busy one: every real day, 100 times
    const quiet = dayWindow(400, 333, 1);
    const busy = dayWindow(0, 1461, 100);
    expect(busy.predictions).toBe(146_100);
    const bytes = (w: WindowSketchJSON) => serialize(packWindow(w)).length;
    expect(bytes(busy)).toBe(bytes(quiet));
    // merged into a day row with another hour, still the same size
    expect(bytes(mergeWindows([busy, dayWindow(1000, 400, 3)]))).toBe(bytes(quiet));
    // the plain objects differ (counts as longer varints, tail buckets only the busy day reached) and are
    // larger: V8 writes every element of a number array as a tagged 8-byte double or varint
    expect(serialize(busy).length).not.toBe(serialize(quiet).length);
    expect(bytes(busy)).toBeLessThan(serialize(busy).length);
  });

  it('without the baseline frame the quantile sketches of a busy day take more buckets', () => {
    const bare = { columns, outputs };
    const bytes = (w: WindowSketchJSON) => serialize(packWindow(w)).length;
    expect(bytes(dayWindow(0, 1461, 100, bare))).toBeGreaterThan(bytes(dayWindow(400, 333, 1, bare)));
  });
});
