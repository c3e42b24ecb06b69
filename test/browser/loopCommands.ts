/**
 * Vitest browser commands for the retraining loop: the pipeline's side (the `edgewatch` CLI, in Node) run
 * on a registry server's directory while the device's side runs in Chromium against the same server.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { BrowserCommand } from 'vitest/node';
import { registryDir } from './registryServer.ts';

const works = new Map<string, string>();
/** The pipeline's working directory for registry server `id` (summaries, labelled data, keys). */
const workOf = (id: string) => {
  const dir = works.get(id) ?? mkdtempSync(join(tmpdir(), 'edgewatch-loop-'));
  works.set(id, dir);
  return dir;
};

/** Runs `edgewatch …` in-process; `$REGISTRY` and `$WORK` in an argument stand for the two directories. */
const loopCli: BrowserCommand<[id: string, argv: string[]]> = async (_ctx, id, argv) => {
  const out: string[] = [];
  const err: string[] = [];
  // Imported on first use: the CLI (and TF.js for Node) need not load with every browser test run's config.
  const { main } = await import('../../src/cli/main.ts');
  const args = argv.map((a) => a.replaceAll('$REGISTRY', registryDir(id)).replaceAll('$WORK', workOf(id)));
  const code = await main(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const loopWrite: BrowserCommand<[id: string, path: string, content: string]> = async (_ctx, id, path, content) => {
  const target = join(workOf(id), normalize(path));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
};

const loopRead: BrowserCommand<[id: string, path: string]> = async (_ctx, id, path) => readFileSync(join(workOf(id), normalize(path)), 'utf8');

export const loopCommands = { loopCli, loopWrite, loopRead };

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** `edgewatch <argv>` on registry server `id`'s directory (`$REGISTRY`) with a working directory (`$WORK`). */
    loopCli(id: string, argv: string[]): Promise<{ code: number; out: string; err: string }>;
    /** Writes a file under the pipeline's working directory. */
    loopWrite(id: string, path: string, content: string): Promise<void>;
    /** Reads a file under the pipeline's working directory. */
    loopRead(id: string, path: string): Promise<string>;
  }
}
