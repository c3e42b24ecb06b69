import type { BackendPreference } from '../../workers/protocol.ts';
import { createEdgeRuntime, type EdgeRuntime } from './EdgeRuntime.ts';
import type { EdgeRuntimeOptions } from './EdgeRuntimeOptions.ts';

const shared = new Map<string, EdgeRuntime>();
const functionIds = new WeakMap<object, number>();
let nextFunctionId = 1;

/** A stable spelling of a value for the key: object members sorted, functions by identity, `undefined` left out. */
function spell(value: unknown): string {
  if (typeof value === 'function') {
    let id = functionIds.get(value);
    if (id === undefined) {
      id = nextFunctionId++;
      functionIds.set(value, id);
    }
    return `fn#${id}`;
  }
  if (value instanceof URL) return JSON.stringify(value.href);
  if (Array.isArray(value)) return `[${value.map(spell).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${spell(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** The key of a set of options: the absolute manifest URL and every other option, defaults left out. */
function keyOf(options: EdgeRuntimeOptions): string {
  const { registry, backends, ...rest } = options;
  const url = new URL(registry, globalThis.location?.href ?? 'http://localhost/').href;
  // `'auto'` is the default: spelling it out must not make a second runtime.
  return `${url}|${spell({ ...rest, backends: backends === 'auto' ? undefined : backends })}`;
}

/**
 * The page's runtime for these options: created on the first call, the same object on every later call
 * with equal options (same registry URL once resolved, same backends, keys, channel…; functions such as
 * `createWorker` compared by identity). `<edge-model>` elements take theirs from here, so elements and
 * app code that calls this share one runtime, one worker and one copy of TF.js per registry. A runtime
 * disposed by its user is forgotten, and the next call makes a new one.
 *
 * `sharedRuntime(registry, backends)` is the older spelling of `sharedRuntime({ registry, backends })`.
 */
export function sharedRuntime(options: EdgeRuntimeOptions): EdgeRuntime;
export function sharedRuntime(registry: string | URL, backends?: BackendPreference): EdgeRuntime;
export function sharedRuntime(options: EdgeRuntimeOptions | string | URL, backends?: BackendPreference): EdgeRuntime {
  const resolved: EdgeRuntimeOptions = typeof options === 'string' || options instanceof URL ? { registry: options, backends } : options;
  const key = keyOf(resolved);
  let runtime = shared.get(key);
  if (!runtime) {
    const created = createEdgeRuntime(resolved);
    const dispose = created.dispose.bind(created);
    // Forget it when its user disposes it: a later element on the page must not get a dead runtime.
    created.dispose = () => {
      if (shared.get(key) === created) shared.delete(key);
      return dispose();
    };
    shared.set(key, created);
    runtime = created;
  }
  return runtime;
}

/** `sharedRuntime({ registry })`: the runtime `<edge-model registry="…">` elements without other options use. */
export function edgeRuntimeFor(registry: string | URL): EdgeRuntime {
  return sharedRuntime({ registry });
}
