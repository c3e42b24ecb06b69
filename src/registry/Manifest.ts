import type { FeatureSpec, RawRecord } from '../features/FeatureSpec.ts';
import type { Baseline } from '../monitor/Baseline.ts';

/** Schema id every manifest carries. */
export const MANIFEST_SCHEMA = 'edgewatch.registry/v1';

/** Model formats the runtime loads. */
export const ModelFormat = { layers: 'tfjs-layers', graph: 'tfjs-graph', onnx: 'onnx' } as const;
export type ModelFormat = (typeof ModelFormat)[keyof typeof ModelFormat];

/** One file of a model version. `path` is relative to the manifest's URL. */
export interface Artifact {
  readonly path: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * One named input of an ONNX model: either the next `columns` values of each feature row (default: all
 * that are left), or a constant the spec fixes (`value` repeated over `shape`, where `"batch"` stands for
 * the rows of the call), e.g. a recurrent model's zero state or its sample rate.
 */
export type OnnxInput =
  | { readonly name: string; readonly columns?: number }
  | {
      readonly name: string;
      readonly dtype: 'float32' | 'int32' | 'int64';
      readonly shape: readonly (number | 'batch')[];
      readonly value: number;
    };

/**
 * How an ONNX version's features reach the model and which output holds the scores. Absent: the model's
 * one input takes the feature rows and its first output is the scores.
 */
export interface OnnxBinding {
  readonly inputs?: readonly OnnxInput[];
  /** The output whose values are the scores; the others are computed and released. Default: the first. */
  readonly output?: string;
}

/** What the model's output means. */
export type OutputSpec =
  | { readonly kind: 'classification'; readonly labels: readonly string[] }
  | { readonly kind: 'regression'; readonly names?: readonly string[] };

/** A raw record with the features and scores the publisher computed for it: the train/serve skew check. */
export interface GoldenVector {
  readonly record: RawRecord;
  readonly features: readonly number[];
  readonly scores: readonly number[];
}

/** What a device needs to run a version; a device that lacks it skips the version. */
export interface Requirements {
  /** Semver range of the Edgewatch runtime, e.g. `>=0.1.0 <1.0.0` (space-separated comparators, all must hold). */
  readonly runtime?: string;
  /** The version runs only on these backends (e.g. a model with ops only WebGPU has). */
  readonly backends?: readonly string[];
  /** Bytes of free storage the version needs (artifacts plus headroom). */
  readonly minStorageBytes?: number;
  /** Largest single buffer the model allocates; devices whose WebGPU maxBufferSize is smaller skip it. */
  readonly minBufferSize?: number;
}

/** Staged rollout: the version reaches `percent` of installs (a stable cohort per install and model). */
export interface Rollout {
  readonly percent: number;
}

/** A sign-off recorded by the publishing pipeline (who, what gate, when). */
export interface Approval {
  readonly by: string;
  readonly gate: string;
  readonly at: string;
}

/**
 * One release decision, appended by the CLI to the manifest's `audit` (signed with the rest): who did what
 * to which version, and the gate results it rests on.
 */
export interface AuditEntry {
  /** ISO 8601 date-time. */
  readonly at: string;
  readonly by: string;
  /** `publish`, `retrain` (a candidate), `promote` or `rollback`. */
  readonly action: string;
  readonly model: string;
  readonly version: string;
  readonly channel?: string;
  readonly percent?: number;
  /** SHA-256 (hex) of the version entry's canonical JSON without `rollout`. */
  readonly digest?: string;
  readonly gates?: readonly Readonly<Record<string, unknown>>[];
}

/**
 * Another encoding of the same model (e.g. its ONNX export beside the TF.js one): same features,
 * outputs and goldens, its own model file and artifacts (hashed and signed as the version's). Under
 * `backends: 'auto'` the worker serves the version's own encoding first and times the alternates in the
 * background, keeping the fastest correct one.
 */
export interface ModelAlternate {
  readonly format: ModelFormat;
  readonly modelPath: string;
  readonly artifacts: readonly Artifact[];
  /** ONNX alternates: the model's named inputs and the output read (see {@link OnnxBinding}). */
  readonly onnx?: OnnxBinding;
}

/** The original model of a compiled version: same features, outputs and goldens, its own files. */
export interface ModelFallback {
  readonly format: typeof ModelFormat.layers | typeof ModelFormat.graph;
  readonly modelPath: string;
  readonly artifacts: readonly Artifact[];
}

/** One published model version. */
export interface ModelVersion {
  readonly format: ModelFormat;
  /** The model file's artifact path (`model.json`, or the `.onnx` file). */
  readonly modelPath: string;
  /** ONNX versions: the model's named inputs and the output read (see {@link OnnxBinding}). */
  readonly onnx?: OnnxBinding;
  readonly artifacts: readonly Artifact[];
  /**
   * The model this version was compiled from (`edgewatch publish --compile`: a layers model rewritten as a
   * fused graph model), kept so a device whose TF.js cannot load the compiled one can load this instead.
   * Its artifacts are hashed like the version's own and fetched only when it is used.
   */
  readonly fallback?: ModelFallback;
  /** Fitted feature spec: the same definition the model was trained with. */
  readonly features: FeatureSpec;
  readonly outputs: OutputSpec;
  readonly createdAt?: string;
  readonly training?: Readonly<Record<string, unknown>>;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly goldens?: readonly GoldenVector[];
  readonly requirements?: Requirements;
  readonly rollout?: Rollout;
  readonly approvals?: readonly Approval[];
  /** Training baseline of the features and outputs, for on-device drift monitoring. */
  readonly baseline?: Baseline;
  /** Other encodings of this model, timed against it under `backends: 'auto'` (see {@link ModelAlternate}). */
  readonly alternates?: readonly ModelAlternate[];
}

/** A model: its versions and the channels that point at them. */
export interface ModelEntry {
  readonly description?: string;
  /**
   * Channel name → version id, or version ids newest first: `{ stable: ["2", "1"] }` serves 2 where its
   * rollout and requirements admit the device, else 1.
   */
  readonly channels: Readonly<Record<string, string | readonly string[]>>;
  readonly versions: Readonly<Record<string, ModelVersion>>;
}

/** The registry manifest: a static JSON file describing every model and version. */
export interface RegistryManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly models: Readonly<Record<string, ModelEntry>>;
  /**
   * Freshness (as TUF's metadata version): a non-negative integer the publisher raises with every release.
   * An install refuses a manifest whose sequence is lower than the highest it accepted from the same
   * registry URL and key set (`MANIFEST_ROLLBACK`). Absent reads as 0, so manifests from before it stay valid.
   */
  readonly sequence?: number;
  /**
   * ISO 8601 date-time after which the manifest is refused (`MANIFEST_EXPIRED`): a registry frozen by an
   * attacker is noticed once this passes. Absent: never expires.
   */
  readonly expires?: string;
  /** Release decisions, oldest first (the CLI appends one per publish, promote, rollback). */
  readonly audit?: readonly AuditEntry[];
  /** ES256 over the RFC 8785 canonical JSON of the manifest without this member. */
  readonly signature?: ManifestSignature;
}

/** A detached JWS-style signature of the manifest. */
export interface ManifestSignature {
  readonly alg: 'ES256';
  /** Key id, to pick among pinned keys. */
  readonly kid?: string;
  /** base64url of the 64-byte IEEE P1363 (r ‖ s) signature. */
  readonly value: string;
}
