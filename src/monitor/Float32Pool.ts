/**
 * Reusable Float32Arrays by length. The worker copies every batch's features and scores for monitoring
 * (the originals are reused or transferred away); taking the copies from here instead of allocating keeps
 * ArrayBuffer allocation — and the external-memory GCs it triggers — off the per-batch path.
 */
export class Float32Pool {
  private readonly free = new Map<number, Float32Array[]>();

  /** @param keep Most arrays kept per length; returns beyond it are left to the GC. */
  constructor(private readonly keep = 256) {}

  /** An array of `length` (contents undefined: the caller overwrites it). */
  take(length: number): Float32Array {
    return this.free.get(length)?.pop() ?? new Float32Array(length);
  }

  /** Returns an array the caller no longer reads. */
  give(array: Float32Array): void {
    if (array.byteOffset !== 0 || array.byteLength !== array.buffer.byteLength) return; // views stay with their owner
    let list = this.free.get(array.length);
    if (!list) {
      list = [];
      this.free.set(array.length, list);
    }
    if (list.length < this.keep) list.push(array);
  }
}
