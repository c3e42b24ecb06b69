export type { DriftDetector } from './DriftDetector.ts';
export { PageHinkley, type PageHinkleyOptions } from './PageHinkley.ts';
export { DDM, type DDMOptions } from './DDM.ts';
export { ADWIN, type ADWINOptions } from './ADWIN.ts';
