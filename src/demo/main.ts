/**
 * The demo page: the one-day form with its own result, a replay of the real 2014–2015 days with their
 * labels as feedback (drift and accuracy build up live in the report), the registry's versions, and the
 * service worker's update prompt.
 */
import csv from 'edgewatch-data/seattle-weather.csv?raw';
import '../components/index.ts';
import type { EdgeDriftReport } from '../components/EdgeDriftReport.ts';
import type { EdgeModel } from '../components/EdgeModel.ts';
import { isEdgewatchError } from '../errors.ts';
import { registerServiceWorker } from '../pwa/registerServiceWorker.ts';
import { sharedRuntime } from '../runtime/sharedRuntime.ts';
import { byYears, parseSeattleWeather, WEATHER_LABELS, type WeatherRecord } from './seattleWeather.ts';

const REGISTRY = '/registry/manifest.json';
const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector(selector) as T;

const model = $<EdgeModel>('#model');
const drift = $<EdgeDriftReport>('#drift');

// The replay sends up to hundreds of days a second: sketch every row so the report sees all of them (an
// app keeps the default budget, which samples under sustained load). Set before anything binds: one
// runtime, one worker, shared by the three elements and this script.
const runtime = sharedRuntime({ registry: REGISTRY, monitoringBudget: { share: Number.POSITIVE_INFINITY } });
model.runtime = runtime;

// ── One day ─────────────────────────────────────────────────────────────────────────────────────────
const form = $<HTMLFormElement>('#day');
const formError = $('#form-error');
const dayResult = $('#day-result');

function fieldError(name: string, message: string): void {
  const input = form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(name)}"]`);
  const slot = document.getElementById(`${name}-error`);
  input?.setAttribute('aria-invalid', 'true');
  if (slot) slot.textContent = message;
  else formError.textContent = message;
}

function clearErrors(): void {
  formError.textContent = '';
  for (const input of form.querySelectorAll('input')) input.removeAttribute('aria-invalid');
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
}

// A field's message goes as soon as the field is edited.
form.addEventListener('input', (event) => {
  const input = event.target as HTMLInputElement;
  input.removeAttribute('aria-invalid');
  const slot = document.getElementById(`${input.name}-error`);
  if (slot) slot.textContent = '';
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors();
  // The browser's own checks first (a number field with letters in it reads as ''), shown in place.
  const invalid = [...form.querySelectorAll('input')].filter((input) => !input.checkValidity());
  for (const input of invalid) fieldError(input.name, input.validationMessage);
  if (invalid.length > 0) {
    invalid[0].focus();
    return;
  }
  const data = new FormData(form);
  const number = (key: string) => {
    const raw = String(data.get(key) ?? '').trim();
    return raw === '' ? null : Number(raw);
  };
  const date = String(data.get('date'));
  try {
    // Through the element: it shows this prediction, and only this one (the replay predicts on the handle).
    const prediction = await model.predict({
      date,
      precipitation: number('precipitation'),
      temp_max: number('temp_max'),
      temp_min: number('temp_min'),
      wind: number('wind'),
    });
    const share = prediction.labelIndex === undefined ? '' : ` (${(prediction.scores[prediction.labelIndex] * 100).toFixed(0)} %)`;
    dayResult.textContent = `${date}: ${prediction.label}${share}, answered by v${prediction.version} on ${prediction.backend}`;
    dayResult.dataset.version = prediction.version;
    void drift.refresh();
  } catch (error) {
    // The library names the field it refused (INPUT_INVALID details.field): the message goes next to it.
    const message = isEdgewatchError(error) ? `${error.message} (${error.code})` : String(error);
    const field = isEdgewatchError(error) ? error.details.field : undefined;
    if (typeof field === 'string' && document.getElementById(`${field}-error`)) fieldError(field, message);
    else formError.textContent = message;
  }
});

// ── Replay ──────────────────────────────────────────────────────────────────────────────────────────
const days: WeatherRecord[] = byYears(parseSeattleWeather(csv), 2014, 2015);
const RECENT = 30;
const TICK_MS = 100;
const REPORT_EVERY_MS = 1500;

const start = $<HTMLButtonElement>('#replay');
const pause = $<HTMLButtonElement>('#pause');
const stop = $<HTMLButtonElement>('#stop');
const speed = $<HTMLSelectElement>('#speed');
const progress = $<HTMLProgressElement>('#replay-progress');
const replayStatus = $('#replay-status');
const replayResult = $('#replay-result');
progress.max = days.length;
$('#replay-of').textContent = `day of ${days.length}`;

type ReplayState = 'idle' | 'running' | 'paused' | 'done';
let state: ReplayState = 'idle';
let next = 0;
let hits = 0;
let labelled = 0;
let recent: boolean[] = [];
let confusion = WEATHER_LABELS.map(() => WEATHER_LABELS.map(() => 0));
let reportTimer: ReturnType<typeof setInterval> | undefined;
let loop: Promise<void> | undefined;

const pct = (n: number, of: number) => (of === 0 ? '—' : `${((n / of) * 100).toFixed(1)} %`);

function showProgress(): void {
  const day = days[Math.max(0, next - 1)];
  progress.value = next;
  $('#replay-day').textContent = next === 0 ? '—' : `${next}`;
  $('#replay-of').textContent = next === 0 ? `day of ${days.length}` : `of ${days.length} · ${day.date}`;
  $('#replay-accuracy').textContent = pct(hits, labelled);
  $('#replay-recent').textContent = pct(recent.filter(Boolean).length, recent.length);
  start.textContent = state === 'paused' ? 'Resume' : 'Start';
  start.disabled = state === 'running';
  pause.disabled = state !== 'running';
  stop.disabled = state === 'idle' || state === 'done';
}

function showConfusion(): void {
  replayResult.innerHTML = `<table aria-label="Confusion of the replayed days"><tr><th>actual \\ predicted</th>${WEATHER_LABELS.map((l) => `<th>${l}</th>`).join('')}</tr>${confusion
    .map((row, i) => `<tr><th>${WEATHER_LABELS[i]}</th>${row.map((n) => `<td>${n}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

/** Predicts the next few days as one request, then sends each day's observed weather as its label. */
async function replayBatch(batch: readonly WeatherRecord[]): Promise<void> {
  // On the handle, not the element: the one-day form's result stays on show.
  const handle = model.handle;
  if (!handle) throw new Error('the model is not bound yet');
  const predictions = await handle.predict(batch.map(({ weather: _label, ...record }) => record));
  const results = await Promise.all(predictions.map((p, i) => model.feedback(p.predictionId, batch[i].weather)));
  predictions.forEach((p, i) => {
    const right = results[i].correct ?? p.label === batch[i].weather;
    confusion[WEATHER_LABELS.indexOf(batch[i].weather)][p.labelIndex as number]++;
    labelled++;
    if (right) hits++;
    recent.push(right);
  });
  if (recent.length > RECENT) recent = recent.slice(-RECENT);
}

async function run(): Promise<void> {
  await model.ready();
  const version = model.version;
  while (state === 'running' && next < days.length) {
    const began = performance.now();
    const perSecond = Number(speed.value);
    const batch = days.slice(next, next + Math.max(1, Math.round((perSecond * TICK_MS) / 1000)));
    await replayBatch(batch);
    next += batch.length;
    replayStatus.textContent = `Replaying at ${perSecond} days/s on v${model.version ?? version} (${model.backend})…`;
    showProgress();
    const wait = (batch.length / perSecond) * 1000 - (performance.now() - began);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  if (next >= days.length) {
    state = 'done';
    replayStatus.textContent = `Replayed ${days.length} days (${days[0].date} to ${days.at(-1)?.date}): accuracy ${pct(hits, labelled)}.`;
  } else if (state === 'paused') replayStatus.textContent = `Paused at ${days[next - 1]?.date ?? 'the start'}.`;
  showConfusion();
  showProgress();
  stopReports();
  await drift.refresh();
}

function reset(): void {
  next = 0;
  hits = 0;
  labelled = 0;
  recent = [];
  confusion = WEATHER_LABELS.map(() => WEATHER_LABELS.map(() => 0));
}

function stopReports(): void {
  clearInterval(reportTimer);
  reportTimer = undefined;
}

function begin(): void {
  if (state === 'running') return;
  if (state === 'done' || state === 'idle') reset();
  state = 'running';
  showProgress();
  // The report reads IndexedDB-backed windows: every second or so, not once per day.
  reportTimer ??= setInterval(() => void drift.refresh(), REPORT_EVERY_MS);
  loop = run().catch((error) => {
    state = 'paused';
    stopReports();
    showProgress();
    replayStatus.textContent = `The replay stopped: ${isEdgewatchError(error) ? `${error.code}: ` : ''}${(error as Error).message}`;
  });
}

start.addEventListener('click', begin);
pause.addEventListener('click', () => {
  if (state === 'running') state = 'paused';
});
stop.addEventListener('click', async () => {
  const wasRunning = state === 'running';
  state = 'done';
  if (wasRunning) await loop;
  replayStatus.textContent = `Stopped after ${next} of ${days.length} days: accuracy ${pct(hits, labelled)}.`;
  showProgress();
});
showProgress();

// ── Registry ────────────────────────────────────────────────────────────────────────────────────────
function describeYears(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? `${value[0]}–${value.at(-1)}` : '—';
}

async function showRegistry(): Promise<void> {
  try {
    const { manifest, fromStorage } = await runtime.manifest();
    const entry = manifest.models[model.name];
    if (!entry) return;
    const channels = Object.entries(entry.channels).map(([channel, to]) => `${channel} → v${[to].flat().join(', v')}`);
    $('#registry-summary').textContent =
      `${channels.join(' · ')}; this page follows stable${fromStorage ? ' (the last manifest read: the registry is unreachable)' : ''}.`;
    // The manifest came from the network: its strings go in as text, never as markup.
    const table = $<HTMLTableElement>('#registry-versions');
    const row = (cells: readonly string[], version?: string) => {
      const tr = document.createElement('tr');
      if (version !== undefined) tr.dataset.version = version;
      cells.forEach((text, i) => {
        const cell = document.createElement(i === 0 || version === undefined ? 'th' : 'td');
        cell.textContent = text;
        tr.append(cell);
      });
      return tr;
    };
    table.replaceChildren(
      row(['version', 'training', 'holdout accuracy']),
      ...Object.entries(entry.versions).map(([version, v]) => {
        const holdout = v.metrics?.holdoutAccuracy;
        const accuracy = typeof holdout === 'number' ? `${(holdout * 100).toFixed(1)} % on ${describeYears(v.metrics?.holdoutYears)}` : '—';
        return row([`v${version}${version === model.version ? ' (serving)' : ''}`, describeYears(v.training?.years), accuracy], version);
      }),
    );
  } catch (error) {
    $('#registry-summary').textContent = `The registry could not be read: ${String(error)}`;
  }
}
for (const type of ['activated', 'update-available', 'rolled-back'] as const) model.addEventListener(type, () => void showRegistry());
void model.ready().then(showRegistry, showRegistry);

// ── Offline (built app only: in dev the service worker would cache stale modules) ──────────────────
if (import.meta.env.PROD) {
  const banner = $('#sw-update');
  void registerServiceWorker('/sw.js', {
    onWaiting: (apply) => {
      banner.hidden = false;
      $<HTMLButtonElement>('#sw-reload').onclick = apply;
    },
    // The first visit read the manifest before the service worker was there: read it again through it,
    // so the page finds it offline too (the worker keeps the artifacts in its own verified cache).
    onFirstControl: () => void fetch(REGISTRY, { cache: 'no-cache' }).catch(() => undefined),
  }).catch((error) => console.warn('Service worker not registered:', error));
}
