// Dependency-free static server for the playground: web/ at /, dist/ at /dist/, a few vendor files at /vendor/.
import { createServer } from 'node:http';
import { open } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** URL prefix -> directory. The longest matching prefix wins; '/' is the page. */
const MOUNTS = [
  ['/dist/', path.join(ROOT, 'dist')],
  ['/', path.join(ROOT, 'web')],
];

/** Only these files of node_modules are served, each at an explicit URL. */
const VENDOR = new Map([
  ['/vendor/uplot/uPlot.esm.js', path.join(ROOT, 'node_modules/uplot/dist/uPlot.esm.js')],
  ['/vendor/uplot/uPlot.min.css', path.join(ROOT, 'node_modules/uplot/dist/uPlot.min.css')],
]);

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const COMMON_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/**
 * Maps a request path to a file on disk, or null when it is outside every root. The path is
 * percent-decoded once, must not contain NUL or backslashes, and the resolved file must stay
 * inside the mount's directory (so `..`, `%2e%2e` and `%2f` tricks cannot escape).
 */
export function resolveRequestPath(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (VENDOR.has(decoded)) return VENDOR.get(decoded);
  if (decoded.startsWith('/vendor/')) return null;
  for (const [prefix, dir] of MOUNTS) {
    if (!decoded.startsWith(prefix)) continue;
    let rel = decoded.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(dir, rel);
    if (file !== dir && !file.startsWith(dir + path.sep)) return null;
    return file;
  }
  return null;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  let pathname;
  try {
    pathname = new URL(req.url, 'http://localhost').pathname;
  } catch {
    send(res, 400, 'bad request\n');
    return;
  }
  // Raw `..` segments are normalised away by URL(); check the raw target too, so they 404 rather than redirect.
  if (/(^|\/)\.\.?(\/|$)/.test(req.url.split('?')[0])) {
    send(res, 404, 'not found\n');
    return;
  }
  const file = resolveRequestPath(pathname);
  if (!file) {
    send(res, 404, 'not found\n');
    return;
  }
  let fh;
  try {
    fh = await open(file, 'r');
    const st = await fh.stat();
    if (!st.isFile()) {
      send(res, 404, 'not found\n');
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': st.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.end(await fh.readFile());
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR' || e.code === 'EISDIR') send(res, 404, 'not found\n');
    else send(res, 500, 'internal error\n');
  } finally {
    await fh?.close();
  }
}

function listenOnce(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (e) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Starts the server. port 0 picks a free port; a busy fixed port tries the next ones (up to
 * `tries`). Resolves to { server, url, port, close() }.
 */
export async function startServer({ port = 8080, host = '127.0.0.1', tries = 20 } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  for (let i = 0; ; i++) {
    try {
      await listenOnce(server, port === 0 ? 0 : port + i, host);
      break;
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || port === 0 || i + 1 >= tries) throw e;
    }
  }
  const actual = server.address().port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be an integer 0-65535 (got '${process.env.PORT}')`);
    process.exit(2);
  }
  const { url } = await startServer({ port });
  console.log(`wasmq playground: ${url}  (Ctrl-C to stop)`);
  if (!existsSync(path.join(ROOT, 'dist', 'index.mjs'))) {
    console.warn('serve: dist/index.mjs is missing, so the page cannot load wasmq: run `npm run build` first');
  }
}
