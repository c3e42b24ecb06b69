// The public API of `edgewatch`: what an app or a pipeline uses. Internals stay importable by path for
// tests, never from here (see ARCHITECTURE.md, "Public surface").
export { EdgewatchError, ErrorCode, ErrorMeaning, isEdgewatchError, isErrorCode, type SerializedEdgewatchError } from './errors.ts';
export type { InputInvalidDetails } from './inputInvalid.ts';
export type { TensorData, TensorInput, TensorInvalidDetails } from './features/tensorInput.ts';
export type { TimeRange } from './TimeRange.ts';
export { EDGEWATCH_VERSION } from './version.ts';
export { createEdgeRuntime, EdgeRuntime } from './runtime/EdgeRuntime.ts';
export { edgeRuntimeFor, sharedRuntime } from './runtime/sharedRuntime.ts';
export type { EdgeRuntimeOptions, DownloadConditions } from './runtime/EdgeRuntimeOptions.ts';
export { RuntimeCache, type CacheUsage, type CachedVersion } from './runtime/RuntimeCache.ts';
export { ModelStatus, type ModelHandle, type Prediction } from './runtime/ModelHandle.ts';
export type { BatchOptions } from './runtime/Batcher.ts';
export type { HealthPolicy } from './runtime/HealthWatch.ts';
export {
  ActivatedEvent,
  BackendChangedEvent,
  BackendTrialEvent,
  DownloadProgressEvent,
  DriftEvent,
  EdgeErrorEvent,
  EdgeRuntimeEvent,
  RolledBackEvent,
  RuntimeEventName,
  UpdateAvailableEvent,
  type ActivatedDetail,
  type BackendChangedDetail,
  type BackendTrialDetail,
  type DownloadProgressDetail,
  type DriftDetail,
  type ErrorDetail,
  type EdgeRuntimeEventMap,
  type RolledBackDetail,
  type UpdateAvailableDetail,
} from './runtime/events.ts';
export {
  MANIFEST_SCHEMA,
  ModelFormat,
  type Approval,
  type Artifact,
  type AuditEntry,
  type GoldenVector,
  type ManifestSignature,
  type ModelEntry,
  type ModelVersion,
  type OutputSpec,
  type RegistryManifest,
  type Requirements,
  type Rollout,
  type ModelAlternate,
  type ModelFallback,
  type OnnxBinding,
  type OnnxInput,
} from './registry/Manifest.ts';
export { validateManifest, type ValidateManifestOptions } from './registry/validateManifest.ts';
export type { ManifestState } from './registry/ManifestSource.ts';
export { generateSigningKey, signManifest, verifyManifest } from './registry/signature.ts';
export { isExpired, manifestSequence, nextSequence, withFreshness, type FreshnessOptions } from './registry/freshness.ts';
export { artifactUrl } from './registry/artifactUrl.ts';
export { resolveVersion, type DeviceProfile, type ResolveOptions, type ResolvedVersion } from './registry/resolveVersion.ts';
export type { DownloadProgress } from './models/loadArtifacts.ts';
export {
  BackendName,
  type BackendChangeReport,
  type BackendInfo,
  type BackendPreference,
  type BackendTrialReport,
  type WasmPaths,
} from '../workers/protocol.ts';
