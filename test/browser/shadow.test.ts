import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { byYears } from '../../src/demo/seattleWeather.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { createEdgeRuntime, type EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import type { LoadRequest, PredictResponse, WorkerApi } from '../../workers/protocol.ts';
import { createWorkerApi } from '../../workers/workerApi.ts';
import { rejection } from '../support/rejection.ts';
import { uniqueDbName, weather, withoutLabel } from './weatherData.ts';

// The fixture: the bundled v1 (2012–13) and v2 (retrained on 2012–14) on the 730 days of 2014–15 — two
// models whose top classes differ on some of those days.
const days = byYears(weather, 2014, 2015);
const records = days.map(withoutLabel);
const LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'];

const servers: string[] = [];
const runtimes: EdgeRuntime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.dispose();
  for (const id of servers.splice(0)) await commands.registryStop(id);
});

async function registry(): Promise<{ id: string; url: string; manifest: RegistryManifest }> {
  const started = await commands.registryStart();
  servers.push(started.id);
  const manifest = (await (await fetch(started.url)).json()) as RegistryManifest;
  return { ...started, manifest };
}

/** A worker on this thread; the budget unlimited, so the shadow runs on every row of its share whatever it costs. */
async function worker(): Promise<WorkerApi> {
  const api = createWorkerApi();
  await api.configure({
    backends: ['cpu'],
    dbName: uniqueDbName('shadow'),
    flushIntervalMs: 60_000,
    windowMs: 3_600_000,
    cacheName: '',
    monitoringBudget: { share: Number.POSITIVE_INFINITY },
  });
  return api;
}

const requestOf = (url: string, manifest: RegistryManifest, version: string): LoadRequest => ({
  name: 'weather',
  version,
  manifestUrl: new URL(url, location.href).href,
  entry: manifest.models.weather.versions[version],
});

/** Top classes of every fixture day from a worker serving only `version` (the ordinary serving path). */
async function servedAlone(url: string, manifest: RegistryManifest, version: string): Promise<PredictResponse> {
  const api = await worker();
  await api.load(requestOf(url, manifest, version));
  return api.predict('weather', records);
}

/** Lets the shadow's deferred work (timers after each answer) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('on-device shadow', () => {
  it('never answers a caller; its agreement with the champion and its accuracy are exact on the fixture', async () => {
    const { url, manifest } = await registry();
    const alone1 = await servedAlone(url, manifest, '1');
    const alone2 = await servedAlone(url, manifest, '2');
    const classes1 = Array.from(alone1.classes ?? []);
    const classes2 = Array.from(alone2.classes ?? []);
    const disagreements = classes1.filter((c, i) => c !== classes2[i]).length;
    // the fixture is worth something only if the two versions differ on it
    expect(disagreements).toBeGreaterThan(10);

    const api = await worker();
    await api.load(requestOf(url, manifest, '1'));
    await expect(rejection(api.loadShadow(requestOf(url, manifest, '2'), 0))).resolves.toMatchObject({ code: 'INPUT_INVALID' });
    await api.loadShadow(requestOf(url, manifest, '2'), 1);
    const answers: PredictResponse[] = [];
    // in batches of 73, as callers would send them
    for (let at = 0; at < records.length; at += 73) answers.push(await api.predict('weather', records.slice(at, at + 73)));
    await settle();
    // every answer is the champion's, byte for byte
    expect(answers.every((a) => a.version === '1')).toBe(true);
    expect(answers.flatMap((a) => Array.from(a.scores))).toEqual(Array.from(alone1.scores));
    const summary = await api.shadow('weather');
    expect(summary).toMatchObject({ version: '2', champion: '1', share: 1, compared: 730, agreed: 730 - disagreements, failed: 0, skipped: 0, labelled: 0 });
    expect(summary?.agreement).toBe((730 - disagreements) / 730);
    // its own prediction distribution: v2's classes on the fixture
    expect(summary?.classes?.counts).toEqual(LABELS.map((_, k) => classes2.filter((c) => c === k).length));

    // with feedback: the shadow's accuracy and the champion's on the same labelled rows
    for (const [b, answer] of answers.entries())
      for (let row = 0; row < answer.rows; row++) await api.feedback('weather', `${answer.idPrefix}:${row}`, days[b * 73 + row].weather);
    const truth = days.map((d) => LABELS.indexOf(d.weather));
    const labelled = await api.shadow('weather');
    expect(labelled?.labelled).toBe(730);
    expect(labelled?.correct).toBe(classes2.filter((c, i) => c === truth[i]).length);
    expect(labelled?.championCorrect).toBe(classes1.filter((c, i) => c === truth[i]).length);
  });

  it('runs on its share of rows only: every tenth row at the default share', async () => {
    const { url, manifest } = await registry();
    const classes1 = Array.from((await servedAlone(url, manifest, '1')).classes ?? []);
    const classes2 = Array.from((await servedAlone(url, manifest, '2')).classes ?? []);
    const api = await worker();
    await api.load(requestOf(url, manifest, '1'));
    await api.loadShadow(requestOf(url, manifest, '2'));
    for (let at = 0; at < records.length; at += 50) await api.predict('weather', records.slice(at, at + 50));
    await settle();
    const sampled = classes1.map((_, i) => i).filter((i) => i % 10 === 9);
    const summary = await api.shadow('weather');
    expect(summary?.share).toBe(0.1);
    expect(summary?.compared).toBe(73);
    expect(summary?.agreed).toBe(sampled.filter((i) => classes1[i] === classes2[i]).length);
    await api.unloadShadow('weather');
    await expect(api.shadow('weather')).resolves.toBeUndefined();
  });

  it('stays inside the monitoring budget: with no time to spend, it runs once to learn its cost, then skips', async () => {
    const { url, manifest } = await registry();
    const api = createWorkerApi();
    await api.configure({
      backends: ['cpu'],
      dbName: uniqueDbName('shadow-budget'),
      flushIntervalMs: 60_000,
      windowMs: 3_600_000,
      cacheName: '',
      monitoringBudget: { share: 0, burstMs: 0 },
    });
    await api.load(requestOf(url, manifest, '1'));
    await api.loadShadow(requestOf(url, manifest, '2'), 1);
    for (let at = 0; at < 200; at += 20) {
      const answer = await api.predict('weather', records.slice(at, at + 20));
      expect(answer.version).toBe('1');
      await settle();
    }
    const summary = await api.shadow('weather');
    // the first batch's 20 rows measure what a row costs; after that the budget pays for none
    expect(summary).toMatchObject({ compared: 20, skipped: 180, failed: 0 });
  });

  it('a shadow channel in the manifest: the runtime loads it beside stable, answers stay v1, the DriftSummary gets a shadow section', async () => {
    const { id, url, manifest } = await registry();
    const next = { ...manifest, models: { weather: { ...manifest.models.weather, channels: { ...manifest.models.weather.channels, shadow: '2' } } } };
    await commands.registryWrite(id, 'manifest.json', JSON.stringify(next));
    const rt = createEdgeRuntime({ registry: url, backends: ['cpu'], dbName: uniqueDbName('shadow-rt'), updateIntervalMs: 0, flushIntervalMs: 60_000 });
    runtimes.push(rt);
    const model = rt.model('weather');
    await model.ready();
    expect(model.version).toBe('1');
    let shadow: { compared: number } | undefined;
    // the shadow loads after v1 serves; its sample starts with the rows after that
    for (let i = 0; i < 100 && !(shadow && shadow.compared > 0); i++) {
      const predictions = await model.predict(records.slice(0, 40));
      expect(predictions.every((p) => p.version === '1')).toBe(true);
      await settle();
      shadow = (await model.driftSummary())?.shadow;
    }
    expect(shadow).toMatchObject({ version: '2', champion: '1', share: 0.1, failed: 0 });
    expect(shadow?.compared).toBeGreaterThan(0);
  });
});
