import { commands } from 'vitest/browser';
import '../../../src/components/index.ts';
import type { EdgeModel, EdgeModelEventMap } from '../../../src/components/EdgeModel.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';
import type { EdgeRuntime } from '../../../src/runtime/EdgeRuntime.ts';

const servers: string[] = [];
const runtimes = new Set<EdgeRuntime>();

/** A registry server of its own (a copy of public/registry: v1 on stable, v2 on canary). */
export async function serve() {
  const server = await commands.registryStart();
  servers.push(server.id);
  const manifest: RegistryManifest = JSON.parse(atob(await commands.registryRead(server.id, 'manifest.json')));
  const publish = (next: RegistryManifest) => commands.registryWrite(server.id, 'manifest.json', JSON.stringify(next));
  /** The manifest with `stable` moved to `version`. */
  const withStable = (version: string): RegistryManifest => ({
    ...manifest,
    models: { weather: { ...manifest.models.weather, channels: { ...manifest.models.weather.channels, stable: version } } },
  });
  return { ...server, manifest, publish, withStable };
}

/** Disposes what a test made (runtimes it names, the runtimes of every `<edge-model>` on the page) and empties the page. */
export async function cleanUp(): Promise<void> {
  for (const element of document.querySelectorAll('edge-model')) if (element.runtime) runtimes.add(element.runtime);
  document.body.innerHTML = '';
  await Promise.all([...runtimes].map((rt) => rt.dispose()));
  runtimes.clear();
  await Promise.all(servers.splice(0).map((id) => commands.registryStop(id)));
}

/** Disposes `runtime` after the test. */
export function track(runtime: EdgeRuntime): EdgeRuntime {
  runtimes.add(runtime);
  return runtime;
}

/** Creates `<tag>` with these attributes (and properties, set before it is connected) in `parent`. */
export function mount<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
  properties: Partial<HTMLElementTagNameMap[K]> = {},
  parent: ParentNode = document.body,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  Object.assign(element, properties);
  parent.append(element);
  return element;
}

/** Every event of `type` the element fires, in order. */
export function record<K extends keyof EdgeModelEventMap>(element: EdgeModel, type: K): EdgeModelEventMap[K]['detail'][] {
  const seen: EdgeModelEventMap[K]['detail'][] = [];
  element.addEventListener(type, (event) => seen.push(event.detail));
  return seen;
}

/** The next event of `type` the element fires. */
export function next<K extends keyof EdgeModelEventMap>(element: EdgeModel, type: K): Promise<EdgeModelEventMap[K]> {
  return new Promise((resolve) => element.addEventListener(type, resolve as (event: EdgeModelEventMap[K]) => void, { once: true }));
}

/** Polls `check` every 20 ms until it holds (the test's own timeout bounds the wait). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Text of the element's shadow root part `part`. */
export function partText(element: Element, part: string): string {
  return element.shadowRoot?.querySelector(`[part~="${part}"]`)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

/** The button of part `part` in the element's shadow root. */
export function buttonOf(element: Element, part: string): HTMLButtonElement {
  const found = (element.shadowRoot as ShadowRoot).querySelector<HTMLButtonElement>(`button[part~="${part}"]`);
  if (!found) throw new Error(`no button of part ${part}`);
  return found;
}
