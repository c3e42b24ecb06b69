/**
 * A registry served over real HTTP by a server the browser tests start (a vitest browser command: it runs
 * in Node). It serves a copy of public/registry with ETags and CORS, counts every request and byte, and
 * injects faults per path: HTTP errors, slow answers, truncated or tampered bodies, a cut network.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { BrowserCommand } from 'vitest/node';

/** A fault injected on one path ('*' for every path). */
export type Fault =
  | { readonly status: number }
  | { readonly delayMs: number }
  | { readonly truncateTo: number }
  | { readonly tamper: true }
  | { readonly cut: true }
  /** Answer 200 with `bytes` zero bytes instead of the file, streamed with back-pressure (Content-Length sent when `declare`). */
  | { readonly stream: number; readonly declare?: boolean };

interface Served {
  readonly path: string;
  readonly status: number;
  /** Bytes written to the socket (for a `stream` fault: so far). */
  bytes: number;
}

interface Registry {
  readonly server: Server;
  readonly dir: string;
  readonly faults: Map<string, Fault>;
  readonly log: Served[];
}

const registries = new Map<string, Registry>();
const root = join(dirname(new URL(import.meta.url).pathname), '..', '..', 'public', 'registry');

function registry(id: string): Registry {
  const found = registries.get(id);
  if (!found) throw new Error(`no registry server ${id}`);
  return found;
}

const registryStart: BrowserCommand<[]> = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgewatch-registry-'));
  cpSync(root, dir, { recursive: true });
  const faults = new Map<string, Fault>();
  const log: Served[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'If-None-Match');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Content-Length');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const fault = faults.get(path) ?? faults.get('*');
    if (fault && 'cut' in fault) {
      log.push({ path, status: 0, bytes: 0 });
      req.socket.destroy();
      return;
    }
    if (fault && 'stream' in fault) {
      const total = fault.stream;
      const entry = { path, status: 200, bytes: 0 };
      log.push(entry);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...(fault.declare ? { 'Content-Length': total } : {}) });
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (entry.bytes < total && !res.destroyed) {
          const n = Math.min(chunk.length, total - entry.bytes);
          entry.bytes += n;
          if (!res.write(chunk.subarray(0, n))) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
      return;
    }
    const answer = () => {
      let body: Buffer;
      try {
        body = readFileSync(join(dir, normalize(path)));
      } catch {
        log.push({ path, status: 404, bytes: 0 });
        res.writeHead(404).end();
        return;
      }
      if (fault && 'status' in fault) {
        log.push({ path, status: fault.status, bytes: 0 });
        res.writeHead(fault.status).end();
        return;
      }
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
      if (req.headers['if-none-match'] === etag) {
        log.push({ path, status: 304, bytes: 0 });
        res.writeHead(304, { ETag: etag }).end();
        return;
      }
      if (fault && 'tamper' in fault) {
        body = Buffer.from(body);
        body[body.length >> 1] ^= 0x01;
      }
      const type = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      if (fault && 'truncateTo' in fault) {
        res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, ETag: etag });
        res.write(body.subarray(0, fault.truncateTo));
        log.push({ path, status: 200, bytes: fault.truncateTo });
        // Close mid-body: the client sees fewer bytes than Content-Length.
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      log.push({ path, status: 200, bytes: body.length });
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, ETag: etag, 'Cache-Control': 'no-cache' });
      res.end(body);
    };
    if (fault && 'delayMs' in fault) setTimeout(answer, fault.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const id = String(address.port);
  registries.set(id, { server, dir, faults, log });
  return { id, url: `http://127.0.0.1:${address.port}/manifest.json` };
};

/** The directory a registry server serves (for commands that run the CLI on it). */
export function registryDir(id: string): string {
  return registry(id).dir;
}

const registryFault: BrowserCommand<[id: string, path: string, fault: Fault | null]> = async (_ctx, id, path, fault) => {
  const { faults } = registry(id);
  if (fault) faults.set(path, fault);
  else faults.delete(path);
};

const registryWrite: BrowserCommand<[id: string, path: string, content: string, encoding?: 'utf8' | 'base64']> = async (
  _ctx,
  id,
  path,
  content,
  encoding = 'utf8',
) => {
  const target = join(registry(id).dir, normalize(path));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, Buffer.from(content, encoding));
};

const registryRead: BrowserCommand<[id: string, path: string]> = async (_ctx, id, path) =>
  readFileSync(join(registry(id).dir, normalize(path))).toString('base64');

const registryLog: BrowserCommand<[id: string, clear?: boolean]> = async (_ctx, id, clear = false) => {
  const { log } = registry(id);
  const copy = [...log];
  if (clear) log.length = 0;
  return copy;
};

const registryStop: BrowserCommand<[id: string]> = async (_ctx, id) => {
  const { server, dir } = registry(id);
  registries.delete(id);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
};

export const registryCommands = { registryStart, registryFault, registryWrite, registryRead, registryLog, registryStop };

declare module 'vitest/browser' {
  interface BrowserCommands {
    registryStart(): Promise<{ id: string; url: string }>;
    registryFault(id: string, path: string, fault: Fault | null): Promise<void>;
    registryWrite(id: string, path: string, content: string, encoding?: 'utf8' | 'base64'): Promise<void>;
    registryRead(id: string, path: string): Promise<string>;
    registryLog(id: string, clear?: boolean): Promise<{ path: string; status: number; bytes: number }[]>;
    registryStop(id: string): Promise<void>;
  }
}
