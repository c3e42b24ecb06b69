export { EdgewatchError, ErrorCode, isEdgewatchError, type SerializedEdgewatchError } from './errors.ts';
export { installErrorTransferHandler } from './errorTransfer.ts';
export { createEdgeRuntime, EdgeRuntime, type EdgeRuntimeOptions } from './runtime/EdgeRuntime.ts';
export { ModelHandle, ModelStatus, type Prediction } from './runtime/ModelHandle.ts';
export { Batcher, type BatchOptions, type Settled } from './runtime/Batcher.ts';
export {
  ActivatedEvent,
  DriftEvent,
  EdgeErrorEvent,
  EdgeRuntimeEvent,
  RuntimeEventName,
  type ActivatedDetail,
  type DriftDetail,
  type ErrorDetail,
  type EdgeRuntimeEventMap,
} from './runtime/events.ts';
export {
  MANIFEST_SCHEMA,
  ModelFormat,
  type Artifact,
  type GoldenVector,
  type ModelEntry,
  type ModelVersion,
  type OutputSpec,
  type RegistryManifest,
} from './registry/Manifest.ts';
export { validateManifest } from './registry/validateManifest.ts';
export { fetchManifest, type FetchedManifest } from './registry/fetchManifest.ts';
export { resolveVersion, type ResolveOptions, type ResolvedVersion } from './registry/resolveVersion.ts';
export { openEdgewatchDB, DEFAULT_DB_NAME, DB_VERSION, type EdgewatchDB, type HistogramRow } from './storage/db.ts';
export { readHistograms } from './monitor/histogramStore.ts';
export { BackendName, type BackendInfo, type BackendPreference } from '../workers/protocol.ts';
