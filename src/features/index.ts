export type {
  FeatureSpec,
  FeatureDef,
  InputSpec,
  RawRecord,
  TransformStep,
  ImputeStep,
  Log1pStep,
  ClipStep,
  StandardizeStep,
  MinMaxStep,
  RobustScaleStep,
  BucketizeStep,
  DatePartStep,
  OneHotStep,
  HashStep,
  CrossStep,
  TextLengthStep,
  TokenHashStep,
  PassThroughStep,
} from './FeatureSpec.ts';
export { InputType, InvalidPolicy } from './FeatureSpec.ts';
export type { FeatureStats, InputCounts } from './FeatureStats.ts';
export { compile, type CompiledFeatures } from './compile.ts';
export { categoricalInputs, type CategoricalInput } from './categoricalInputs.ts';
export { packRecords, isPackedRecords, type PackedRecords, type RecordBatch } from './RecordBatch.ts';
export { fit } from './fit.ts';
export { tensorInputOf, type TensorData, type TensorInput, type TensorInvalidDetails } from './tensorInput.ts';
export { transforms } from './transforms/registry.ts';
export { ColumnKind, TransformStage, type Transform, type Column } from './transforms/Transform.ts';
export { checkGoldens, GOLDEN_FEATURE_TOLERANCE, type GoldenCheck, type GoldenFeatures } from './checkGoldens.ts';
export { AggregateKind, durationMs, type AggregateDef, type Duration, type ResolvedAggregate } from './AggregateDef.ts';
export { OnlineStore, type AggregateEvent, type AggregateValues, type OnlineStoreOptions } from './OnlineStore.ts';
