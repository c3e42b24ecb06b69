export * from './drift/index.ts';
export * from './sketches/index.ts';
export * from './detectors/index.ts';
export * from './quality/index.ts';
export * from './summary/index.ts';
export { BASELINE_SCHEMA, type Baseline, type OutputSketchJSON } from './Baseline.ts';
export {
  DEFAULT_EDGES,
  mergeWindows,
  sketchLayout,
  WINDOW_SCHEMA,
  WindowSketch,
  type HealthJSON,
  type SketchLayout,
  type WindowSketchJSON,
} from './WindowSketch.ts';
export { ModelMonitor, type FeedbackResult, type ModelMonitorOptions, type MonitoredVersion } from './ModelMonitor.ts';
export { BatchObservation, type AnsweredBatch, type FeatureSource, type ObservationTarget } from './BatchObservation.ts';
export { MonitorBudget, type MonitorBudgetOptions } from './MonitorBudget.ts';
export { addWindows, compactWindows, DAY_MS, readWindows, windowRowId, type RetentionPolicy } from './store/windowStore.ts';
export * from './export/index.ts';
