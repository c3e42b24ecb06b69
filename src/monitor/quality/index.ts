export {
  CALIBRATION_BINS,
  QualitySketch,
  type ClassificationQualityJSON,
  type DetectionCounts,
  type QualityJSON,
  type RegressionQualityJSON,
} from './QualitySketch.ts';
export { qualityMetrics, type QualityMetrics } from './qualityMetrics.ts';
