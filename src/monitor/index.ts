export * from './drift/index.ts';
export * from './sketches/index.ts';
