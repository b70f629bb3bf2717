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
 *   127.0.0.1:<port> / localhost:<port> (DNS rebinding) -> 403; an Origin other than ours, or an
 *   `/api/` request a browser marks as sent by another site (`Sec-Fetch-Site`) -> 403; unknown
 *   paths -> 404; a malformed address (a bad %-escape), unparsable JSON or an HTTP request the
 *   parser refuses (smuggling-shaped framing, a bare LF) -> 400 VALIDATION; headers over Node's
 *   limit -> 431; body over 1 MiB -> 413 (answered first, then the rest of the body is drained
 *   up to a cap, so the client reads the answer instead of a reset). Every body is a JSON Result.
 * - static files under the renderer build, with the same CSP as Electron (as a header).
 *
 * Every request is handled inside one error boundary (`handleRequest`): whatever a request
 * throws, it is answered (400 for what the client sent, 500 otherwise) and the host keeps
 * serving; the CLI adds a process-level last resort (src-main/web/cli.ts).
 *
 * What a request without a token can reach (any web page can make the browser send a GET
 * without Origin, e.g. an `<img>`): the static renderer build (public: no data, no secrets),
 * and refusals (401/403/404/405). Calls need POST with the bearer token, events need the token,
 * and neither is ever in a URL another page could know.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
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
/**
 * After a 413, the rest of an oversized body is read and thrown away so the client sees the
 * answer (closing a socket with unread data makes the kernel send a reset); past this many
 * bytes, or this long, the connection is cut instead.
 */
const MAX_DRAIN = 16 * MAX_BODY;
const DRAIN_MS = 10_000;
const LOOPBACK = new Set(['127.0.0.1', '::ffff:127.0.0.1', '::1']);
const HEARTBEAT_MS = 25_000;
/**
 * The build's bundles, styles and wasm carry a hash of their content in their name
 * (`assets/index-C7iYKbJb.js`): a name never changes meaning, so the browser may keep them.
 * Revalidated with every page load (no-cache), each navigation downloaded and compiled the
 * 400 kB sign-in bundle again; kept, Chromium also keeps its compiled code between loads. Only
 * index.html (which names the current bundles) and unhashed files are asked for every time.
 */
const IMMUTABLE_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.(?:js|css|wasm)$/;

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

/** A malformed %-escape in a path, as a client mistake (400) rather than a crash. */
class BadAddressError extends Error {}

function decodePathSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BadAddressError(`Malformed escape in "${text.slice(0, 80)}"`);
  }
}

/**
 * Reads a request body up to MAX_BODY. Never destroys the request: a body that is too large
 * resolves 'too-large' at once (from Content-Length when declared) and the caller answers 413
 * before `drainAfterAnswer` discards the rest.
 */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Once the 413 is flushed, reads and discards the rest of the body, up to MAX_DRAIN bytes or DRAIN_MS. */
function drainAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.readableEnded) return;
    let drained = 0;
    const cut = (): void => {
      clearTimeout(timer);
      req.socket.destroy();
    };
    const timer = setTimeout(cut, DRAIN_MS);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAIN) cut();
    });
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The answer to an HTTP request Node's parser refused (it never reaches the request handler). */
function clientErrorAnswer(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'The request headers are too large.' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'The request took too long to arrive and was dropped.' };
  return { status: 400, message: 'The request is not valid HTTP and was refused.' };
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const rendererDir = path.resolve(options.rendererDir);
  const { workstation } = options;
  const streams = new Set<ServerResponse>();
  let realRendererDir: string | undefined;
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
      // A symlink inside the build must not lead out of it either: compare real paths.
      realRendererDir ??= await realpath(rendererDir);
      const real = await realpath(file);
      if (!real.startsWith(realRendererDir + path.sep)) return refuse(res, 404, 'NOT_FOUND', 'Not found.');
      if (!(await stat(real)).isFile()) return refuse(res, 404, 'NOT_FOUND', 'Not found.');
      body = await readFile(real);
    } catch {
      return refuse(res, 404, 'NOT_FOUND', 'Not found.');
    }
    res.writeHead(200, {
      ...RENDERER_SECURITY_HEADERS,
      'Content-Type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': IMMUTABLE_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
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
    if (body === 'too-large') {
      drainAfterAnswer(req, res);
      return refuse(res, 413, 'VALIDATION', 'The request is too large (the limit is 1 MiB).');
    }
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

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      throw new BadAddressError(`Unparsable request target "${(req.url ?? '').slice(0, 80)}"`);
    }
    // A GET from another page carries no Origin, but browsers mark it: refuse it before any API
    // code runs (another local server on 127.0.0.1 is "same-site", so that is refused too).
    const fetchSite = req.headers['sec-fetch-site'];
    if (url.pathname.startsWith('/api/') && (fetchSite === 'cross-site' || fetchSite === 'same-site')) {
      return refuse(res, 403, 'FORBIDDEN_SENDER', 'Requests from other web pages are refused.');
    }
    const caller: Caller = { transport: 'http', trusted: true, origin: `http ${peer}` };
    if (url.pathname.startsWith(WEB_CALL_PATH)) return serveCall(req, res, decodePathSegment(url.pathname.slice(WEB_CALL_PATH.length)), caller);
    if (url.pathname === WEB_EVENTS_PATH) return serveEvents(req, res, url);
    if (url.pathname.startsWith('/api/')) return refuse(res, 404, 'NOT_FOUND', 'Not found.');
    return serveStatic(req, res, url.pathname);
  }

  /** The one error boundary: every request is answered, whatever it throws, and the host keeps serving. */
  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (err) {
      const clientMistake = err instanceof BadAddressError;
      if (!clientMistake) console.error('[web-host] request failed:', err);
      if (res.headersSent) {
        res.end();
        return;
      }
      if (clientMistake) refuse(res, 400, 'VALIDATION', 'The address of the request is not valid (for example a broken %-escape) and was refused.');
      else refuse(res, 500, 'INTERNAL', 'Something went wrong inside the workstation. Try again.');
    }
  }

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      // Only reached if answering itself failed (socket gone): log and drop this connection.
      console.error('[web-host] could not answer a request:', err);
      req.socket.destroy();
    });
  });
  // Requests Node's HTTP parser refuses (smuggling-shaped framing, bare LF, huge headers) get a
  // JSON answer too, then the connection is closed: after a framing error nothing on it can be trusted.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const { status, message } = clientErrorAnswer(err.code);
    const text = JSON.stringify({ ok: false, error: { code: 'VALIDATION', message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
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
