export { DDSketch, quantileFrame, type DDSketchJSON, type QuantileFrame } from './DDSketch.ts';
export { Moments, type MomentsJSON } from './Moments.ts';
export { BinnedHistogram, type BinnedHistogramJSON } from './BinnedHistogram.ts';
export { CategoricalCounts, type CategoricalCountsJSON } from './CategoricalCounts.ts';
export { FeatureSketch, type FeatureSketchJSON, type FeatureSketchOptions } from './FeatureSketch.ts';
