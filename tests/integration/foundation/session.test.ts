import { afterEach, describe, expect, it } from 'vitest';
import { issueIdentity } from '../../../ledger/devnet/src/ca';
import type { PushEvent, Result, SessionState } from '../../../src-shared/ipc/contract';
import type { Caller } from '../../../src-main/ipc/dispatcher';
import { openWorkstation, PIN, SETUP_PASSPHRASE, type TestWorkstation } from './support';

const ours: Caller = { transport: 'in-process', trusted: true, origin: 'test' };
let t: TestWorkstation | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

function errorOf(result: Result<unknown>): { code: string; details?: Record<string, unknown> } | null {
  return result.ok ? null : result.error;
}

describe('staff sign-in', () => {
  it('signs in with the PIN, pushes a session event and shows who is signed in', async () => {
    t = await openWorkstation(['clinician']);
    const events: PushEvent[] = [];
    t.ws.events.subscribe((e) => events.push(e));
    const id = t.staff.clinician!.id;
    const result = await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours);
    expect(result).toMatchObject({ ok: true, value: { status: 'signed-in', identity: { displayName: 'Test clinician', role: 'clinician' }, autoLockMinutes: 5 } });
    expect(events.filter((e) => e.type === 'session').at(-1)).toMatchObject({ state: { status: 'signed-in' } });
    expect(t.ws.session.signingIdentity()?.summary.id).toBe(id);
  });

  it('imports through IPC and refuses a bad identity with IDENTITY_INVALID', async () => {
    t = await openWorkstation([]);
    const issued = await issueIdentity(t.ca, { enrollmentId: 'x', role: 'claims' });
    const other = await issueIdentity(t.ca, { enrollmentId: 'y', role: 'claims' });
    const mismatch = await t.ws.dispatcher.dispatch('session.importIdentity', { certificatePem: issued.certificatePem, privateKeyPem: other.privateKeyPem, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }, ours);
    expect(errorOf(mismatch)?.code).toBe('IDENTITY_INVALID');
    const ok = await t.ws.dispatcher.dispatch('session.importIdentity', { ...issued, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }, ours);
    expect(ok).toMatchObject({ ok: true, value: { role: 'claims' } });
    const twice = await t.ws.dispatcher.dispatch('session.importIdentity', { ...issued, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }, ours);
    expect(errorOf(twice)?.code).toBe('CONFLICT');
  });

  it('counts wrong PINs, locks out after five with a retry time, and lets the right PIN in after it passes', async () => {
    t = await openWorkstation(['admissions']);
    const id = t.staff.admissions!.id;
    for (let i = 4; i >= 1; i--) {
      const wrong = await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: '0000' }, ours);
      expect(errorOf(wrong)).toMatchObject({ code: 'WRONG_PIN', details: { attemptsLeft: i } });
    }
    const fifth = errorOf(await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: '0000' }, ours));
    expect(fifth?.code).toBe('LOCKED_OUT');
    const retryAt = Date.parse(String(fifth?.details?.retryAt));
    expect(retryAt - t.clock.now()).toBe(60_000);

    // Even the right PIN is refused during the lockout, and a restart would not help (it is stored).
    expect(errorOf(await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours))?.code).toBe('LOCKED_OUT');
    t.clock.advance(59_000);
    expect(errorOf(await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours))?.code).toBe('LOCKED_OUT');
    t.clock.advance(1_000);
    expect(await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours)).toMatchObject({ ok: true, value: { status: 'signed-in' } });
  });

  it('lists each identity with its PIN tries left and any lockout, for the sign-in screen', async () => {
    t = await openWorkstation(['admissions']);
    const id = t.staff.admissions!.id;
    const listed = async (): Promise<unknown> => {
      const r = await t!.ws.dispatcher.dispatch('session.listIdentities', {}, ours);
      return r.ok ? (r.value as unknown[])[0] : r.error;
    };
    expect(await listed()).toMatchObject({ id, pinTriesLeft: 5, pinLockedUntil: null });
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: '0000' }, ours);
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: '0000' }, ours);
    expect(await listed()).toMatchObject({ pinTriesLeft: 3, pinLockedUntil: null });
    for (let i = 0; i < 3; i++) await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: '0000' }, ours);
    expect(await listed()).toMatchObject({ pinTriesLeft: 0, pinLockedUntil: new Date(t.clock.now() + 60_000).toISOString() });
    t.clock.advance(60_000);
    expect(await listed()).toMatchObject({ pinTriesLeft: 5, pinLockedUntil: null });
  });

  it('makes a second lockout in a row longer than the first', async () => {
    t = await openWorkstation(['claims']);
    const id = t.staff.claims!.id;
    const lockOut = async (): Promise<number> => {
      let last: ReturnType<typeof errorOf> = null;
      for (let i = 0; i < 5; i++) last = errorOf(await t!.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: '9999' }, ours));
      expect(last?.code).toBe('LOCKED_OUT');
      return Date.parse(String(last?.details?.retryAt)) - t!.clock.now();
    };
    expect(await lockOut()).toBe(60_000);
    t.clock.advance(60_000);
    expect(await lockOut()).toBe(120_000);
  });

  it('locks itself after the inactivity time, postponed by activity; unlock needs the PIN', async () => {
    t = await openWorkstation(['clinician']);
    const id = t.staff.clinician!.id;
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours);
    t.clock.advance(4 * 60_000);
    await t.ws.dispatcher.dispatch('session.activity', {}, ours);
    t.clock.advance(4 * 60_000);
    expect(t.ws.session.state().status).toBe('signed-in');
    const pushed: PushEvent[] = [];
    t.ws.events.subscribe((e) => pushed.push(e));
    t.clock.advance(60_001);
    // The timer in main locked it and told the renderer, without anyone asking.
    expect(pushed).toEqual([{ type: 'session', state: expect.objectContaining({ status: 'locked' }) as unknown }]);
    expect(t.ws.session.state().status).toBe('locked');
    expect(t.ws.session.signingIdentity()).toBeNull();
    expect(errorOf(await t.ws.dispatcher.dispatch('sync.state', {}, ours))?.code).toBe('SESSION_LOCKED');
    expect(errorOf(await t.ws.dispatcher.dispatch('session.unlock', { pin: '0000' }, ours))?.code).toBe('WRONG_PIN');
    expect(await t.ws.dispatcher.dispatch('session.unlock', { pin: PIN }, ours)).toMatchObject({ ok: true, value: { status: 'signed-in' } });
  });

  it('uses a configured auto-lock time (1-60 minutes) and refuses others', async () => {
    t = await openWorkstation(['clinician']);
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: t.staff.clinician!.id, pin: PIN }, ours);
    expect(errorOf(await t.ws.dispatcher.dispatch('session.setAutoLock', { minutes: 0 }, ours))?.code).toBe('VALIDATION');
    expect(errorOf(await t.ws.dispatcher.dispatch('session.setAutoLock', { minutes: 61 }, ours))?.code).toBe('VALIDATION');
    const set = (await t.ws.dispatcher.dispatch('session.setAutoLock', { minutes: 2 }, ours)) as Result<SessionState>;
    expect(set).toMatchObject({ ok: true, value: { autoLockMinutes: 2 } });
    t.clock.advance(2 * 60_000);
    expect(t.ws.session.state().status).toBe('locked');
  });

  it('refuses a call outside the role in main and shows it to the privacy officer', async () => {
    t = await openWorkstation(['clinician', 'privacy']);
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: t.staff.clinician!.id, pin: PIN }, ours);
    expect(errorOf(await t.ws.dispatcher.dispatch('audit.signInEvents', { limit: 10 }, ours))?.code).toBe('ROLE_REFUSED');
    await t.ws.dispatcher.dispatch('session.signOut', {}, ours);
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: t.staff.privacy!.id, pin: PIN }, ours);
    const log = await t.ws.dispatcher.dispatch('audit.signInEvents', { limit: 10 }, ours);
    expect(log.ok).toBe(true);
    const kinds = log.ok ? (log.value as { kind: string; displayName: string | null; detail: string | null }[]) : [];
    expect(kinds.map((e) => e.kind)).toEqual(['sign-in', 'sign-out', 'role-refused', 'sign-in', 'identity-imported', 'identity-imported']);
    expect(kinds[2]).toMatchObject({ displayName: 'Test clinician', detail: 'refused: audit.signInEvents' });
  });

  it('signs out, dropping the key, and refuses signed-in calls afterwards', async () => {
    t = await openWorkstation(['claims']);
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: t.staff.claims!.id, pin: PIN }, ours);
    expect(await t.ws.dispatcher.dispatch('session.signOut', {}, ours)).toEqual({ ok: true, value: { status: 'signed-out' } });
    expect(t.ws.session.signingIdentity()).toBeNull();
    expect(errorOf(await t.ws.dispatcher.dispatch('session.lock', {}, ours))?.code).toBe('NOT_SIGNED_IN');
    expect(t.clock.pendingTimers()).toBe(0);
  });

  it('answers sync.state honestly when no ledger is configured: not configured, nothing queued', async () => {
    t = await openWorkstation(['claims']);
    await t.ws.dispatcher.dispatch('session.signIn', { identityId: t.staff.claims!.id, pin: PIN }, ours);
    expect(await t.ws.dispatcher.dispatch('sync.state', {}, ours)).toMatchObject({ ok: true, value: { connection: 'not-configured', queued: 0, failed: 0, lastSyncAt: null } });
  });
});
