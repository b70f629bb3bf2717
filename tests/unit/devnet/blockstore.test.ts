import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import {
  BLOCK_FILE_NAME,
  CHECKPOINT_FILE_NAME,
  commitHash,
  BlockStore,
  blockDataHash,
  blockHeaderHash,
  verifyBlockFile,
} from '../../../ledger/devnet/src/blockstore';
import { repairLedger } from '../../../ledger/devnet/src/repair';

function block(number: number, previousHash: Uint8Array, previousCommit: Uint8Array, payloads: string[]): common.Block {
  const data = payloads.map((p) => Buffer.from(p));
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(blockDataHash(data));
  const blockData = new common.BlockData();
  blockData.setDataList(data);
  const b = new common.Block();
  b.setHeader(header);
  b.setData(blockData);
  // Valid codes for every transaction, and the commit hash chained over them.
  const filter = new Uint8Array(data.length);
  const commit = new common.Metadata();
  commit.setValue(commitHash(previousCommit, number, filter, header.getDataHash_asU8()));
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([new Uint8Array(0), new Uint8Array(0), filter, new Uint8Array(0), commit.serializeBinary()]);
  b.setMetadata(metadata);
  return b;
}

function storeWithBlocks(n: number): { dir: string; store: BlockStore } {
  const dir = mkdtempSync(path.join(tmpdir(), 'devnet-blocks-'));
  const store = new BlockStore(dir);
  for (let i = 0; i < n; i++)
    store.append(block(i, store.lastHeaderHash, store.lastCommitHash, [`tx-${i}-a`, `tx-${i}-b`]));
  return { dir, store };
}

describe('block file', () => {
  it('hashes a header as Fabric does: sha256 of DER SEQUENCE{number, previous_hash, data_hash}', () => {
    const header = new common.BlockHeader();
    header.setNumber(300);
    header.setPreviousHash(Buffer.alloc(32, 1));
    header.setDataHash(Buffer.alloc(32, 2));
    const der = Buffer.concat([
      Buffer.from([0x30, 0x48, 0x02, 0x02, 0x01, 0x2c, 0x04, 0x20]),
      Buffer.alloc(32, 1),
      Buffer.from([0x04, 0x20]),
      Buffer.alloc(32, 2),
    ]);
    const expected = createHash('sha256').update(der).digest();
    expect(blockHeaderHash(header).equals(expected)).toBe(true);
  });

  it('appends, reopens at the same height, and verifies the chain', () => {
    const { dir, store } = storeWithBlocks(3);
    store.close();
    const reopened = new BlockStore(dir);
    expect(reopened.height).toBe(3);
    expect(reopened.get(2)?.getHeader()?.getNumber()).toBe(2);
    reopened.close();
    expect(verifyBlockFile(dir)).toEqual({ ok: true, blocks: 3 });
  });

  it('cuts a torn last record that was never acknowledged at open, with a warning', () => {
    const { dir, store } = storeWithBlocks(2);
    store.close();
    appendFileSync(path.join(dir, BLOCK_FILE_NAME), Buffer.from([0x90, 0x03, 0x01]));
    expect(verifyBlockFile(dir).ok).toBe(false);
    const warnings: string[] = [];
    new BlockStore(dir, { warn: (m) => warnings.push(m) }).close();
    expect(verifyBlockFile(dir)).toEqual({ ok: true, blocks: 2 });
    expect(warnings).toEqual([expect.stringMatching(/cut 3 bytes after block 1: a write interrupted by a crash/)]);
  });

  it('refuses to drop an acknowledged block whose tail was cut (issue 15 item 5)', () => {
    const { dir, store } = storeWithBlocks(3);
    store.close();
    const file = path.join(dir, BLOCK_FILE_NAME);
    truncateSync(file, statSync(file).size - 20);
    const sizeBefore = statSync(file).size;
    expect(() => new BlockStore(dir, { warn: () => undefined })).toThrowError(
      expect.objectContaining({
        code: 'BLOCKS_LOST',
        message: expect.stringMatching(
          /ends at block 1, but blocks up to 2 were committed and acknowledged.*devnet -- repair/,
        ) as string,
      }) as Error,
    );
    expect(statSync(file).size).toBe(sizeBefore); // nothing was cut
  });

  it('refuses a block file shorter than the snapshot height even without a checkpoint', () => {
    const { dir, store } = storeWithBlocks(2);
    store.close();
    expect(() => new BlockStore(dir, { acknowledgedHeight: 5 })).toThrowError(
      expect.objectContaining({
        code: 'BLOCKS_LOST',
        message: expect.stringMatching(/state snapshot/) as string,
      }) as Error,
    );
  });

  it('survives a torn checkpoint write (the other slot holds the one before), and refuses when neither slot reads', () => {
    const { dir, store } = storeWithBlocks(3);
    store.close();
    const file = path.join(dir, CHECKPOINT_FILE_NAME);
    const bytes = readFileSync(file);
    bytes.fill(0x20, 256, 300); // slot 1 (height 3) torn
    writeFileSync(file, bytes);
    const reopened = new BlockStore(dir);
    expect(reopened.height).toBe(3);
    reopened.close();
    writeFileSync(file, Buffer.alloc(512, 0x41));
    expect(() => new BlockStore(dir)).toThrowError(
      expect.objectContaining({
        code: 'STORAGE_CORRUPT',
        message: expect.stringMatching(/checkpoint .* cannot be read/) as string,
      }) as Error,
    );
    expect(repairLedger(dir).keptBlocks).toBe(3);
    expect(new BlockStore(dir).height).toBe(3);
  });

  it('repair cuts back to the last good block, keeps the cut bytes aside and logs it; the store then opens', () => {
    const { dir, store } = storeWithBlocks(4);
    store.close();
    const file = path.join(dir, BLOCK_FILE_NAME);
    const original = readFileSync(file);
    truncateSync(file, original.length - 10);
    const lines: string[] = [];
    const report = repairLedger(dir, (l) => lines.push(l));
    expect(report).toMatchObject({ changed: true, keptBlocks: 3, acknowledgedHeight: 4, lostAcknowledgedBlocks: 1 });
    expect(lines.join('\n')).toMatch(/blocks 3\.\.3 had been acknowledged and are lost/);
    const aside = report.keptAside[0] ?? '';
    expect(
      Buffer.concat([readFileSync(file), readFileSync(aside)]).equals(original.subarray(0, original.length - 10)),
    ).toBe(true);
    expect(readFileSync(path.join(dir, 'repair.log'), 'utf8')).toMatch(/"lostAcknowledgedBlocks":1/);
    const reopened = new BlockStore(dir);
    expect(reopened.height).toBe(3);
    reopened.append(block(3, reopened.lastHeaderHash, reopened.lastCommitHash, ['tx-after-repair']));
    reopened.close();
    expect(verifyBlockFile(dir)).toEqual({ ok: true, blocks: 4 });
    expect(repairLedger(dir).changed).toBe(false);
  });

  it('repair cuts from a flipped byte on, and the store opens at the blocks before it', () => {
    const { dir, store } = storeWithBlocks(3);
    store.close();
    const file = path.join(dir, BLOCK_FILE_NAME);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('tx-2-a'));
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    expect(() => new BlockStore(dir)).toThrowError(expect.objectContaining({ code: 'STORAGE_CORRUPT' }) as Error);
    const report = repairLedger(dir);
    expect(report).toMatchObject({ keptBlocks: 2, lostAcknowledgedBlocks: 1 });
    expect(report.keptAside.every((f) => existsSync(f))).toBe(true);
    const reopened = new BlockStore(dir);
    expect(reopened.height).toBe(2);
    reopened.close();
  });

  it('detects an altered validation code through the commit hash chain', () => {
    const { dir, store } = storeWithBlocks(3);
    const second = store.getBytes(2);
    store.close();
    const file = path.join(dir, BLOCK_FILE_NAME);
    const bytes = readFileSync(file);
    // Rewrite block 2 with one transaction marked MVCC_READ_CONFLICT (11) but the old commit hash.
    const b = common.Block.deserializeBinary(second ?? new Uint8Array(0));
    const list = b.getMetadata()?.getMetadataList_asU8() ?? [];
    list[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from([0, 11]);
    b.getMetadata()?.setMetadataList(list);
    const original = Buffer.from(second ?? new Uint8Array(0));
    const start = bytes.indexOf(original);
    const altered = Buffer.from(b.serializeBinary());
    expect(altered.length).toBe(original.length);
    altered.copy(bytes, start);
    writeFileSync(file, bytes);
    expect(verifyBlockFile(dir)).toMatchObject({
      ok: false,
      firstBad: { number: 2, reason: expect.stringMatching(/commit hash/) as string },
    });
  });

  it('names the first altered block, and refuses to open it', () => {
    const { dir, store } = storeWithBlocks(3);
    store.close();
    const file = path.join(dir, BLOCK_FILE_NAME);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('tx-1-b'));
    bytes[at + 3] = 'X'.charCodeAt(0);
    writeFileSync(file, bytes);
    expect(verifyBlockFile(dir)).toMatchObject({ ok: false, firstBad: { number: 1 } });
    expect(() => new BlockStore(dir)).toThrowError(expect.objectContaining({ code: 'STORAGE_CORRUPT' }) as Error);
  });
});
