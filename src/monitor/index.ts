export * from './drift/index.ts';
