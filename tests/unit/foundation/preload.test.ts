import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES } from '../../../src-shared/ipc/contract';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL } from '../../../src-shared/ipc/transport';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn((_channel: string, _request: unknown) => Promise.resolve({ ok: true, value: null }));
const listeners = new Map<string, (event: unknown, payload: unknown) => void>();

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => {
      exposed[key] = value;
    },
  },
  ipcRenderer: {
    invoke,
    on: (channel: string, fn: (event: unknown, payload: unknown) => void) => listeners.set(channel, fn),
    removeListener: (channel: string) => listeners.delete(channel),
  },
}));

beforeAll(async () => {
  await import('../../../preload/index');
});

describe('preload bridge', () => {
  it('exposes exactly one function per contract channel plus onEvent, and nothing raw', () => {
    const api = exposed.careledger as Record<string, unknown>;
    expect(Object.keys(exposed)).toEqual(['careledger']);
    expect(Object.keys(api).sort()).toEqual([...CHANNEL_NAMES, 'onEvent'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('sends each function to its own channel only', async () => {
    const api = exposed.careledger as Record<string, (r: unknown) => Promise<unknown>>;
    await api['session.signIn']?.({ identityId: 'x', pin: '1234' });
    expect(invoke).toHaveBeenLastCalledWith(`${ELECTRON_CALL_PREFIX}session.signIn`, { identityId: 'x', pin: '1234' });
  });

  it('hands listeners the event data only, never the IPC event object', () => {
    const api = exposed.careledger as { onEvent(l: (e: unknown) => void): () => void };
    const seen: unknown[] = [];
    const off = api.onEvent((e) => seen.push(e));
    listeners.get(ELECTRON_EVENT_CHANNEL)?.({ sender: 'secret' }, { type: 'session', state: { status: 'signed-out' } });
    expect(seen).toEqual([{ type: 'session', state: { status: 'signed-out' } }]);
    off();
    expect(listeners.has(ELECTRON_EVENT_CHANNEL)).toBe(false);
  });
});
