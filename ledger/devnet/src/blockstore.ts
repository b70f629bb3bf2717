/**
 * The block file: Fabric `common.Block` messages, each preceded by its length as a protobuf
 * varint (the layout of a Fabric peer's blockfile), appended and fsync'ed before the block is
 * announced. After each append a checkpoint (height, size, last header hash) is written, as a
 * Fabric peer keeps its block file checkpoint in its index database, also before the block is
 * announced: so any block a client may have seen acknowledged is covered by it.
 * At open, a torn last record beyond the checkpoint (a crash in the middle of a write that was
 * never acknowledged) is cut off with a warning; a file shorter than the checkpoint, or than the
 * state snapshot's height, is refused (`BLOCKS_LOST`) until an administrator restores it or runs
 * `npm run devnet -- repair`, which cuts it explicitly and logs what was lost.
 */
import {
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { sha256 } from './identity';
import { DevnetError } from './errors';

export const BLOCK_FILE_NAME = 'blockfile_000000';

/** sha256 over the concatenated envelopes: the block header's data_hash. */
export function blockDataHash(data: readonly Uint8Array[]): Buffer {
  return sha256(...data);
}

function derLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derTlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derUnsigned(n: number): Buffer {
  let hex = BigInt(n).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return derTlv(0x02, bytes);
}

/** Fabric's block header hash: sha256 of the ASN.1 DER SEQUENCE {number, previous_hash, data_hash}. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  const body = Buffer.concat([
    derUnsigned(header.getNumber()),
    derTlv(0x04, Buffer.from(header.getPreviousHash_asU8())),
    derTlv(0x04, Buffer.from(header.getDataHash_asU8())),
  ]);
  return sha256(derTlv(0x30, body));
}

/**
 * The devnet's commit hash: a chain over each block's validation codes, stored in the
 * COMMIT_HASH metadata (as Fabric does for its own commit hash), so that `verify` also detects
 * altered TRANSACTIONS_FILTER codes, which the header hash chain does not cover.
 */
export function commitHash(previous: Uint8Array, number: number, filter: Uint8Array, dataHash: Uint8Array): Buffer {
  const n = Buffer.alloc(8);
  n.writeBigUInt64BE(BigInt(number));
  return sha256(previous, n, filter, dataHash);
}

export function transactionsFilter(block: common.Block): Uint8Array {
  return (
    block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0)
  );
}

/** The stored commit hash; undefined when the block has none. */
function storedCommitHash(block: common.Block): Buffer | undefined {
  const bytes = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.COMMIT_HASH];
  if (!bytes || bytes.length === 0) return undefined;
  const value = common.Metadata.deserializeBinary(bytes).getValue_asU8();
  return value.length > 0 ? Buffer.from(value) : undefined;
}

/** Checks a block's commit hash against the chain; returns the hash to chain from, or an error. */
function checkCommitHash(block: common.Block, previous: Uint8Array): { next: Buffer } | { error: string } {
  const header = block.getHeader();
  const data = block.getData()?.getDataList_asU8() ?? [];
  const filter = transactionsFilter(block);
  if (filter.length !== data.length)
    return { error: `TRANSACTIONS_FILTER has ${filter.length} codes for ${data.length} transactions` };
  const expected = commitHash(
    previous,
    header?.getNumber() ?? 0,
    filter,
    header?.getDataHash_asU8() ?? new Uint8Array(0),
  );
  const stored = storedCommitHash(block);
  if (stored && !stored.equals(expected))
    return { error: 'the commit hash does not match the validation codes (TRANSACTIONS_FILTER was altered)' };
  return { next: expected };
}

function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** Reads length-prefixed records; returns them and the offset where good data ends. */
export function readRecords(bytes: Buffer): { records: Buffer[]; goodLength: number } {
  const { records, goodLength } = readRecordsWithOffsets(bytes);
  return { records, goodLength };
}

/** As readRecords, plus the byte offset where each record (with its length prefix) starts. */
function readRecordsWithOffsets(bytes: Buffer): { records: Buffer[]; goodLength: number; offsets: number[] } {
  const records: Buffer[] = [];
  const offsets: number[] = [0];
  let offset = 0;
  while (offset < bytes.length) {
    let len = 0;
    let shift = 1;
    let p = offset;
    let done = false;
    while (p < bytes.length && p - offset < 8) {
      const b = bytes[p++] ?? 0;
      len += (b & 0x7f) * shift;
      shift *= 128;
      if (!(b & 0x80)) {
        done = true;
        break;
      }
    }
    if (!done || p + len > bytes.length) break;
    records.push(bytes.subarray(p, p + len));
    offset = p + len;
    offsets.push(offset);
  }
  return { records, goodLength: offset, offsets };
}

export const CHECKPOINT_FILE_NAME = 'blockfile.checkpoint';

/** The block file's checkpoint: what had been appended, fsync'ed and announced. */
export interface BlockCheckpoint {
  version: 1;
  /** Number of blocks (0..height-1) that were complete when the checkpoint was written. */
  height: number;
  /** Size of the block file in bytes at that height. */
  size: number;
  /** Hex header hash of block height-1. */
  lastHeaderHash: string;
}

/**
 * The checkpoint file holds two fixed-size slots, written alternately (slot = height % 2) in
 * place and fdatasync'ed: one small write per block, no new file. Each slot carries a digest of
 * its content, so a write torn by a crash spoils one slot only and the other still holds the
 * checkpoint before it; the valid slot with the greater height wins.
 */
const SLOT_BYTES = 256;

function encodeSlot(checkpoint: BlockCheckpoint): Buffer {
  const body = JSON.stringify(checkpoint);
  const text = `${sha256(Buffer.from(body)).toString('hex').slice(0, 32)} ${body}`;
  if (text.length >= SLOT_BYTES) throw new Error('Block checkpoint too long.');
  return Buffer.from(text.padEnd(SLOT_BYTES - 1, ' ') + '\n');
}

function decodeSlot(bytes: Buffer): BlockCheckpoint | undefined {
  const text = bytes.toString('utf8').trimEnd();
  const space = text.indexOf(' ');
  if (space < 0) return undefined;
  const body = text.slice(space + 1);
  if (sha256(Buffer.from(body)).toString('hex').slice(0, 32) !== text.slice(0, space)) return undefined;
  try {
    const cp = JSON.parse(body) as BlockCheckpoint;
    return cp.version === 1 && Number.isInteger(cp.height) && cp.height >= 0 ? cp : undefined;
  } catch {
    return undefined;
  }
}

/** @throws DevnetError STORAGE_CORRUPT when the file exists but neither slot is readable */
export function readCheckpoint(dir: string): BlockCheckpoint | undefined {
  const file = path.join(dir, CHECKPOINT_FILE_NAME);
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const slots = [0, 1]
    .map((i) => decodeSlot(bytes.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES)))
    .filter((cp): cp is BlockCheckpoint => cp !== undefined);
  if (slots.length > 0) return slots.reduce((a, b) => (b.height > a.height ? b : a));
  throw new DevnetError(
    'STORAGE_CORRUPT',
    `The block file checkpoint ${file} cannot be read; restore the ledger folder from a backup, or run "npm run devnet -- repair" to rebuild it from the blocks that check out.`,
  );
}

/** Writes `checkpoint` into both slots (a new or repaired ledger), fsync'ed. */
export function writeCheckpoint(dir: string, checkpoint: BlockCheckpoint): void {
  const fd = openSync(path.join(dir, CHECKPOINT_FILE_NAME), 'w');
  try {
    const slot = encodeSlot(checkpoint);
    writeSync(fd, Buffer.concat([slot, slot]), 0, 2 * SLOT_BYTES, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The result of scanning a block file: blocks that parse and chain, and why the scan stopped. */
export interface Scan {
  blocks: Uint8Array[];
  /** Byte offset where the last good block ends. */
  goodLength: number;
  size: number;
  lastHeaderHash: Buffer;
  lastCommitHash: Buffer;
  /** Why the blocks after `blocks` were not accepted (absent: the whole file checks out). */
  problem?: { kind: 'torn' | 'corrupt'; number: number; reason: string };
}

/** Reads the block file and checks each block's hash chain; stops at the first bad one. */
export function scanBlockFile(file: string): Scan {
  const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const { records, goodLength, offsets } = readRecordsWithOffsets(bytes);
  const scan: Scan = {
    blocks: [],
    goodLength: 0,
    size: bytes.length,
    lastHeaderHash: Buffer.alloc(0),
    lastCommitHash: Buffer.alloc(0),
  };
  for (const [i, record] of records.entries()) {
    let block: common.Block;
    try {
      block = common.Block.deserializeBinary(record);
    } catch {
      scan.problem = { kind: 'corrupt', number: i, reason: 'the block does not parse as common.Block' };
      return scan;
    }
    const header = block.getHeader();
    const previousOk = Buffer.from(header?.getPreviousHash_asU8() ?? []).equals(scan.lastHeaderHash);
    const dataOk = blockDataHash(block.getData()?.getDataList_asU8() ?? []).equals(
      Buffer.from(header?.getDataHash_asU8() ?? []),
    );
    const commit = checkCommitHash(block, scan.lastCommitHash);
    if (!header || header.getNumber() !== i || !previousOk || !dataOk || 'error' in commit) {
      scan.problem = { kind: 'corrupt', number: i, reason: 'the block fails its hash-chain check' };
      return scan;
    }
    scan.blocks.push(new Uint8Array(record));
    scan.goodLength = offsets[i + 1] ?? goodLength;
    scan.lastHeaderHash = blockHeaderHash(header);
    scan.lastCommitHash = commit.next;
  }
  if (goodLength < bytes.length)
    scan.problem = {
      kind: 'torn',
      number: records.length,
      reason: `${bytes.length - goodLength} trailing bytes do not form a complete block`,
    };
  return scan;
}

export interface BlockStoreOptions {
  /** Blocks known to have been acknowledged besides the checkpoint's (the state snapshot's height). */
  acknowledgedHeight?: number;
  /** Receives warnings (a torn tail that was cut). */
  warn?: (message: string) => void;
}

const repairHint = (file: string): string =>
  `restore ${path.dirname(file)} from a backup, or run "npm run devnet -- repair --data-dir <data dir>" to cut the ledger back to its last good block (the cut is logged and the bytes are kept aside)`;

export class BlockStore {
  readonly #file: string;
  #fd: number;
  readonly #blocks: Uint8Array[] = [];
  #lastHeaderHash: Buffer = Buffer.alloc(0);
  #lastCommitHash: Buffer = Buffer.alloc(0);
  #size = 0;
  #checkpointFd = -1;

  /**
   * @throws DevnetError STORAGE_CORRUPT when a stored block does not parse or chain;
   *   BLOCKS_LOST when blocks that were acknowledged (checkpoint, snapshot) are missing
   */
  constructor(dir: string, options: BlockStoreOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.#file = path.join(dir, BLOCK_FILE_NAME);
    const checkpoint = readCheckpoint(dir);
    const scan = scanBlockFile(this.#file);
    const acknowledged = Math.max(checkpoint?.height ?? 0, options.acknowledgedHeight ?? 0);
    if (scan.problem?.kind === 'corrupt') {
      // Refuse to serve a ledger whose hash chain is broken: a tampered file must not be trusted.
      throw new DevnetError(
        'STORAGE_CORRUPT',
        `Block ${scan.problem.number} in ${this.#file} fails its hash-chain check (run "npm run devnet -- verify" for details); ${repairHint(this.#file)}, or start over with --reset.`,
      );
    }
    if (scan.blocks.length < acknowledged) {
      const last = scan.blocks.length - 1;
      throw new DevnetError(
        'BLOCKS_LOST',
        `The block file ${this.#file} ends ${last < 0 ? 'before block 0' : `at block ${last}`}, but blocks up to ${acknowledged - 1} were committed and acknowledged (${checkpoint && checkpoint.height >= acknowledged ? 'block file checkpoint' : 'state snapshot'}): it was truncated or replaced. The devnet will not drop acknowledged transactions silently; ${repairHint(this.#file)}.`,
      );
    }
    if (checkpoint && checkpoint.height > 0) {
      const header = common.Block.deserializeBinary(
        scan.blocks[checkpoint.height - 1] ?? new Uint8Array(0),
      ).getHeader();
      if (!header || blockHeaderHash(header).toString('hex') !== checkpoint.lastHeaderHash)
        throw new DevnetError(
          'STORAGE_CORRUPT',
          `Block ${checkpoint.height - 1} in ${this.#file} is not the block that was acknowledged (its header hash differs from the checkpoint): the file was replaced; ${repairHint(this.#file)}.`,
        );
    }
    if (scan.problem?.kind === 'torn') {
      truncateSync(this.#file, scan.goodLength);
      options.warn?.(
        `block file ${this.#file}: cut ${scan.size - scan.goodLength} bytes after block ${scan.blocks.length - 1}: a write interrupted by a crash, never acknowledged (${scan.problem.reason})`,
      );
    }
    this.#blocks.push(...scan.blocks);
    this.#lastHeaderHash = scan.lastHeaderHash;
    this.#lastCommitHash = scan.lastCommitHash;
    this.#size = scan.goodLength;
    this.#fd = openSync(this.#file, 'a');
    // Both slots agree with the file from here on (a new ledger, an older data dir, a cut tail).
    if (!checkpoint || checkpoint.height !== this.#blocks.length) writeCheckpoint(dir, this.#current());
    this.#checkpointFd = openSync(path.join(dir, CHECKPOINT_FILE_NAME), 'r+');
  }

  #current(): BlockCheckpoint {
    return {
      version: 1,
      height: this.#blocks.length,
      size: this.#size,
      lastHeaderHash: this.#lastHeaderHash.toString('hex'),
    };
  }

  /**
   * One slot written in place before the block is announced. Not fsync'ed: the block itself
   * was, just before, so the checkpoint can trail the durable blocks after a power cut (by the
   * last block, which is then taken as complete and unacknowledged) but never run ahead of them;
   * a process crash (kill -9) loses nothing the kernel already has.
   */
  #checkpoint(): void {
    const checkpoint = this.#current();
    writeSync(this.#checkpointFd, encodeSlot(checkpoint), 0, SLOT_BYTES, (checkpoint.height % 2) * SLOT_BYTES);
  }

  get height(): number {
    return this.#blocks.length;
  }

  get lastHeaderHash(): Buffer {
    return this.#lastHeaderHash;
  }

  get lastCommitHash(): Buffer {
    return this.#lastCommitHash;
  }

  getBytes(number: number): Uint8Array | undefined {
    return this.#blocks[number];
  }

  get(number: number): common.Block | undefined {
    const bytes = this.#blocks[number];
    return bytes ? common.Block.deserializeBinary(bytes) : undefined;
  }

  /** Appends and fsyncs; the block must be the next in sequence. */
  append(block: common.Block): void {
    const { record, publish } = this.#record(block);
    this.#writeRecord(record);
    fsyncSync(this.#fd);
    publish();
  }

  /**
   * As append, with the fsync on libuv's thread pool so that the event loop keeps serving
   * while the disk flushes. Resolves, once the block is durable, to the function that makes it
   * the store's next block (height, hashes, checkpoint): call it where the block may be
   * announced. One block at a time: the next write waits for this one to be published.
   */
  async write(block: common.Block): Promise<() => void> {
    const { record, publish } = this.#record(block);
    this.#writeRecord(record);
    await fsyncOnThreadPool(this.#fd);
    return publish;
  }

  #record(block: common.Block): { record: Buffer; publish: () => void } {
    const header = block.getHeader();
    if (!header || header.getNumber() !== this.#blocks.length) throw new Error('Block out of sequence.');
    const commit = checkCommitHash(block, this.#lastCommitHash);
    if ('error' in commit) throw new Error(`Block ${header.getNumber()}: ${commit.error}.`);
    const bytes = block.serializeBinary();
    const record = Buffer.concat([encodeVarint(bytes.length), bytes]);
    return {
      record,
      publish: () => {
        this.#blocks.push(bytes);
        this.#lastHeaderHash = blockHeaderHash(header);
        this.#lastCommitHash = commit.next;
        this.#size += record.length;
        // Before the block is announced: from here on a client may see it acknowledged.
        this.#checkpoint();
      },
    };
  }

  #writeRecord(record: Buffer): void {
    let written = 0;
    while (written < record.length) written += writeSync(this.#fd, record, written);
  }

  close(): void {
    if (this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
    if (this.#checkpointFd >= 0) {
      closeSync(this.#checkpointFd);
      this.#checkpointFd = -1;
    }
  }
}

const fsyncOnThreadPool = promisify(fsync);

export interface VerifyReport {
  ok: boolean;
  blocks: number;
  firstBad?: { number: number; reason: string };
}

/** Checks every stored block: parses, numbering, data_hash, previous_hash chain. */
export function verifyBlockFile(dir: string): VerifyReport {
  const file = path.join(dir, BLOCK_FILE_NAME);
  if (!existsSync(file)) return { ok: false, blocks: 0, firstBad: { number: 0, reason: `no block file at ${file}` } };
  const bytes = readFileSync(file);
  const { records, goodLength } = readRecords(bytes);
  let previous: Buffer | undefined;
  let previousCommit: Buffer = Buffer.alloc(0);
  for (let i = 0; i < records.length; i++) {
    let block: common.Block;
    try {
      block = common.Block.deserializeBinary(records[i] ?? Buffer.alloc(0));
    } catch {
      return { ok: false, blocks: i, firstBad: { number: i, reason: 'the block does not parse as common.Block' } };
    }
    const header = block.getHeader();
    if (!header) return { ok: false, blocks: i, firstBad: { number: i, reason: 'the block has no header' } };
    if (header.getNumber() !== i)
      return {
        ok: false,
        blocks: i,
        firstBad: { number: i, reason: `header number is ${header.getNumber()}, expected ${i}` },
      };
    const data = block.getData()?.getDataList_asU8() ?? [];
    if (!blockDataHash(data).equals(Buffer.from(header.getDataHash_asU8()))) {
      return {
        ok: false,
        blocks: i,
        firstBad: { number: i, reason: 'data_hash does not match the block data (transactions were altered)' },
      };
    }
    const prev = Buffer.from(header.getPreviousHash_asU8());
    if (previous ? !prev.equals(previous) : prev.length !== 0) {
      return {
        ok: false,
        blocks: i,
        firstBad: { number: i, reason: 'previous_hash does not match the header hash of the block before' },
      };
    }
    const commit = checkCommitHash(block, previousCommit);
    if ('error' in commit) return { ok: false, blocks: i, firstBad: { number: i, reason: commit.error } };
    previousCommit = commit.next;
    previous = blockHeaderHash(header);
  }
  if (goodLength < bytes.length) {
    return {
      ok: false,
      blocks: records.length,
      firstBad: {
        number: records.length,
        reason: `${bytes.length - goodLength} trailing bytes do not form a complete block (torn write)`,
      },
    };
  }
  return { ok: true, blocks: records.length };
}
