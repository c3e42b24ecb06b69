/** The demo page: one-day form, replay of the real 2014 days, and the class counts kept in IndexedDB. */
import csv from 'edgewatch-data/seattle-weather.csv?raw';
import '../components/index.ts';
import type { EdgeDriftReport } from '../components/EdgeDriftReport.ts';
import type { EdgeModel } from '../components/EdgeModel.ts';
import { isEdgewatchError } from '../errors.ts';
import { registerServiceWorker } from '../pwa/registerServiceWorker.ts';
import { sharedRuntime } from '../runtime/sharedRuntime.ts';
import { byYears, parseSeattleWeather, WEATHER_LABELS } from './seattleWeather.ts';

const model = document.querySelector<EdgeModel>('#model') as EdgeModel;
const form = document.querySelector<HTMLFormElement>('#day') as HTMLFormElement;
const replay = document.querySelector<HTMLButtonElement>('#replay') as HTMLButtonElement;
const replayStatus = document.querySelector('#replay-status') as HTMLElement;
const replayResult = document.querySelector('#replay-result') as HTMLElement;
const formError = document.querySelector('#form-error') as HTMLElement;
const drift = document.querySelector<EdgeDriftReport>('#drift') as EdgeDriftReport;

// The replay sends a year at once: sketch every row so the drift report sees all of it (an app keeps the
// default budget, which samples under sustained load). Set before anything binds: one runtime, one worker.
model.runtime = sharedRuntime({ registry: '/registry/manifest.json', monitoringBudget: { share: Number.POSITIVE_INFINITY } });

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  formError.textContent = '';
  for (const input of form.querySelectorAll('input')) input.removeAttribute('aria-invalid');
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
    void drift.refresh();
  } catch (error) {
    // Inline, next to the form; the field the error names is marked for assistive technology.
    formError.textContent = isEdgewatchError(error) ? `${error.code}: ${error.message}` : String(error);
    const field = isEdgewatchError(error) ? error.details.field : undefined;
    const input = typeof field === 'string' ? form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(field)}"]`) : null;
    input?.setAttribute('aria-invalid', 'true');
    input?.setAttribute('aria-describedby', 'form-error');
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
  void drift.refresh();
});

// Offline support only in the built app: in dev the service worker would cache stale modules.
if (import.meta.env.PROD) void registerServiceWorker().catch((error) => console.warn('Service worker not registered:', error));
