import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../../src-main/web/host';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/security/csp';
import { openWorkstation, PIN, type TestWorkstation } from './support';
import { startTestHost, type TestHost } from './web-host-support';

let t: TestWorkstation;
let served: TestHost;
let host: WebHost;
let call: TestHost['call'];

beforeAll(async () => {
  t = await openWorkstation(['admissions']);
  served = await startTestHost(t, { 'assets/app.js': 'console.log(1)' });
  ({ host, call } = served);
});

afterAll(async () => {
  await served.close();
  await t.dispose();
});

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' });

describe('web host', () => {
  it('prints a URL with a long random token in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('answers a call over real HTTP with the same Result the dispatcher gives', async () => {
    const reply = await call('/api/call/session.listIdentities', { method: 'POST', headers: auth(), body: '{}' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, value: [{ ...t.staff.admissions, pinTriesLeft: 5, pinLockedUntil: null }] });
    const unknown = await call('/api/call/records.deleteAll', { method: 'POST', headers: auth(), body: '{}' });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    const malformed = await call('/api/call/session.signIn', { method: 'POST', headers: auth(), body: '{"pin":' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('refuses calls and events without the right token (401 FORBIDDEN_SENDER)', async () => {
    const attempts: Record<string, string>[] = [{ 'Content-Type': 'application/json' }, { Authorization: 'Bearer wrong', 'Content-Type': 'application/json' }, { Authorization: host.token }];
    for (const headers of attempts) {
      const reply = await call('/api/call/session.state', { method: 'POST', headers, body: '{}' });
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    }
    expect((await call('/api/events?token=wrong')).status).toBe(401);
  });

  it('refuses a Host header that is not ours (DNS rebinding) and cross-origin requests', async () => {
    const rebound = await call('/api/call/session.state', { method: 'POST', headers: { ...auth(), Host: `evil.example:${host.port}` }, body: '{}' });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect((await call('/', { headers: { Host: 'evil.example' } })).status).toBe(403);
    const crossOrigin = await call('/api/call/session.state', { method: 'POST', headers: { ...auth(), Origin: 'https://evil.example' }, body: '{}' });
    expect(crossOrigin.status).toBe(403);
    expect((await call('/', { headers: { Host: `localhost:${host.port}` } })).status).toBe(200);
  });

  it('serves the renderer with the CSP header and 404s anything else', async () => {
    const index = await call('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    const js = await call('/assets/app.js');
    expect(js.headers['content-type']).toMatch(/javascript/);
    for (const p of ['/nothing-here', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/api/unknown']) {
      expect((await call(p)).status, p).toBe(404);
    }
  });

  it('streams pushed events over SSE, starting with the current states', async () => {
    const received: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: `/api/events?token=${encodeURIComponent(host.token)}` }, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (frame.startsWith('data: ')) received.push(JSON.parse(frame.slice(6)));
            if (received.length === 2) {
              // Now cause a change: a sign-in must arrive as a session event.
              void call('/api/call/session.signIn', { method: 'POST', headers: auth(), body: JSON.stringify({ identityId: t.staff.admissions!.id, pin: PIN }) });
            }
            if (received.length === 3) {
              req.destroy();
              resolve();
            }
          }
        });
      });
      req.on('error', (err) => (received.length >= 3 ? resolve() : reject(err)));
      req.end();
    });
    await done;
    expect(received[0]).toMatchObject({ type: 'cache', state: { status: 'open' } });
    expect(received[1]).toEqual({ type: 'session', state: { status: 'signed-out' } });
    expect(received[2]).toMatchObject({ type: 'session', state: { status: 'signed-in', identity: { role: 'admissions' } } });
  });
});
