export { DriftSummary, SUMMARY_SCHEMA } from './DriftSummary.ts';
export { compare, compareCategories, normalTwoSided, type CompareOptions } from './compare.ts';
export type { CategoryDrift, DriftReport, HealthReport, QualityReport, QuantityDrift } from './DriftReport.ts';
