import type { io } from '@tensorflow/tfjs';
import { EdgewatchError, ErrorCode } from '../errors.ts';

/**
 * A TF.js IO handler over verified bytes already in memory (from the network or the cache): TF.js never
 * fetches anything itself, so nothing unverified can be loaded. `modelPath` is the model.json artifact
 * path; weight paths in its manifest are relative to it.
 */
export function memoryIOHandler(files: ReadonlyMap<string, Uint8Array>, modelPath: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const modelBytes = files.get(modelPath);
      if (!modelBytes) throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${modelPath} is not among the version's artifacts`, { path: modelPath });
      let modelJson: io.ModelJSON;
      try {
        modelJson = JSON.parse(new TextDecoder().decode(modelBytes));
      } catch (cause) {
        throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${modelPath} is not JSON`, { path: modelPath }, { cause });
      }
      const base = modelPath.slice(0, modelPath.lastIndexOf('/') + 1);
      const weightSpecs: io.WeightsManifestEntry[] = [];
      const shards: Uint8Array[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const path of group.paths) {
          const shard = files.get(base + path);
          if (!shard)
            throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `Weight shard ${base + path} is not among the version's artifacts`, { path: base + path });
          shards.push(shard);
        }
      }
      const total = shards.reduce((sum, s) => sum + s.byteLength, 0);
      const weightData = new Uint8Array(total);
      let at = 0;
      for (const shard of shards) {
        weightData.set(shard, at);
        at += shard.byteLength;
      }
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy ?? undefined,
        signature: modelJson.signature,
        userDefinedMetadata: modelJson.userDefinedMetadata,
        modelInitializer: modelJson.modelInitializer,
        weightSpecs,
        weightData: weightData.buffer,
      };
    },
  };
}
