/** The demo page: one-day form, replay of the real 2014 days, and the class counts kept in IndexedDB. */
import csv from 'edgewatch-data/seattle-weather.csv?raw';
import '../components/index.ts';
import type { EdgeModel } from '../components/EdgeModel.ts';
import { isEdgewatchError } from '../errors.ts';
import { registerServiceWorker } from '../pwa/registerServiceWorker.ts';
import { byYears, parseSeattleWeather, WEATHER_LABELS } from './seattleWeather.ts';

const model = document.querySelector<EdgeModel>('#model') as EdgeModel;
const form = document.querySelector<HTMLFormElement>('#day') as HTMLFormElement;
const replay = document.querySelector<HTMLButtonElement>('#replay') as HTMLButtonElement;
const replayStatus = document.querySelector('#replay-status') as HTMLElement;
const replayResult = document.querySelector('#replay-result') as HTMLElement;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const number = (key: string) => {
    const raw = String(data.get(key) ?? '').trim();
    return raw === '' ? null : Number(raw);
  };
  try {
    await model.predict({
      date: String(data.get('date')),
      precipitation: number('precipitation'),
      temp_max: number('temp_max'),
      temp_min: number('temp_min'),
      wind: number('wind'),
    });
  } catch (error) {
    alert(isEdgewatchError(error) ? `${error.code}: ${error.message}` : String(error));
  }
});

replay.addEventListener('click', async () => {
  replay.disabled = true;
  const days = byYears(parseSeattleWeather(csv), 2014);
  replayStatus.textContent = `predicting ${days.length} days…`;
  const started = performance.now();
  const predictions = await Promise.all(days.map(({ weather: _label, ...record }) => model.predict(record)));
  const ms = performance.now() - started;
  const confusion = WEATHER_LABELS.map(() => WEATHER_LABELS.map(() => 0));
  let hits = 0;
  predictions.forEach((p, i) => {
    confusion[WEATHER_LABELS.indexOf(days[i].weather)][p.labelIndex as number]++;
    if (p.label === days[i].weather) hits++;
  });
  replayStatus.textContent = `${days.length} days in ${ms.toFixed(0)} ms on ${model.backend} · accuracy ${((hits / days.length) * 100).toFixed(1)}%`;
  replayResult.innerHTML = `<table><tr><th>actual \\ predicted</th>${WEATHER_LABELS.map((l) => `<th>${l}</th>`).join('')}</tr>${confusion
    .map((row, i) => `<tr><th>${WEATHER_LABELS[i]}</th>${row.map((n) => `<td>${n}</td>`).join('')}</tr>`)
    .join('')}</table>`;
  replay.disabled = false;
});

// Offline support only in the built app: in dev the service worker would cache stale modules.
if (import.meta.env.PROD) void registerServiceWorker().catch((error) => console.warn('Service worker not registered:', error));
