import { describe, expect, it } from 'vitest';
import { WorldState, compareUtf8 } from '../../../ledger/devnet/src/state';

const entry = (
  txId: string,
): { txId: string; value: null; isDelete: boolean; timestamp: { seconds: number; nanos: number } } => ({
  txId,
  value: null,
  isDelete: false,
  timestamp: { seconds: 0, nanos: 0 },
});

describe('world state', () => {
  it('orders keys by UTF-8 bytes, so composite keys (U+0000, U+10FFFF) sort as on a Fabric peer', () => {
    const keys = ['\u{10FFFF}', '\uFFFF', 'b', '\u0000owner~id\u0000alice\u0000', 'a', '\uE000'];
    // UTF-16 comparison would put U+10FFFF (a surrogate pair) before U+E000 and U+FFFF.
    expect([...keys].sort(compareUtf8)).toEqual([
      '\u0000owner~id\u0000alice\u0000',
      'a',
      'b',
      '\uE000',
      '\uFFFF',
      '\u{10FFFF}',
    ]);
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareUtf8)).toEqual(byBytes);
  });

  it('range is start-inclusive, end-exclusive, with an open end for ""', () => {
    const state = new WorldState();
    for (const [i, key] of ['k1', 'k2', 'k3', 'k10'].entries())
      state.putPublic('cc', key, Buffer.from(key), { blockNum: 1, txNum: i }, entry(`t${i}`));
    expect([...state.range('cc', 'k1', 'k3')].map((r) => r.key)).toEqual(['k1', 'k10', 'k2']);
    expect([...state.range('cc', 'k2', '')].map((r) => r.key)).toEqual(['k2', 'k3']);
    state.deletePublic('cc', 'k10', entry('t9'));
    expect([...state.range('cc', 'k1', 'k3')].map((r) => r.key)).toEqual(['k1', 'k2']);
    expect([...state.history('cc', 'k10')].map((h) => h.txId)).toEqual(['t9', 't3']);
  });

  it('holds cleartext private data for collection members only', () => {
    const state = new WorldState();
    state.setCollections('cc', [
      { name: 'claims', memberMspIds: ['HospitalAMSP'], blockToLive: 0, memberOnlyRead: true, memberOnlyWrite: true },
    ]);
    state.putPrivate('cc', 'claims', 'c1', Buffer.from('detail'), { blockNum: 2, txNum: 0 }, 2);
    expect(state.getPrivate('cc', 'claims', 'c1', 'HospitalAMSP')?.value).toEqual(Buffer.from('detail'));
    expect(state.getPrivate('cc', 'claims', 'c1', 'InsurerMSP')).toBeUndefined();
  });
});
