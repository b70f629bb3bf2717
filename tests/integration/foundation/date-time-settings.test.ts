import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../../src-main/ipc/dispatcher';
import { createWorkstation } from '../../../src-main/services';
import { workstationDates } from '../../../src-main/settings/date-time-settings';
import type { DateTimePreferences } from '../../../src-shared/datetime';
import type { PushEvent } from '../../../src-shared/ipc/contract';
import { FAST_SCRYPT } from '../../unit/foundation/support';
import { openWorkstation, PIN, type TestWorkstation } from './support';

const ours: Caller = { transport: 'in-process', trusted: true, origin: 'test' };
const quiet = { internal: () => undefined, refused: () => undefined };
const newYork: DateTimePreferences = { locale: 'en-US', dateOrder: 'mdy', hourCycle: 'h12', timeZone: 'America/New_York' };
let t: TestWorkstation | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe('workstation date and time style', () => {
  it('is the system style until chosen, is changed only by signed-in staff, and survives a restart', async () => {
    t = await openWorkstation(['clinician']);
    const before = await t.ws.dispatcher.dispatch('settings.dateTime', {}, ours);
    expect(before).toMatchObject({ ok: true, value: { chosen: false } });

    // Nobody signed in: the sign-in screen may read the style but not change it for everyone.
    const anonymous = await t.ws.dispatcher.dispatch('settings.setDateTime', newYork, ours);
    expect(anonymous).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });

    await t.ws.dispatcher.dispatch('session.signIn', { identityId: t.staff.clinician!.id, pin: PIN }, ours);
    const pushed: PushEvent[] = [];
    t.ws.events.subscribe((e) => pushed.push(e));
    const badZone = await t.ws.dispatcher.dispatch('settings.setDateTime', { ...newYork, timeZone: 'Mars/Olympus' }, ours);
    expect(badZone).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const saved = await t.ws.dispatcher.dispatch('settings.setDateTime', newYork, ours);
    expect(saved).toMatchObject({ ok: true, value: { chosen: true, preferences: newYork } });
    expect(workstationDates().dateTime('2026-12-07T01:39:00Z')).toBe('Dec 6, 2026, 8:39 PM');
    // Every open window is told, not only the one that saved.
    expect(pushed.filter((e) => e.type === 'dateTime')).toEqual([{ type: 'dateTime', state: expect.objectContaining({ chosen: true, preferences: newYork }) }]);

    // Same data dir, new process: the choice comes back once the cache is open.
    await t.ws.close();
    const again = createWorkstation({ dataDir: t.dir, keychain: null, scrypt: FAST_SCRYPT, validateResponses: true, log: quiet, ledger: {} });
    t.ws = again;
    await again.start();
    await again.cache.unlock({ passphrase: 'test passphrase 1', isRecovery: false });
    const after = await again.dispatcher.dispatch('settings.dateTime', {}, ours);
    expect(after).toMatchObject({ ok: true, value: { chosen: true, preferences: newYork } });
    expect(workstationDates().date('1984-03-02')).toBe('Mar 2, 1984');
  });
});
