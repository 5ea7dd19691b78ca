// The static server (scripts/serve.mjs) answers requests that Node's HTTP parser refuses — a request line over
// 16 KB, a malformed request — with a short text body and the same security headers as every other response.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders, startServer, type RunningServer } from '../../scripts/serve.mjs';

/** A parsed HTTP/1.1 response. */
interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends `request` as raw bytes and reads the response until the server closes the connection. */
function rawRequest(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1]), headers, body: text.slice(split + 4) });
    });
    socket.write(request);
  });
}

/** The security headers every response must carry, lower-cased as a parser gives them. */
const SECURITY = Object.fromEntries(Object.entries(securityHeaders()).map(([k, v]) => [k.toLowerCase(), v]));

describe('serve.mjs: requests the HTTP parser refuses', () => {
  let root: string;
  let server: RunningServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'serve-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({ root, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a request line over 16 KB gets 431 with a text body and the security headers of every response', async () => {
    const r = await rawRequest(server.port, `GET /?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(r.headers).toMatchObject(SECURITY);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toBe('Request Header Fields Too Large: the request line and headers must fit in 16 KB\n');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
  });

  it('a malformed request gets 400 with a text body and the same headers', async () => {
    const r = await rawRequest(server.port, 'GARBAGE\r\n\r\n');
    expect(r.status).toBe(400);
    expect(r.headers).toMatchObject(SECURITY);
    expect(r.body).toBe('Bad Request: the request could not be parsed\n');
  });

  it('an ordinary response carries the same security headers (the reference)', async () => {
    const r = await rawRequest(server.port, 'GET /missing.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(404);
    expect(r.headers).toMatchObject(SECURITY);
  });
});
