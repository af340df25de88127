// Serves the peer app's published web build (Actual Budget, tests/peer) on loopback the
// way Tally's server sends its own files, so the two are measured alike: brotli (best
// quality, made for every file before the first request) when the browser accepts it,
// else gzip; hashed files kept a
// year; the headers its build asks for in `_headers` (cross-origin isolation, which its
// SQLite-in-the-browser needs); any other path is its single page, as its `_redirects` says.
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.wasm', '.svg', '.txt', '.xml', '.ico']);

export type Peer = { url: string; close: () => Promise<void> };

/** The headers `_headers` gives every path (`/*`), in Netlify's format. */
function headersForAll(build: string): [string, string][] {
  const file = join(build, '_headers');
  if (!existsSync(file)) return [];
  const headers: [string, string][] = [];
  let inAll = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      inAll = line.trim() === '/*';
      continue;
    }
    const colon = line.indexOf(':');
    if (inAll && colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

function brotli(body: Buffer): Buffer {
  return brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
}

/** Every file's brotli and gzip, made before the server answers anything (as Tally's build
 *  makes its own), so no answer waits for compression while Lighthouse measures. */
function precompress(build: string): Map<string, Buffer> {
  const compressed = new Map<string, Buffer>();
  for (const entry of readdirSync(build, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !COMPRESSIBLE.has(extname(file))) continue;
    const body = readFileSync(file);
    compressed.set(`br:${file}`, brotli(body));
    compressed.set(`gzip:${file}`, gzipSync(body, { level: 9 }));
  }
  return compressed;
}

export async function servePeer(build: string): Promise<Peer> {
  const common = headersForAll(build);
  const compressed = precompress(build);
  const server: Server = createServer((request, response) => {
    let path = '/';
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://peer').pathname);
    } catch {
      // A malformed address gets the single page, as any unknown one does.
    }
    let file = normalize(join(build, path));
    if (!file.startsWith(build + sep) || !existsSync(file) || statSync(file).isDirectory()) file = join(build, 'index.html');
    const extension = extname(file);
    for (const [name, value] of common) response.setHeader(name, value);
    response.setHeader('Content-Type', TYPES[extension] ?? 'application/octet-stream');
    response.setHeader(
      'Cache-Control',
      file.includes('/static/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    let body = readFileSync(file);
    const accepts = String(request.headers['accept-encoding'] ?? '');
    if (COMPRESSIBLE.has(extension)) {
      response.setHeader('Vary', 'Accept-Encoding');
      const encoding = /\bbr\b/.test(accepts) ? 'br' : /\bgzip\b/.test(accepts) ? 'gzip' : undefined;
      if (encoding) {
        response.setHeader('Content-Encoding', encoding);
        body = compressed.get(`${encoding}:${file}`)!;
      }
    }
    response.setHeader('Content-Length', body.length);
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
