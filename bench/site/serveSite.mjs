/**
 * A small static server for the built bench site on 127.0.0.1 (a random port), cross-origin isolated
 * (COOP + COEP, so threaded wasm runs and performance.now() has 5 µs resolution). `mounts` map URL
 * prefixes to folders (the bench registries built outside the site); everything else comes from `dir`.
 * Hashed assets are served as a production host would (cached for good); registry files are `no-store`,
 * so a "network" first visit really fetches them.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
  '.csv': 'text/csv',
};

/** Resolves `path` under `dir`, or undefined when it would leave it. */
function inside(dir, path) {
  const file = normalize(join(dir, path));
  return file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep) ? file : undefined;
}

/** Starts the server; resolves to `{ url, close }` (url ends with '/'). */
export async function serveSite(dir, mounts = {}) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
    const file = prefix ? inside(mounts[prefix], path.slice(prefix.length)) : inside(dir, path === '/' ? 'index.html' : path);
    let size = -1;
    try {
      const stat = file && statSync(file);
      if (stat?.isFile()) size = stat.size;
    } catch {}
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (size < 0) {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}
