/**
 * The web host's part in a quick first screen (issue 14, sign-in render): the build's hashed
 * bundles may be kept by the browser (so a new page load neither downloads nor recompiles them),
 * while index.html and unhashed files are asked for every time (a new build must show at once);
 * and the start state is one call, behind the same per-run token as every other call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebHost } from '../../../src-main/web/host';
import { openWorkstation, type TestWorkstation } from './support';
import { startTestHost, type TestHost } from './web-host-support';

let t: TestWorkstation;
let served: TestHost;
let host: WebHost;
let call: TestHost['call'];

beforeAll(async () => {
  t = await openWorkstation(['admissions']);
  const files: Record<string, string> = { 'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>' };
  for (const name of ['index-C7iYKbJb.js', 'index-OLOFrs7D.css', 'zxing_reader-Bb9Mx2Pu.wasm', 'app.js', 'notes-C7iYKbJb.txt']) files[`assets/${name}`] = 'x';
  served = await startTestHost(t, files);
  ({ host, call } = served);
});

afterAll(async () => {
  await served.close();
  await t.dispose();
});

describe('web host: what a new page load costs', () => {
  it('lets the browser keep the hashed bundles, styles and wasm of the build', async () => {
    for (const name of ['index-C7iYKbJb.js', 'index-OLOFrs7D.css', 'zxing_reader-Bb9Mx2Pu.wasm']) {
      const reply = await call(`/assets/${name}`);
      expect(reply.status, name).toBe(200);
      expect(reply.headers['cache-control'], name).toBe('public, max-age=31536000, immutable');
    }
  });

  it('asks again every time for index.html (it names the current bundles) and for anything without a content hash', async () => {
    for (const pathname of ['/', '/index.html', '/favicon.svg', '/assets/app.js', '/assets/notes-C7iYKbJb.txt']) {
      const reply = await call(pathname);
      expect(reply.status, pathname).toBe(200);
      expect(reply.headers['cache-control'], pathname).toBe('no-cache');
    }
  });

  it('never lets API answers be kept, and refuses the start state without the token', async () => {
    const refused = await call('/api/call/workstation.startState', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });

    const answered = await call('/api/call/workstation.startState', {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(answered.status).toBe(200);
    expect(answered.headers['cache-control']).toBe('no-store');
    const result = JSON.parse(answered.body) as { ok: boolean; value: { cache: { status: string }; session: { status: string }; identities: { displayName: string }[] } };
    expect(result.ok).toBe(true);
    expect(result.value.cache.status).toBe('open');
    expect(result.value.session.status).toBe('signed-out');
    expect(result.value.identities.map((i) => i.displayName)).toEqual(['Test admissions']);
  });
});
