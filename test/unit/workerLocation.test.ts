import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/runtime/resolveOptions.ts';

describe('workerUrl and wasmPaths', () => {
  it('resolves workerUrl against the page and reports it as the URL the worker starts from', () => {
    const options = resolveOptions({ registry: '/registry/manifest.json', workerUrl: '/static/edgewatch/inference.worker.js' });
    // Outside a page relative URLs resolve against http://localhost/ (as the registry does).
    expect(options.workerUrl()).toBe('http://localhost/static/edgewatch/inference.worker.js');
  });

  it('names no URL for a createWorker of the app, which wins over workerUrl', () => {
    const createWorker = () => ({}) as Worker;
    const options = resolveOptions({ registry: '/m.json', createWorker, workerUrl: '/ignored.js' });
    expect(options.createWorker).toBe(createWorker);
    expect(options.workerUrl()).toBeUndefined();
  });

  it('passes wasmPaths to the worker as given (a prefix or a file map), and nothing when not set', () => {
    expect(resolveOptions({ registry: '/m.json', wasmPaths: '/wasm/' }).workerConfig.wasmPaths).toBe('/wasm/');
    const files = { 'tfjs-backend-wasm-simd.wasm': '/a/simd.wasm' };
    expect(resolveOptions({ registry: '/m.json', wasmPaths: files }).workerConfig.wasmPaths).toEqual(files);
    expect(resolveOptions({ registry: '/m.json' }).workerConfig).not.toHaveProperty('wasmPaths');
  });
});
