export { psi } from './psi.ts';
export { jensenShannon } from './jensenShannon.ts';
export { klDivergence } from './klDivergence.ts';
export { ksTest, type KsTestResult } from './ksTest.ts';
export { wasserstein } from './wasserstein.ts';
export { chiSquareTest, type ChiSquareTestResult } from './chiSquareTest.ts';
export { chiSquareSf, kolmogorovSf, kolmogorovSmirnovSf, lnGamma, regularizedUpperGamma } from './special.ts';
export {
  DriftDecision,
  DriftKind,
  type DriftStatistic,
  type DriftStatisticResult,
  type FeatureValues,
} from './DriftStatistic.ts';
export { isDrift } from './isDrift.ts';
export { driftStatistics, type DriftStatisticName } from './registry.ts';
export { chooseStatistic, type ChooseStatisticOptions, type StatisticChoice } from './chooseStatistic.ts';
export { benjaminiHochberg, type BenjaminiHochbergResult } from './benjaminiHochberg.ts';
export {
  detectDrift,
  DriftVerdict,
  type DetectDriftOptions,
  type FeatureDrift,
  type FeatureWindows,
} from './detectDrift.ts';
export {
  categoryCounts,
  quantileBinCounts,
  type BinnedCounts,
  type CategoryCounts,
  type PairedCounts,
} from './histogram.ts';
export { quantileSorted } from '../sketches/quantileSorted.ts';
export { ksFromSketches, requireSameGrid, type SketchKsResult } from './ksFromSketches.ts';
export { wassersteinFromSketches, type SketchWassersteinResult } from './wassersteinFromSketches.ts';
