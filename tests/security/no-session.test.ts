/**
 * Every channel that needs a session, called with none: whatever the payload (nothing, a
 * well-formed empty request, junk, a prototype-polluting object, a megabyte string), no handler
 * runs. A payload that passes the channel's schema is refused with NOT_SIGNED_IN; one that does
 * not is refused as VALIDATION before the session is even looked at. Covers the channels this
 * wave added (claims, credentialing, records, privacy, governance, organisations) and all others.
 */
import { describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, contract } from '../../src-shared/ipc/contract';
import { createDispatcher, type SessionGate } from '../../src-main/ipc/dispatcher';
import { ours, recordingHandlers } from './support';


const PAYLOADS: unknown[] = [
  undefined,
  {},
  'junk',
  42,
  [],
  JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}'),
  { text: 'x'.repeat(1 << 20) },
];

describe('no session', () => {
  it('no channel that needs a session runs its handler for a caller who is not signed in', async () => {
    const { handlers, ran } = recordingHandlers();
    const gate: SessionGate = { current: () => ({ status: 'signed-out' }), recordRoleRefused: () => Promise.resolve() };
    const d = createDispatcher({
      handlers,
      session: gate,
      validateResponses: true,
      log: { internal: vi.fn(), refused: vi.fn() },
    });
    const guarded = CHANNEL_NAMES.filter((c) => contract[c].access !== 'anyone');
    expect(guarded.length).toBeGreaterThan(40);
    let signInAsked = 0;
    for (const channel of guarded) {
      for (const payload of PAYLOADS) {
        const answer = await d.dispatch(channel, payload, ours);
        expect(answer.ok, `${channel} answered ok without a session`).toBe(false);
        if (answer.ok) continue;
        const schemaAccepts = contract[channel].request.safeParse(payload === undefined ? {} : payload).success;
        expect(answer.error.code, channel).toBe(schemaAccepts ? 'NOT_SIGNED_IN' : 'VALIDATION');
        if (schemaAccepts) signInAsked++;
      }
    }
    expect(ran).toEqual([]);
    // The gate itself was reached, not only the schemas: many channels take an empty request.
    expect(signInAsked).toBeGreaterThan(10);
  });
});
