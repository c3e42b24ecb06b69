export { EdgewatchError, ErrorCode, ErrorMeaning, isEdgewatchError, isErrorCode, type SerializedEdgewatchError } from './errors.ts';
export { decodeError, encodeError, type WireError } from './WireError.ts';
export { inputInvalid, type InputInvalidDetails } from './inputInvalid.ts';
export { installErrorTransferHandler } from './errorTransfer.ts';
export { createEdgeRuntime, EdgeRuntime } from './runtime/EdgeRuntime.ts';
export type { EdgeRuntimeOptions, DownloadConditions } from './runtime/EdgeRuntimeOptions.ts';
export { ModelHandle, ModelStatus, type Prediction, type ModelHandleParts } from './runtime/ModelHandle.ts';
export { Batcher, type BatchOptions, type Settled } from './runtime/Batcher.ts';
export {
  ActivatedEvent,
  DownloadProgressEvent,
  DriftEvent,
  EdgeErrorEvent,
  EdgeRuntimeEvent,
  RolledBackEvent,
  RuntimeEventName,
  UpdateAvailableEvent,
  type ActivatedDetail,
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
  type Artifact,
  type GoldenVector,
  type ModelEntry,
  type ModelVersion,
  type OutputSpec,
  type RegistryManifest,
} from './registry/Manifest.ts';
export { validateManifest } from './registry/validateManifest.ts';
export { ManifestSource, type ManifestState, type ManifestSourceOptions } from './registry/ManifestSource.ts';
export { canonicalJson } from './registry/canonicalJson.ts';
export { generateSigningKey, signManifest, verifyManifest, signedBytes } from './registry/signature.ts';
export { cohortBucket, installId } from './registry/cohort.ts';
export { satisfies } from './registry/semver.ts';
export { ArtifactCache } from './models/ArtifactCache.ts';
export { loadArtifacts, type DownloadProgress, type LoadArtifactsOptions } from './models/loadArtifacts.ts';
export { EDGEWATCH_VERSION } from './version.ts';
export { HealthWatch, DEFAULT_HEALTH_POLICY, type HealthPolicy } from './runtime/HealthWatch.ts';
export { resolveVersion, unmetRequirement, type DeviceProfile, type ResolveOptions, type ResolvedVersion } from './registry/resolveVersion.ts';
export { openEdgewatchDB, DEFAULT_DB_NAME, DB_VERSION, type EdgewatchDB, type HistogramRow } from './storage/db.ts';
export { readHistograms } from './monitor/histogramStore.ts';
export { BackendName, type BackendInfo, type BackendPreference } from '../workers/protocol.ts';
