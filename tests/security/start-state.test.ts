/**
 * Hostile suite: `workstation.startState`, the one call the first screen makes (issue 14, sign-in
 * render). It needs no session, so anyone who can reach the service can call it before signing in.
 * It must reveal nothing the channels it stands for (`cache.state`, `session.state`,
 * `session.listIdentities`, `settings.dateTime`, all open before sign-in) do not, and less where
 * the first screen needs less: no session, staff list or date style while the cache is not open,
 * and no staff list while someone is signed in or the workstation is locked. It takes no request:
 * any payload but an empty object is refused before the handler runs.
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result, StartState } from '../../src-shared/ipc/contract';
import type { Caller } from '../../src-main/ipc/dispatcher';
import { createWorkstation, type Workstation } from '../../src-main/services';
import { FAST_SCRYPT } from '../unit/foundation/support';
import { openWorkstation, PIN, type TestWorkstation } from '../integration/foundation/support';

const stranger: Caller = { transport: 'in-process', trusted: true, origin: 'test' };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function workstationWithStaff(): Promise<TestWorkstation> {
  const t = await openWorkstation(['admissions', 'clinician']);
  cleanup.push(() => t.dispose());
  return t;
}

async function startState(ws: Workstation, payload: unknown = {}): Promise<Result<StartState>> {
  return (await ws.dispatcher.dispatch('workstation.startState', payload, stranger)) as Result<StartState>;
}

function valueOf(result: Result<StartState>): StartState {
  if (!result.ok) throw new Error(`start state refused: ${result.error.code} ${result.error.message}`);
  return result.value;
}

describe('hostile: the start state before sign-in', () => {
  it('while the cache is locked: the cache state only (no session, no staff list, no date style)', async () => {
    const t = await workstationWithStaff();
    await t.ws.close();
    // The same data folder opened again: the cache is locked until its passphrase is given.
    const reopened = createWorkstation({
      dataDir: t.dir,
      keychain: null,
      clock: t.clock,
      scrypt: FAST_SCRYPT,
      validateResponses: true,
      log: { internal: () => undefined, refused: () => undefined },
      ledger: {},
      organisationCa: () => Promise.resolve(null),
    });
    cleanup.push(async () => {
      await reopened.close();
      await rm(t.dir, { recursive: true, force: true });
    });
    await reopened.start();
    const state = valueOf(await startState(reopened));
    expect(state).toEqual({ cache: { status: 'locked', keyProtection: 'passphrase', needsRecovery: false }, session: null, identities: null, dateTime: null });
    expect(JSON.stringify(state)).not.toMatch(/Test admissions|Test clinician/);
  });

  it('signed out: the staff list is exactly what the sign-in screen\'s own channel gives, nothing more', async () => {
    const t = await workstationWithStaff();
    const state = valueOf(await startState(t.ws));
    const listed = await t.ws.dispatcher.dispatch('session.listIdentities', {}, stranger);
    const session = await t.ws.dispatcher.dispatch('session.state', {}, stranger);
    const dateTime = await t.ws.dispatcher.dispatch('settings.dateTime', {}, stranger);
    expect(listed.ok && session.ok && dateTime.ok).toBe(true);
    expect(state.session).toEqual(session.ok ? session.value : null);
    expect(state.identities).toEqual(listed.ok ? listed.value : null);
    expect(state.dateTime).toEqual(dateTime.ok ? dateTime.value : null);
    expect(state.identities?.map((i) => i.displayName).sort()).toEqual(['Test admissions', 'Test clinician']);
    // Only the four parts, and no key material or certificate in any of them.
    expect(Object.keys(state).sort()).toEqual(['cache', 'dateTime', 'identities', 'session']);
    expect(JSON.stringify(state)).not.toMatch(/BEGIN|PRIVATE|certificatePem|privateKey/i);
  });

  it('while someone is signed in, or the workstation is locked: no staff list for whoever else asks', async () => {
    const t = await workstationWithStaff();
    const signedIn = await t.ws.dispatcher.dispatch('session.signIn', { identityId: t.staff.admissions!.id, pin: PIN }, stranger);
    expect(signedIn.ok).toBe(true);
    const whileIn = valueOf(await startState(t.ws));
    expect(whileIn.session?.status).toBe('signed-in');
    expect(whileIn.identities).toBeNull();
    expect(JSON.stringify(whileIn)).not.toMatch(/Test clinician/);

    expect((await t.ws.dispatcher.dispatch('session.lock', {}, stranger)).ok).toBe(true);
    const whileLocked = valueOf(await startState(t.ws));
    expect(whileLocked.session?.status).toBe('locked');
    expect(whileLocked.identities).toBeNull();
    expect(JSON.stringify(whileLocked)).not.toMatch(/Test clinician/);
  });

  it('takes no request: junk, extra fields and prototype-polluting payloads are refused before the handler runs', async () => {
    const t = await workstationWithStaff();
    const payloads: unknown[] = ['junk', 42, [], { identities: true }, JSON.parse('{"__proto__":{"isAdmin":true}}'), { text: 'x'.repeat(1 << 20) }];
    for (const payload of payloads) {
      const answer = await startState(t.ws, payload);
      expect(answer.ok, JSON.stringify(payload).slice(0, 60)).toBe(false);
      if (!answer.ok) expect(answer.error.code).toBe('VALIDATION');
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
