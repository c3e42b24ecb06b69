/**
 * The engines a worker knows, and which one loads a given format. The ORT engine's module is small and
 * imports ONNX Runtime itself only on its first load.
 */
import { EdgewatchError, ErrorCode } from '../../src/errors.ts';
import type { ModelFormat } from '../../src/registry/Manifest.ts';
import type { Engine } from './Engine.ts';
import { ortEngine } from './ortEngine.ts';
import { tfjsEngine } from './tfjsEngine.ts';

/** Every engine, TF.js first. */
export const engines: readonly Engine[] = [tfjsEngine as unknown as Engine, ortEngine as unknown as Engine];

/**
 * The engine that loads `format`.
 *
 * @throws EdgewatchError `MODEL_LOAD_FAILED` for a format no engine loads.
 */
export function engineFor(format: ModelFormat): Engine {
  const engine = engines.find((e) => e.formats.includes(format));
  if (!engine) throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `No engine loads the model format "${format}"`, { format });
  return engine;
}
