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
  DatePartStep,
  OneHotStep,
} from './FeatureSpec.ts';
export { InputType } from './FeatureSpec.ts';
export { compile, type CompiledFeatures } from './compile.ts';
export { fit } from './fit.ts';
export { readColumn } from './readColumn.ts';
export { transforms } from './transforms/registry.ts';
export type { Transform, Column } from './transforms/Transform.ts';
