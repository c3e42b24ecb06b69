/** Brings up a TF.js backend for the bench peers with the runtime's own probes (same wasm files, same flags). */
import { backendOrder } from '../workers/backend.ts';
import type { BackendName } from '../workers/protocol.ts';

export async function selectPeerBackend(name: string): Promise<void> {
  const reason = await backendOrder([name as BackendName])[0].probe();
  if (reason !== null) throw new Error(`backend ${name} did not start: ${reason}`);
}
