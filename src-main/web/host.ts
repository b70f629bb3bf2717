/**
 * The web host: the built renderer and the same dispatcher as Electron, over HTTP on
 * 127.0.0.1, for Chromium tests and machines without Electron's binary.
 *
 * Protocol (see src-shared/ipc/transport.ts):
 * - `POST /api/call/<channel>`, `Authorization: Bearer <token>`, JSON body = request
 *   -> 200 with a JSON Result (also for refused or failed calls);
 * - `GET /api/events?token=<token>` -> `text/event-stream`, each event `data: <PushEvent JSON>`;
 *   the current cache and session states are sent first;
 * - no or wrong token -> 401 Result FORBIDDEN_SENDER; a non-loopback peer or a Host other than
 *   127.0.0.1:<port> / localhost:<port> (DNS rebinding) -> 403; unknown paths -> 404;
 *   unparsable JSON -> 400 VALIDATION; body over 1 MiB -> 413. Every body is a JSON Result.
 * - static files under the renderer build, with the same CSP as Electron (as a header).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { IpcError, Result } from '../../src-shared/ipc/contract';
import { WEB_CALL_PATH, WEB_EVENTS_PATH, WEB_TOKEN_FRAGMENT } from '../../src-shared/ipc/transport';
import type { Caller } from '../ipc/dispatcher';
import { MIME_TYPES, RENDERER_SECURITY_HEADERS } from '../security/csp';
import type { Workstation } from '../services';

export interface WebHostOptions {
  workstation: Workstation;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Fixed token for tests; a fresh random one per run otherwise. */
  token?: string;
}

export interface WebHost {
  port: number;
  token: string;
  /** The address to open, with the token in the fragment (never sent to the server by the browser). */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::ffff:127.0.0.1', '::1']);
const HEARTBEAT_MS = 25_000;

function sendJson(res: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...RENDERER_SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, code: IpcError['code'], message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } });
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve('too-large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const rendererDir = path.resolve(options.rendererDir);
  const { workstation } = options;
  const streams = new Set<ServerResponse>();
  let port = options.port;

  function tokenMatches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'VALIDATION', 'Only GET is served here.');
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return refuse(res, 404, 'NOT_FOUND', 'Not found.');
    }
    const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = path.resolve(rendererDir, relative);
    // Never serve anything outside the renderer build (no ../ escapes, no dotfiles).
    if (!file.startsWith(rendererDir + path.sep) || relative.split('/').some((s) => s.startsWith('.'))) {
      return refuse(res, 404, 'NOT_FOUND', 'Not found.');
    }
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) return refuse(res, 404, 'NOT_FOUND', 'Not found.');
      body = await readFile(file);
    } catch {
      return refuse(res, 404, 'NOT_FOUND', 'Not found.');
    }
    res.writeHead(200, {
      ...RENDERER_SECURITY_HEADERS,
      'Content-Type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function serveCall(req: IncomingMessage, res: ServerResponse, channel: string, caller: Caller): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 405, 'VALIDATION', 'Calls are made with POST.');
    const auth = req.headers.authorization;
    if (!tokenMatches(auth?.startsWith('Bearer ') ? auth.slice(7) : null)) {
      return refuse(res, 401, 'FORBIDDEN_SENDER', 'This request did not come from the CareLedger window (missing or wrong token) and was refused.');
    }
    const body = await readBody(req);
    if (body === 'too-large') return refuse(res, 413, 'VALIDATION', 'The request is too large.');
    let payload: unknown = undefined;
    if (body.length > 0) {
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        return refuse(res, 400, 'VALIDATION', 'The request was not valid JSON.');
      }
    }
    const result = await workstation.dispatcher.dispatch(channel, payload, caller);
    sendJson(res, 200, result);
  }

  function serveEvents(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method !== 'GET') return refuse(res, 405, 'VALIDATION', 'Events are read with GET.');
    if (!tokenMatches(url.searchParams.get('token'))) {
      return refuse(res, 401, 'FORBIDDEN_SENDER', 'This request did not come from the CareLedger window (missing or wrong token) and was refused.');
    }
    res.writeHead(200, {
      ...RENDERER_SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    streams.add(res);
    const send = (event: unknown): void => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    send({ type: 'cache', state: workstation.cache.state() });
    send({ type: 'session', state: workstation.session.state() });
    const unsubscribe = workstation.events.subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const end = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', end);
    res.on('error', end);
  }

  const server: Server = createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    if (!LOOPBACK.has(peer)) return refuse(res, 403, 'FORBIDDEN_SENDER', 'Only this computer may use the CareLedger web host.');
    const host = (req.headers.host ?? '').toLowerCase();
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return refuse(res, 403, 'FORBIDDEN_SENDER', 'This address is not the CareLedger web host.');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
      return refuse(res, 403, 'FORBIDDEN_SENDER', 'Requests from other web pages are refused.');
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const caller: Caller = { transport: 'http', trusted: true, origin: `http ${peer}` };
    const work = url.pathname.startsWith(WEB_CALL_PATH)
      ? serveCall(req, res, decodeURIComponent(url.pathname.slice(WEB_CALL_PATH.length)), caller)
      : url.pathname === WEB_EVENTS_PATH
        ? Promise.resolve(serveEvents(req, res, url))
        : url.pathname.startsWith('/api/')
          ? Promise.resolve(refuse(res, 404, 'NOT_FOUND', 'Not found.'))
          : serveStatic(req, res, url.pathname);
    work.catch((err: unknown) => {
      console.error('[web-host] request failed:', err);
      if (!res.headersSent) refuse(res, 500, 'INTERNAL', 'Something went wrong inside the workstation. Try again.');
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#${WEB_TOKEN_FRAGMENT}=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
