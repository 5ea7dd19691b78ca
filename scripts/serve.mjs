#!/usr/bin/env node
/**
 * Zero-dependency static server for the built app (dist/): cross-origin isolated, strict CSP,
 * SPA fallback, no directory traversal. Run directly (`node scripts/serve.mjs [--port N]`) or import
 * `startServer` from tests.
 */
import { STATUS_CODES, createServer, maxHeaderSize } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Content-Security-Policy of the app: no inline or eval'd script, no foreign origins. 'wasm-unsafe-eval'
 * lets WebAssembly modules compile (the CPU backend assembles its SIMD kernel at run time); it does not
 * allow eval() or new Function().
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  'frame-ancestors *',
].join('; ');

/** Response headers every page and asset gets: cross-origin isolation (SharedArrayBuffer), CSP, nosniff. */
export function securityHeaders() {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  };
}

/** MIME type by lower-case file extension. */
export const MIME_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
});

const DEFAULT_ROOT = fileURLToPath(new URL('../dist/', import.meta.url));
const DEFAULT_PORT = 4173;

/** MIME type for a file path (application/octet-stream when unknown). */
export function mimeType(path) {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a request URL path to a file under root, or null when the path is malformed or escapes root
 * (any `..` segment, NUL byte, backslash or encoded slash is rejected outright).
 */
export function resolveRequestPath(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  if (/%2f|%5c/i.test(urlPath)) return null;
  if (decoded.split('/').some((segment) => segment === '..')) return null;
  const absRoot = resolve(root);
  const file = resolve(absRoot, '.' + decoded);
  if (file !== absRoot && !file.startsWith(absRoot + sep)) return null;
  return file;
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Picks the file to send for a URL path: the file itself, a directory's index.html, or the SPA fallback. */
async function pickFile(root, urlPath) {
  const file = resolveRequestPath(root, urlPath);
  if (file === null) return { status: 400 };
  if (await isFile(file)) return { status: 200, file };
  const index = join(file, 'index.html');
  if (await isFile(index)) return { status: 200, file: index };
  if (extname(file) === '') {
    const spaIndex = join(resolve(root), 'index.html');
    if (await isFile(spaIndex)) return { status: 200, file: spaIndex };
  }
  return { status: 404 };
}

function sendText(res, status, text, headers) {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

async function handle(root, req, res) {
  const headers = securityHeaders();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method Not Allowed\n', { ...headers, Allow: 'GET, HEAD' });
    return;
  }
  const urlPath = (req.url ?? '/').split(/[?#]/)[0] || '/';
  const picked = await pickFile(root, urlPath);
  if (picked.status !== 200 || !picked.file) {
    sendText(res, picked.status, picked.status === 400 ? 'Bad Request\n' : 'Not Found\n', headers);
    return;
  }
  const body = await readFile(picked.file);
  const isHtml = picked.file.endsWith('.html');
  res.writeHead(200, {
    ...headers,
    'Content-Type': mimeType(picked.file),
    'Content-Length': body.length,
    'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=0, must-revalidate',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Status and reason for a request Node's parser refused (its own choices: 431, 413, 408, else 400). */
function clientErrorStatus(code) {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, `the request line and headers must fit in ${Math.round(maxHeaderSize / 1024)} KB`];
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return [413, 'chunk extensions too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'the request took too long to arrive'];
  return [400, 'the request could not be parsed'];
}

/**
 * Answers a request that never reached the handler (too long a request line, malformed, too slow) with a short
 * text body and the same security headers as every other response, instead of Node's bare status line.
 */
function onClientError(err, socket) {
  // Answered already: later parse errors of the same bytes are not answered twice.
  if (socket.writableEnded) return;
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, why] = clientErrorStatus(err.code);
  const body = `${STATUS_CODES[status]}: ${why}\n`;
  const headers = { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`);
}

function listen(server, port) {
  return new Promise((resolveListen, rejectListen) => {
    const onError = (err) => {
      server.off('listening', onListening);
      rejectListen(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

/**
 * Serves `root` (default dist/) on 127.0.0.1:`port` (0 = any free port; a taken port falls back to a
 * free one) and resolves to the base URL and a close function.
 * @param {{ root?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export async function startServer({ root = DEFAULT_ROOT, port = DEFAULT_PORT } = {}) {
  const server = createServer((req, res) => {
    handle(root, req, res).catch((err) => {
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error\n', securityHeaders());
      else res.destroy(err);
    });
  });
  server.on('clientError', onClientError);
  let bound;
  try {
    bound = await listen(server, port);
  } catch (err) {
    if (err?.code !== 'EADDRINUSE' || port === 0) throw err;
    bound = await listen(server, 0);
  }
  const close = () =>
    new Promise((resolveClose) => {
      server.closeAllConnections?.();
      server.close(() => resolveClose());
    });
  return { url: `http://127.0.0.1:${bound}/`, port: bound, close };
}

/** Reads --port N / --port=N / PORT from argv and env; undefined when neither is given. */
export function parsePort(argv, env) {
  let raw = env.PORT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') raw = argv[i + 1];
    else if (arg.startsWith('--port=')) raw = arg.slice('--port='.length);
  }
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${raw}`);
  return port;
}

async function main() {
  const port = parsePort(process.argv.slice(2), process.env) ?? DEFAULT_PORT;
  if (!(await isFile(join(DEFAULT_ROOT, 'index.html')))) {
    console.error('dist/index.html not found: run `npm run build` first (or `npm start`).');
    process.exit(1);
  }
  const { url, close } = await startServer({ root: DEFAULT_ROOT, port });
  console.log(`Backprop Lab is running at ${url}`);
  const stop = () => close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
