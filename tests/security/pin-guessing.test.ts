/**
 * Parallel PIN guessing (issue 15, item 3): the wrong-PIN lockout must hold when many attempts
 * arrive at once. Before the fix every parallel attempt read the same count, so 40 wrong PINs
 * all answered "4 tries left" and 40 different PINs found the right one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../../src-shared/ipc/contract';
import type { Caller } from '../../src-main/ipc/dispatcher';
import { openWorkstation, PIN, type TestWorkstation } from '../integration/foundation/support';

const ours: Caller = { transport: 'in-process', trusted: true, origin: 'test' };
let t: TestWorkstation | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

function codeOf(result: Result<unknown>): string {
  return result.ok ? 'OK' : result.error.code;
}

function tally(codes: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}

describe('parallel PIN guessing', () => {
  it('counts only five of 100 parallel wrong sign-in attempts before the lockout, then refuses the right PIN', async () => {
    t = await openWorkstation(['admissions']);
    const ws = t.ws;
    const id = t.staff.admissions!.id;
    const results = await Promise.all(Array.from({ length: 100 }, () => ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: '0000' }, ours)));
    expect(tally(results.map(codeOf))).toEqual({ WRONG_PIN: 4, LOCKED_OUT: 96 });
    const attemptsLeft = results.flatMap((r) => (!r.ok && r.error.code === 'WRONG_PIN' ? [r.error.details?.attemptsLeft] : []));
    expect(attemptsLeft).toEqual([4, 3, 2, 1]);
    const events = await ws.session.signInEvents(200);
    expect(events.filter((e) => e.kind === 'wrong-pin')).toHaveLength(4);
    expect(events.filter((e) => e.kind === 'locked-out')).toHaveLength(1);

    expect(codeOf(await ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours))).toBe('LOCKED_OUT');
    expect(ws.session.state().status).toBe('signed-out');
    // The workstation still serves: after the lockout the right PIN gets in.
    t.clock.advance(60_000);
    expect(codeOf(await ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours))).toBe('OK');
  });

  it('does not let the right PIN in among 40 different PINs tried in parallel', async () => {
    t = await openWorkstation(['admissions']);
    const ws = t.ws;
    const id = t.staff.admissions!.id;
    const pins = Array.from({ length: 40 }, (_, i) => (i === 25 ? PIN : String(1000 + i)));
    const results = await Promise.all(pins.map((pin) => ws.dispatcher.dispatch('session.signIn', { identityId: id, pin }, ours)));
    expect(codeOf(results[25]!)).toBe('LOCKED_OUT');
    expect(results.some((r) => r.ok)).toBe(false);
    expect(ws.session.state().status).toBe('signed-out');
    expect(ws.session.signingIdentity()).toBeNull();
  });

  it('counts parallel wrong unlock attempts the same way', async () => {
    t = await openWorkstation(['clinician']);
    const ws = t.ws;
    const id = t.staff.clinician!.id;
    expect(codeOf(await ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, ours))).toBe('OK');
    await ws.dispatcher.dispatch('session.lock', {}, ours);
    const guesses = Array.from({ length: 100 }, (_, i) => (i === 60 ? PIN : '0000'));
    const results = await Promise.all(guesses.map((pin) => ws.dispatcher.dispatch('session.unlock', { pin }, ours)));
    expect(tally(results.map(codeOf))).toEqual({ WRONG_PIN: 4, LOCKED_OUT: 96 });
    expect(ws.session.state().status).toBe('locked');
    expect(codeOf(await ws.dispatcher.dispatch('session.unlock', { pin: PIN }, ours))).toBe('LOCKED_OUT');
  });
});
