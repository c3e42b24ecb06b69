export * from './drift/index.ts';
export * from './sketches/index.ts';
export * from './detectors/index.ts';
export * from './quality/index.ts';
