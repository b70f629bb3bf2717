import { describe, expect, it } from 'vitest';
import { compareKeys, keyInRange, sha256, toHex } from '../../../ledger/devnet/src/shim/keys.js';
import { RwSetBuilder } from '../../../ledger/devnet/src/shim/rwset-builder.js';
import { decodeRwSet } from '../../integration/devnet-shim/decode.js';

describe('key order', () => {
  it('compares keys as UTF-8 bytes, not UTF-16 code units', () => {
    // UTF-16 puts U+1F600 (a surrogate pair) before U+FFFD; UTF-8, like Fabric, puts it after.
    expect(['😀', '\uFFFD', 'a', '\u0000b'].sort(compareKeys)).toEqual(['\u0000b', 'a', '\uFFFD', '😀']);
    expect(keyInRange('\u0000k\u0000\uFFFD', '\u0000k\u0000', '\u0000k\u0000\u{10FFFF}')).toBe(true);
    expect(keyInRange('b', 'a', '')).toBe(true);
    expect(keyInRange('b', 'a', 'b')).toBe(false);
  });
});

describe('read-write set builder', () => {
  it('produces no namespace when the chaincode touched no state', () => {
    expect(decodeRwSet(new RwSetBuilder('asset').build().results)).toEqual({ dataModel: 0, namespaces: [] });
  });

  it('keeps one read per key, the last write per key, and sorts both by UTF-8 bytes', () => {
    const builder = new RwSetBuilder('asset');
    builder.addRead('😀', { blockNum: 1, txNum: 0 });
    builder.addRead('\uFFFD', undefined);
    builder.addRead('😀', { blockNum: 1, txNum: 0 });
    builder.addWrite('b', new TextEncoder().encode('first'));
    builder.addWrite('a', new TextEncoder().encode('x'));
    builder.addWrite('b', new TextEncoder().encode('second'));
    const [ns] = decodeRwSet(builder.build().results).namespaces;
    expect(ns?.reads).toEqual([
      { key: '\uFFFD', version: null },
      { key: '😀', version: { blockNum: 1, txNum: 0 } },
    ]);
    expect(ns?.writes).toEqual([
      { key: 'a', isDelete: false, value: 'x' },
      { key: 'b', isDelete: false, value: 'second' },
    ]);
  });

  it('treats a write of an empty value as a delete, as Fabric does', () => {
    const builder = new RwSetBuilder('asset');
    builder.addWrite('gone', new Uint8Array());
    expect(decodeRwSet(builder.build().results).namespaces[0]?.writes).toEqual([{ key: 'gone', isDelete: true, value: '' }]);
  });

  it('records each distinct range query once, in the order first seen', () => {
    const builder = new RwSetBuilder('asset');
    const read = { key: 'k1', version: { blockNum: 2, txNum: 1 } };
    builder.addRangeQuery({ startKey: 'k', endKey: 'l', itrExhausted: true, reads: [read] });
    builder.addRangeQuery({ startKey: 'a', endKey: 'b', itrExhausted: true, reads: [] });
    builder.addRangeQuery({ startKey: 'k', endKey: 'l', itrExhausted: true, reads: [read] });
    builder.addRangeQuery({ startKey: 'k', endKey: 'l', itrExhausted: false, reads: [read] });
    const queries = decodeRwSet(builder.build().results).namespaces[0]?.rangeQueries ?? [];
    expect(queries.map((q) => [q.startKey, q.endKey, q.itrExhausted])).toEqual([
      ['k', 'l', true],
      ['a', 'b', true],
      ['k', 'l', false],
    ]);
  });

  it('orders hashed reads and writes by their cleartext key, as Fabric does, not by hash', () => {
    const builder = new RwSetBuilder('asset');
    // sha256('b') sorts before sha256('a'); the keys themselves sort the other way.
    expect(toHex(sha256('b')) < toHex(sha256('a'))).toBe(true);
    for (const key of ['b', 'a']) {
      builder.addHashedRead('pvt', key, { blockNum: 1, txNum: 0 });
      builder.addPrivateWrite('pvt', key, new TextEncoder().encode(key));
    }
    const [collection] = decodeRwSet(builder.build().results).namespaces[0]?.collections ?? [];
    expect(collection?.hashedReads.map((r) => r.keyHash)).toEqual([toHex(sha256('a')), toHex(sha256('b'))]);
    expect(collection?.hashedWrites.map((w) => w.keyHash)).toEqual([toHex(sha256('a')), toHex(sha256('b'))]);
  });

  it('sorts collections by name and reports cleartext writes and purges apart', () => {
    const builder = new RwSetBuilder('asset');
    builder.addPrivateWrite('zeta', 'k2', new TextEncoder().encode('v2'));
    builder.addPrivatePurge('alpha', 'k1');
    builder.addHashedRead('alpha', 'k3', { blockNum: 4, txNum: 0 });
    const built = builder.build();
    const [ns] = decodeRwSet(built.results).namespaces;
    expect(ns?.collections.map((c) => c.name)).toEqual(['alpha', 'zeta']);
    expect(ns?.collections[0]?.hashedWrites[0]).toMatchObject({ isDelete: true, isPurge: true });
    expect(built.privatePurges).toEqual([{ namespace: 'asset', collection: 'alpha', key: 'k1' }]);
    expect(built.privateWrites).toEqual([{ namespace: 'asset', collection: 'zeta', key: 'k2', value: new TextEncoder().encode('v2') }]);
  });
});
