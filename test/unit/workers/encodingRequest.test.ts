import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../../src/registry/Manifest.ts';
import { encodingRequest } from '../../../workers/engineTrials.ts';
import type { LoadRequest } from '../../../workers/protocol.ts';

const entry = {
  format: 'tfjs-layers',
  modelPath: 'w/a/model.json',
  artifacts: [{ path: 'w/a/model.json', sha256: 'a'.repeat(64), bytes: 1 }],
  features: { schema: 'edgewatch.features/v1', inputs: [], features: [] },
  outputs: { kind: 'regression' },
  goldens: [{ record: { x: 1 }, features: [1], scores: [2] }],
  alternates: [
    {
      format: 'onnx',
      modelPath: 'w/b/model.onnx',
      artifacts: [{ path: 'w/b/model.onnx', sha256: 'b'.repeat(64), bytes: 2 }],
      onnx: { output: 'probabilities' },
    },
  ],
} as unknown as ModelVersion;
const request = { name: 'w', version: '1', manifestUrl: 'https://x/manifest.json', entry } as LoadRequest;

describe('encodingRequest', () => {
  it("loads an alternate with the version's features, outputs and goldens, and only the alternate's files", () => {
    const alternate = encodingRequest(request, 0);
    expect(alternate.entry).toEqual({
      format: 'onnx',
      modelPath: 'w/b/model.onnx',
      artifacts: [{ path: 'w/b/model.onnx', sha256: 'b'.repeat(64), bytes: 2 }],
      onnx: { output: 'probabilities' },
      features: entry.features,
      outputs: entry.outputs,
      goldens: entry.goldens,
    });
    expect(alternate.name).toBe('w');
    expect(alternate.version).toBe('1');
  });

  it('-1 (or an index past the list) is the version as published', () => {
    expect(encodingRequest(request, -1)).toBe(request);
    expect(encodingRequest(request, 3)).toBe(request);
  });
});
