import { describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, type StaffIdentitySummary } from '../../../src-shared/ipc/contract';
import { DomainError } from '../../../src-main/errors';
import { createDispatcher, type Caller, type Handlers, type SessionGate } from '../../../src-main/ipc/dispatcher';

const clinician: StaffIdentitySummary = { id: 'c1', displayName: 'Dr Maya Okafor', mspId: 'HospitalAMSP', role: 'clinician', organisationKind: 'hospital', notAfter: '2030-01-01T00:00:00.000Z' };
const privacy: StaffIdentitySummary = { ...clinician, id: 'p1', displayName: 'Tom Becker', role: 'privacy' };
const ours: Caller = { transport: 'in-process', trusted: true, origin: 'test' };

function makeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const notUsed = (): Promise<never> => Promise.reject(new Error('not used in this test'));
  // Every channel refuses by default, so new channels in the contract need no change here.
  const base = Object.fromEntries(CHANNEL_NAMES.map((c) => [c, notUsed])) as unknown as Handlers;
  base['cache.state'] = () => Promise.resolve({ status: 'needs-setup', keyProtection: 'passphrase' });
  base['sync.state'] = () => Promise.resolve({ connection: 'not-configured', queued: 0, failed: 0, lastSyncAt: null, problem: null });
  base['audit.signInEvents'] = () => Promise.resolve([]);
  return { ...base, ...overrides };
}

function makeGate(state: ReturnType<SessionGate['current']>): SessionGate & { refusals: string[] } {
  const refusals: string[] = [];
  return {
    refusals,
    current: () => state,
    recordRoleRefused: (identity, channel) => {
      refusals.push(`${identity.id}:${channel}`);
      return Promise.resolve();
    },
  };
}

const quietLog = { internal: vi.fn(), refused: vi.fn() };

describe('dispatcher', () => {
  it('answers a known channel from our own sender with {ok, value}', async () => {
    const d = createDispatcher({ handlers: makeHandlers(), session: makeGate({ status: 'signed-out' }), validateResponses: true, log: quietLog });
    await expect(d.dispatch('cache.state', {}, ours)).resolves.toEqual({ ok: true, value: { status: 'needs-setup', keyProtection: 'passphrase' } });
  });

  it('refuses an unknown channel with UNKNOWN_CHANNEL, including prototype names', async () => {
    const d = createDispatcher({ handlers: makeHandlers(), session: makeGate({ status: 'signed-out' }), validateResponses: true, log: quietLog });
    for (const name of ['records.deleteAll', 'constructor', '__proto__', 'toString']) {
      const result = await d.dispatch(name, {}, ours);
      expect(result.ok ? null : result.error.code).toBe('UNKNOWN_CHANNEL');
    }
  });

  it('refuses a malformed payload with VALIDATION before any service runs', async () => {
    const signIn = vi.fn();
    const d = createDispatcher({ handlers: makeHandlers({ 'session.signIn': signIn }), session: makeGate({ status: 'signed-out' }), validateResponses: true, log: quietLog });
    for (const payload of [{ identityId: 'c1' }, { identityId: 'c1', pin: 1234 }, { identityId: 'c1', pin: '1234', extra: true }, 'text', null, [1]]) {
      const result = await d.dispatch('session.signIn', payload, ours);
      expect(result.ok ? null : result.error.code).toBe('VALIDATION');
    }
    expect(signIn).not.toHaveBeenCalled();
  });

  it('refuses a call from a sender that is not ours with FORBIDDEN_SENDER, even on an open channel', async () => {
    const cacheState = vi.fn();
    const d = createDispatcher({ handlers: makeHandlers({ 'cache.state': cacheState }), session: makeGate({ status: 'signed-out' }), validateResponses: true, log: quietLog });
    const result = await d.dispatch('cache.state', {}, { transport: 'electron', trusted: false, origin: 'https://evil.example/' });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    expect(cacheState).not.toHaveBeenCalled();
  });

  it('refuses a channel outside the role in main and logs a role-refused event', async () => {
    const events = vi.fn();
    const gate = makeGate({ status: 'signed-in', identity: clinician });
    const d = createDispatcher({ handlers: makeHandlers({ 'audit.signInEvents': events }), session: gate, validateResponses: true, log: quietLog });
    const result = await d.dispatch('audit.signInEvents', { limit: 10 }, ours);
    expect(result).toMatchObject({ ok: false, error: { code: 'ROLE_REFUSED' } });
    expect(events).not.toHaveBeenCalled();
    expect(gate.refusals).toEqual(['c1:audit.signInEvents']);
  });

  it('lets the role that owns a channel call it, under that identity', async () => {
    const events = vi.fn((_req: { limit: number }, ctx: { staff: StaffIdentitySummary | null }) => Promise.resolve(ctx.staff ? [] : [{ at: 'no staff' }])) as unknown as Handlers['audit.signInEvents'] & ReturnType<typeof vi.fn>;
    const d = createDispatcher({ handlers: makeHandlers({ 'audit.signInEvents': events }), session: makeGate({ status: 'signed-in', identity: privacy }), validateResponses: true, log: quietLog });
    await expect(d.dispatch('audit.signInEvents', {}, ours)).resolves.toEqual({ ok: true, value: [] });
    // The default from the schema reached the service, and the service saw who is calling.
    expect(events).toHaveBeenCalledWith({ limit: 100 }, expect.objectContaining({ staff: privacy }));
  });

  it('refuses signed-in channels while locked (SESSION_LOCKED) and signed out (NOT_SIGNED_IN)', async () => {
    const locked = createDispatcher({ handlers: makeHandlers(), session: makeGate({ status: 'locked', identity: privacy }), validateResponses: true, log: quietLog });
    expect(await locked.dispatch('sync.state', {}, ours)).toMatchObject({ ok: false, error: { code: 'SESSION_LOCKED' } });
    expect(await locked.dispatch('audit.signInEvents', {}, ours)).toMatchObject({ ok: false, error: { code: 'SESSION_LOCKED' } });
    const out = createDispatcher({ handlers: makeHandlers(), session: makeGate({ status: 'signed-out' }), validateResponses: true, log: quietLog });
    expect(await out.dispatch('sync.state', {}, ours)).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('turns a response that breaks the contract into INTERNAL when validating, without leaking it', async () => {
    const bad = makeHandlers({ 'sync.state': () => Promise.resolve({ connection: 'online', queued: -1 } as never) });
    const d = createDispatcher({ handlers: bad, session: makeGate({ status: 'signed-in', identity: clinician }), validateResponses: true, log: quietLog });
    const result = await d.dispatch('sync.state', {}, ours);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('queued');
  });

  it('passes domain errors through as data and hides the stack of anything else', async () => {
    const d = createDispatcher({
      handlers: makeHandlers({
        'session.listIdentities': () => Promise.reject(new DomainError('CACHE_LOCKED', 'Unlock the workstation cache first.')),
        'cache.state': () => Promise.reject(new Error('ENOENT /secret/path/at/line/42')),
      }),
      session: makeGate({ status: 'signed-out' }),
      validateResponses: true,
      log: quietLog,
    });
    expect(await d.dispatch('session.listIdentities', {}, ours)).toEqual({ ok: false, error: { code: 'CACHE_LOCKED', message: 'Unlock the workstation cache first.' } });
    const internal = await d.dispatch('cache.state', {}, ours);
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(internal)).not.toMatch(/secret|ENOENT|at line/);
  });
});
