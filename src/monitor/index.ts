// `edgewatch/monitor`: the statistics, sketches, detectors, summaries and exporters an app or a pipeline
// uses, in Node and in the browser. The worker's monitoring internals (ModelMonitor, BatchObservation,
// the window store) are imported by path, never from here.

// Drift statistics: each a described object in `driftStatistics`, and a plain function.
export { psi } from './drift/psi.ts';
export { jensenShannon } from './drift/jensenShannon.ts';
export { klDivergence } from './drift/klDivergence.ts';
export { ksTest, type KsTestResult } from './drift/ksTest.ts';
export { wasserstein } from './drift/wasserstein.ts';
export { chiSquareTest, type ChiSquareTestResult } from './drift/chiSquareTest.ts';
export { chiSquareContingency, type ChiSquareContingencyResult } from './drift/chiSquareContingency.ts';
export { fisherExactPValue, twoProportionTest, twoProportionZTest, type TwoProportionTestResult } from './drift/twoProportionTest.ts';
export { missingRateTest, type MissingRateTest } from './drift/missingRate.ts';
export { DriftDecision, DriftKind, type DriftStatistic, type DriftStatisticResult, type FeatureValues } from './drift/DriftStatistic.ts';
export { isDrift } from './drift/isDrift.ts';
export { driftStatistics, type DriftStatisticName } from './drift/registry.ts';
export { chooseStatistic, type ChooseStatisticOptions, type StatisticChoice } from './drift/chooseStatistic.ts';
export { benjaminiHochberg, type BenjaminiHochbergResult } from './drift/benjaminiHochberg.ts';
export { detectDrift, DriftVerdict, type DetectDriftOptions, type FeatureDrift, type FeatureWindows } from './drift/detectDrift.ts';

// Mergeable sketches.
export { DDSketch, type DDSketchJSON, type QuantileFrame } from './sketches/DDSketch.ts';
export { Moments, type MomentsJSON } from './sketches/Moments.ts';
export { BinnedHistogram, type BinnedHistogramJSON } from './sketches/BinnedHistogram.ts';
export { CategoricalCounts, type CategoricalCountsJSON } from './sketches/CategoricalCounts.ts';
export { CategorySketch, type CategorySketchJSON, type CategoryVocabulary } from './sketches/CategorySketch.ts';
export { FeatureSketch, type FeatureSketchJSON, type FeatureSketchOptions } from './sketches/FeatureSketch.ts';

// Change detectors on label feedback.
export type { DriftDetector } from './detectors/DriftDetector.ts';
export { PageHinkley, type PageHinkleyOptions, type PageHinkleyState } from './detectors/PageHinkley.ts';
export { DDM, type DDMOptions, type DDMState } from './detectors/DDM.ts';
export { ADWIN, type ADWINOptions, type ADWINState } from './detectors/ADWIN.ts';
export { ConceptDrift, type ConceptDriftOptions, type ConceptDriftState } from './detectors/ConceptDrift.ts';
export { errorScale } from './detectors/errorScale.ts';

// Quality from late labels.
export { QualitySketch, type ClassificationQualityJSON, type DetectionCounts, type QualityJSON, type RegressionQualityJSON } from './quality/QualitySketch.ts';
export { qualityMetrics, type QualityMetrics } from './quality/qualityMetrics.ts';

// Windows, baselines and the summaries built from them.
export { BASELINE_SCHEMA, type Baseline, type OutputSketchJSON } from './Baseline.ts';
export { mergeWindows, WINDOW_SCHEMA, type HealthJSON, type WindowSketchJSON } from './WindowSketch.ts';
export { DriftSummary, SUMMARY_SCHEMA } from './summary/DriftSummary.ts';
export type { ShadowSummary } from './summary/ShadowSummary.ts';
export { compare, type CompareOptions } from './summary/compare.ts';
export { bucketWindows, driftSeries, SERIES_SCHEMA, type BucketDrift, type DriftSeries, type DriftSeriesPoint } from './summary/driftSeries.ts';
export type {
  CategoricalFeatureDrift,
  CategoryDrift,
  DriftReport,
  EstimatedAccuracy,
  HealthReport,
  MultivariateDrift,
  QualityReport,
  QuantityDrift,
} from './summary/DriftReport.ts';
export type { ConfidenceCalibrationJSON, ReferenceBand, ReferenceChunksJSON } from './reference/ReferenceChunks.ts';
export type { PcaReconstructionJSON } from './multivariate/PcaReconstruction.ts';
export type { FeedbackResult } from './ModelMonitor.ts';
export type { MonitorBudgetOptions } from './MonitorBudget.ts';
export type { RetentionPolicy } from './store/windowStore.ts';

// Export to a fleet (k-anonymised JSON or OTLP/HTTP metrics), queued while offline.
export { kAnonymize, type Suppression } from './export/kAnonymize.ts';
export { toOtlpMetrics } from './export/toOtlpMetrics.ts';
export { MemoryExportQueue, type ExportQueue, type QueuedExport } from './export/ExportQueue.ts';
export { IndexedDBExportQueue } from './export/IndexedDBExportQueue.ts';
export { ExportFormat, ExportOutcome, SummaryExporter, type SummaryExporterOptions } from './export/SummaryExporter.ts';
