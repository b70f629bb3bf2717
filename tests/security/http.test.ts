/**
 * Hostile HTTP against the real web host process (`src-main/web/cli.ts`, what
 * `npm run start:web` runs): malformed escapes, oversized bodies, wrong Host and Origin, missing
 * and wrong tokens, smuggling-shaped framing, a bare LF and huge headers. Each attack gets a
 * clear JSON refusal, and after each one an ordinary call proves the same process still serves.
 * Last, the same from a hostile page in Chromium: its <img>, fetch and form requests are refused.
 * (Issue 15 items 2, 6 and 9: one request with `%E0%A4%A` used to kill the host and its ledger.)
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../../tools/chromium';
import { startWebHost, type RunningWebHost } from '../e2e/support/web-host';

let host: RunningWebHost;
let port: number;
let rendererDir: string;

beforeAll(async () => {
  // A stand-in renderer build: these attacks are about the HTTP layer, not the screens.
  rendererDir = await mkdtemp(path.join(os.tmpdir(), 'careledger-hostile-renderer-'));
  await mkdir(path.join(rendererDir, 'assets'));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>CareLedger</title>');
  // A symlink planted in the build that points outside it.
  await writeFile(path.join(rendererDir, '..', `${path.basename(rendererDir)}-secret.txt`), 'not for the web');
  await symlink(path.join(rendererDir, '..', `${path.basename(rendererDir)}-secret.txt`), path.join(rendererDir, 'assets', 'leak.txt'));
  host = await startWebHost({ demo: false, rendererDir });
  port = Number(new URL(host.url).port);
});

afterAll(async () => {
  await host?.stop({ removeData: true });
  await rm(rendererDir, { recursive: true, force: true });
  await rm(`${rendererDir}-secret.txt`, { force: true });
});

interface Reply {
  status: number;
  body: string;
}

function send(pathname: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: Buffer[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end(options.body);
  });
}

/** Raw bytes over TCP, for requests an HTTP client refuses to send; reads until the host closes. */
function sendRaw(bytes: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (text += c));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.end(bytes);
  });
}

const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' });

function errorOf(reply: { body?: string; text?: string }): { code: string; message: string } {
  const raw = reply.body ?? reply.text?.slice(reply.text.indexOf('\r\n\r\n') + 4) ?? '';
  const parsed = JSON.parse(raw) as { ok: boolean; error: { code: string; message: string } };
  expect(parsed.ok).toBe(false);
  return parsed.error;
}

/** The proof that the host survived: an ordinary authorised call answered by the same process. */
async function expectStillServing(): Promise<void> {
  const reply = await send('/api/call/session.state', { method: 'POST', headers: bearer(), body: '{}' });
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toMatchObject({ ok: true });
}

describe('hostile HTTP against the web host', () => {
  it('answers a malformed %-escape with 400 JSON, with or without a token, and keeps serving', async () => {
    const attempts: { path: string; method: string; headers: Record<string, string> }[] = [
      { path: '/api/call/%E0%A4%A', method: 'POST', headers: {} },
      // What an <img src> on any web page sends: a GET without Origin and without token.
      { path: '/api/call/%E0%A4%A', method: 'GET', headers: {} },
      { path: '/api/call/%E0%A4%A', method: 'POST', headers: bearer() },
      { path: '/api/call/session.state%', method: 'POST', headers: bearer() },
      { path: '/api/call/%ZZ', method: 'POST', headers: bearer() },
    ];
    for (const a of attempts) {
      const reply = await send(a.path, { method: a.method, headers: a.headers, body: a.method === 'POST' ? '{}' : undefined });
      expect(reply.status, `${a.method} ${a.path}`).toBe(400);
      expect(errorOf(reply)).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/%-escape/) });
      await expectStillServing();
    }
    // The same escape in a static path is simply not found.
    expect((await send('/%E0%A4%A')).status).toBe(404);
    await expectStillServing();
  });

  it('lets a GET without Origin reach nothing but the public page and refusals', async () => {
    expect((await send('/')).status).toBe(200);
    expect((await send('/api/call/session.state')).status).toBe(405);
    expect((await send('/api/events')).status).toBe(401);
    expect((await send('/api/anything')).status).toBe(404);
    // Nothing outside the renderer build: no ../ escape (raw or encoded), no dotfile, no symlink out.
    for (const escape of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/.env', '/assets/leak.txt']) {
      expect((await send(escape)).status, escape).toBe(404);
    }
    // A browser marks a request made by another site; /api/ refuses it before any API code runs.
    const marked = await send(`/api/events?token=${host.token}`, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(marked.status).toBe(403);
    expect(errorOf(marked).code).toBe('FORBIDDEN_SENDER');
    await expectStillServing();
  });

  it('answers a body over 1 MiB with the documented 413 JSON, not a reset, declared or streamed', async () => {
    const declared = await send('/api/call/session.state', { method: 'POST', headers: bearer(), body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
    expect(declared.status).toBe(413);
    expect(errorOf(declared)).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/too large/) });
    await expectStillServing();
    // Chunked, so the size is only known while reading.
    const streamed = await send('/api/call/session.state', {
      method: 'POST',
      headers: { ...bearer(), 'Transfer-Encoding': 'chunked' },
      chunks: Array.from({ length: 24 }, () => Buffer.alloc(128 * 1024, 0x20)),
    });
    expect(streamed.status).toBe(413);
    expect(errorOf(streamed).code).toBe('VALIDATION');
    await expectStillServing();
  });

  it('cuts a body far over the limit after answering, without holding it, and keeps serving', async () => {
    // 64 MiB streamed: more than the host drains after its 413; the client may see the answer
    // or a cut connection, and the host must not buffer it or stop serving.
    const outcome = await send('/api/call/session.state', {
      method: 'POST',
      headers: { ...bearer(), 'Transfer-Encoding': 'chunked' },
      chunks: Array.from({ length: 64 }, () => Buffer.alloc(1024 * 1024, 0x20)),
    }).then(
      (reply) => reply.status,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(outcome);
    await expectStillServing();
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403', async () => {
    const rebound = await send('/api/call/session.state', { method: 'POST', headers: { ...bearer(), Host: `evil.example:${port}` }, body: '{}' });
    expect(rebound.status).toBe(403);
    expect(errorOf(rebound).code).toBe('FORBIDDEN_SENDER');
    await expectStillServing();
    const foreign = await send('/api/call/session.state', { method: 'POST', headers: { ...bearer(), Origin: 'https://evil.example' }, body: '{}' });
    expect(foreign.status).toBe(403);
    expect(errorOf(foreign).code).toBe('FORBIDDEN_SENDER');
    await expectStillServing();
  });

  it('refuses calls without a token or with a wrong one (401)', async () => {
    const attempts: Record<string, string>[] = [{ 'Content-Type': 'application/json' }, { Authorization: 'Bearer wrong', 'Content-Type': 'application/json' }, { Authorization: `Bearer ${host.token}x` }];
    for (const headers of attempts) {
      const reply = await send('/api/call/session.state', { method: 'POST', headers, body: '{}' });
      expect(reply.status).toBe(401);
      expect(errorOf(reply).code).toBe('FORBIDDEN_SENDER');
      await expectStillServing();
    }
  });

  it('refuses smuggling-shaped framing, a bare LF and huge headers, and keeps serving', async () => {
    const head = (extra: string): string =>
      `POST /api/call/session.state HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${host.token}\r\nContent-Type: application/json\r\n${extra}`;
    const smuggled = `GET /api/call/session.state HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
    const attacks: { name: string; bytes: string; status: number }[] = [
      { name: 'Content-Length and Transfer-Encoding', bytes: `${head('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n')}0\r\n\r\n${smuggled}`, status: 400 },
      { name: 'two different Content-Length headers', bytes: `${head('Content-Length: 2\r\nContent-Length: 40\r\n\r\n')}{}${smuggled}`, status: 400 },
      { name: 'a bare LF inside the headers', bytes: `POST /api/call/session.state HTTP/1.1\r\nHost: 127.0.0.1:${port}\nX-Smuggle: 1\r\nContent-Length: 2\r\n\r\n{}`, status: 400 },
      { name: 'a header over the size limit', bytes: `${head(`X-Huge: ${'a'.repeat(64 * 1024)}\r\nContent-Length: 2\r\n\r\n`)}{}`, status: 431 },
      { name: 'an obsolete folded header', bytes: `${head('Content-Length: 2\r\nX-Folded: a\r\n b\r\n\r\n')}{}`, status: 400 },
      { name: 'an obfuscated Transfer-Encoding (xchunked)', bytes: `${head('Transfer-Encoding: xchunked\r\n\r\n')}0\r\n\r\n${smuggled}`, status: 400 },
      { name: 'chunked not the last coding', bytes: `${head('Transfer-Encoding: chunked, identity\r\n\r\n')}0\r\n\r\n${smuggled}`, status: 400 },
      { name: 'a space before the colon', bytes: `${head('Transfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n')}{}`, status: 400 },
      { name: 'a signed Content-Length', bytes: `${head('Content-Length: +2\r\n\r\n')}{}`, status: 400 },
      { name: 'a chunk size past 64 bits', bytes: `${head('Transfer-Encoding: chunked\r\n\r\n')}FFFFFFFFFFFFFFFFFF\r\n`, status: 400 },
    ];
    for (const attack of attacks) {
      const reply = await sendRaw(attack.bytes);
      expect(reply.status, attack.name).toBe(attack.status);
      expect(errorOf(reply).code, attack.name).toBe('VALIDATION');
      // Nothing after the refused request is served on that connection.
      expect(reply.text.match(/HTTP\/1\.1 /g), attack.name).toHaveLength(1);
      await expectStillServing();
    }
  });
});

describe('a web page on another site, in a real browser', () => {
  let evil: Server;

  afterAll(async () => {
    await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  });

  it('gets 403 for its <img>, form and fetch requests at the host, and the host keeps serving', async () => {
    // A page the user happens to open, on http://localhost:<other port> (another site than 127.0.0.1).
    const target = `http://127.0.0.1:${port}`;
    const page = `<!doctype html><title>cat pictures</title>
<img src="${target}/api/call/%E0%A4%A"><img src="${target}/api/events?token=guess">
<form id="f" method="POST" action="${target}/api/call/session.signOut" enctype="text/plain"><input name="x" value="y"></form>
<script>
  // Submit (which navigates away and cancels loads still in flight) only once every image and
  // the fetch have had their answer, so each request reaches the host.
  const settled = (img) => (img.complete ? Promise.resolve() : new Promise((r) => { img.onload = r; img.onerror = r; }));
  Promise.all([
    fetch('${target}/api/call/session.state', { method: 'POST', mode: 'no-cors', body: '{}' }).catch(() => undefined),
    ...Array.from(document.images, settled),
  ]).finally(() => document.getElementById('f').submit());
</script>`;
    evil = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(page));
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilPort = (evil.address() as { port: number }).port;

    const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
    try {
      const tab = await browser.newPage();
      // The host's answers are withheld from the page (Cross-Origin-Resource-Policy), so read the
      // status lines through the DevTools protocol, which sees them before the browser blocks them.
      const cdp = await tab.context().newCDPSession(tab);
      await cdp.send('Network.enable');
      // Joined by request id at the end: Chromium may report a response's status line before
      // the request itself (Network.responseReceivedExtraInfo before requestWillBeSent).
      const sent = new Map<string, string>();
      const statuses = new Map<string, number>();
      cdp.on('Network.requestWillBeSent', (e) => {
        // Only the API: after the form navigates to the host, Chromium also asks it for /favicon.ico.
        if (e.request.url.startsWith(`${target}/api/`)) sent.set(e.requestId, `${e.request.method} ${new URL(e.request.url).pathname}`);
      });
      cdp.on('Network.responseReceivedExtraInfo', (e) => {
        statuses.set(e.requestId, e.statusCode);
      });
      const answers = (): Record<string, number | undefined> =>
        Object.fromEntries([...sent].map(([requestId, what]) => [what, statuses.get(requestId)]));
      await tab.goto(`http://localhost:${evilPort}/`);
      await tab.waitForURL(`${target}/api/call/session.signOut`);
      await expect.poll(answers, { timeout: 15_000 }).toEqual({
        'GET /api/call/%E0%A4%A': 403,
        'GET /api/events': 403,
        'POST /api/call/session.state': 403,
        'POST /api/call/session.signOut': 403,
      });
    } finally {
      await browser.close();
    }
    await expectStillServing();
  });
});
