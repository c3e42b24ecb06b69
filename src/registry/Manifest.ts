import type { FeatureSpec, RawRecord } from '../features/FeatureSpec.ts';
import type { Baseline } from '../monitor/Baseline.ts';

/** Schema id every manifest carries. */
export const MANIFEST_SCHEMA = 'edgewatch.registry/v1';

/** Model formats the runtime loads. */
export const ModelFormat = { layers: 'tfjs-layers', graph: 'tfjs-graph' } as const;
export type ModelFormat = (typeof ModelFormat)[keyof typeof ModelFormat];

/** One file of a model version. `path` is relative to the manifest's URL. */
export interface Artifact {
  readonly path: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly bytes: number;
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

/** One published model version. */
export interface ModelVersion {
  readonly format: ModelFormat;
  /** The `model.json` artifact's path. */
  readonly modelPath: string;
  readonly artifacts: readonly Artifact[];
  /** Fitted feature spec: the same definition the model was trained with. */
  readonly features: FeatureSpec;
  readonly outputs: OutputSpec;
  readonly createdAt?: string;
  readonly training?: Readonly<Record<string, unknown>>;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly goldens?: readonly GoldenVector[];
  /** Training baseline of the features and outputs, for on-device drift monitoring. */
  readonly baseline?: Baseline;
}

/** A model: its versions and the channels that point at them. */
export interface ModelEntry {
  readonly description?: string;
  /** Channel name → version id, e.g. `{ stable: "1" }`. */
  readonly channels: Readonly<Record<string, string>>;
  readonly versions: Readonly<Record<string, ModelVersion>>;
}

/** The registry manifest: a static JSON file describing every model and version. */
export interface RegistryManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly models: Readonly<Record<string, ModelEntry>>;
}
