/**
 * `npm run devnet -- repair`: the explicit, logged way out when the devnet refuses to start
 * because its block file is damaged (STORAGE_CORRUPT) or shorter than what was acknowledged
 * (BLOCKS_LOST). It keeps the blocks that parse and chain, cuts the rest, and never deletes:
 * the cut bytes, a snapshot that no longer matches and the private data of cut blocks are moved
 * aside next to the ledger, and a line is appended to `<ledger>/repair.log`.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import {
  BLOCK_FILE_NAME,
  type BlockCheckpoint,
  blockHeaderHash,
  readCheckpoint,
  readRecords,
  scanBlockFile,
  writeCheckpoint,
} from './blockstore';

export const SNAPSHOT_FILE_NAME = 'state.snapshot.json';
export const PRIVATE_LOG_FILE_NAME = 'pvtdata.log';
export const REPAIR_LOG_FILE_NAME = 'repair.log';

export interface RepairReport {
  /** False when there was nothing to repair. */
  changed: boolean;
  /** Blocks kept (0..keptBlocks-1). */
  keptBlocks: number;
  /** The height that had been acknowledged (checkpoint or snapshot), when known. */
  acknowledgedHeight: number;
  /** Acknowledged blocks that are gone: max(0, acknowledgedHeight - keptBlocks). */
  lostAcknowledgedBlocks: number;
  /** Transaction ids found in the cut bytes (those that still parse). */
  cutTxIds: string[];
  cutBytes: number;
  /** Files moved or written aside; nothing is deleted. */
  keptAside: string[];
  /** Sentences saying what was done, also logged. */
  lines: string[];
}

function txIdOf(envelope: Uint8Array): string | undefined {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelope).getPayload_asU8());
    const header = common.ChannelHeader.deserializeBinary(
      payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(0),
    );
    return header.getTxId() || undefined;
  } catch {
    return undefined;
  }
}

function tolerantJson<T>(file: string): T | undefined {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Repairs the ledger folder `<dataDir>/ledger`. The devnet must not be running on it (the caller
 * holds the data dir lock).
 */
export function repairLedger(
  ledgerDir: string,
  log: (line: string) => void = () => {},
  now = new Date(),
): RepairReport {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const blockFile = path.join(ledgerDir, BLOCK_FILE_NAME);
  const checkpoint = ((): BlockCheckpoint | undefined => {
    try {
      return readCheckpoint(ledgerDir);
    } catch {
      return undefined; // unreadable: rewritten below from the blocks that check out
    }
  })();
  const snapshotFile = path.join(ledgerDir, SNAPSHOT_FILE_NAME);
  const snapshot = tolerantJson<{ height?: number; lastHeaderHash?: string }>(snapshotFile);
  const scan = scanBlockFile(blockFile);
  const kept = scan.blocks.length;
  const acknowledged = Math.max(checkpoint?.height ?? 0, snapshot?.height ?? 0);
  const keptHash = (height: number): string | undefined => {
    const bytes = scan.blocks[height - 1];
    const header = bytes ? common.Block.deserializeBinary(bytes).getHeader() : undefined;
    return header ? blockHeaderHash(header).toString('hex') : undefined;
  };
  const report: RepairReport = {
    changed: false,
    keptBlocks: kept,
    acknowledgedHeight: acknowledged,
    lostAcknowledgedBlocks: Math.max(0, acknowledged - kept),
    cutTxIds: [],
    cutBytes: scan.size - scan.goodLength,
    keptAside: [],
    lines: [],
  };
  const say = (line: string): void => {
    report.lines.push(line);
    log(line);
  };

  if (scan.goodLength < scan.size) {
    const bytes = readFileSync(blockFile);
    const cut = bytes.subarray(scan.goodLength);
    for (const record of readRecords(Buffer.from(cut)).records) {
      try {
        for (const envelope of common.Block.deserializeBinary(record).getData()?.getDataList_asU8() ?? []) {
          const txId = txIdOf(envelope);
          if (txId) report.cutTxIds.push(txId);
        }
      } catch {
        // unreadable record: its bytes are kept aside anyway
      }
    }
    const aside = `${blockFile}.cut-${stamp}`;
    writeFileSync(aside, cut, { mode: 0o600 });
    truncateSync(blockFile, scan.goodLength);
    report.keptAside.push(aside);
    say(
      `cut ${cut.length} bytes after block ${kept - 1} of ${blockFile} (${scan.problem?.reason ?? 'damaged'}); ${report.cutTxIds.length} transaction(s) in them; the bytes are kept in ${aside}`,
    );
  }
  if (report.lostAcknowledgedBlocks > 0)
    say(
      `blocks ${kept}..${acknowledged - 1} had been acknowledged and are lost: their transactions must be submitted again (clients see them as unknown)`,
    );
  if (
    snapshot &&
    (typeof snapshot.height !== 'number' ||
      snapshot.height > kept ||
      keptHash(snapshot.height) !== snapshot.lastHeaderHash)
  ) {
    const aside = `${snapshotFile}.discarded-${stamp}`;
    renameSync(snapshotFile, aside);
    report.keptAside.push(aside);
    say(
      `the state snapshot does not match the kept blocks; moved to ${aside} (state is rebuilt from the blocks at start)`,
    );
  }
  const pvtFile = path.join(ledgerDir, PRIVATE_LOG_FILE_NAME);
  if (existsSync(pvtFile)) {
    const keep: string[] = [];
    const drop: string[] = [];
    for (const line of readFileSync(pvtFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = (() => {
        try {
          return JSON.parse(line) as { block?: number };
        } catch {
          return undefined;
        }
      })();
      (entry && typeof entry.block === 'number' && entry.block < kept ? keep : drop).push(line);
    }
    if (drop.length > 0) {
      const aside = `${pvtFile}.cut-${stamp}`;
      writeFileSync(aside, drop.join('\n') + '\n', { mode: 0o600 });
      writeFileSync(`${pvtFile}.tmp`, keep.length ? keep.join('\n') + '\n' : '', { mode: 0o600 });
      renameSync(`${pvtFile}.tmp`, pvtFile);
      report.keptAside.push(aside);
      say(`moved ${drop.length} private data entries of cut blocks to ${aside}`);
    }
  }
  if (
    checkpoint &&
    checkpoint.height > 0 &&
    checkpoint.height <= kept &&
    keptHash(checkpoint.height) !== checkpoint.lastHeaderHash
  )
    say(
      `block ${checkpoint.height - 1} is not the block that was acknowledged (the file was replaced); the blocks that chain are kept as they are`,
    );
  if (!checkpoint || checkpoint.height !== kept || checkpoint.lastHeaderHash !== (keptHash(kept) ?? ''))
    writeCheckpoint(ledgerDir, {
      version: 1,
      height: kept,
      size: scan.goodLength,
      lastHeaderHash: keptHash(kept) ?? '',
    });
  report.changed = report.lines.length > 0;
  if (report.changed) {
    say(`ledger repaired: ${kept} blocks kept (0..${kept - 1}); the devnet continues from block ${kept}`);
    appendFileSync(
      path.join(ledgerDir, REPAIR_LOG_FILE_NAME),
      JSON.stringify({
        at: now.toISOString(),
        keptBlocks: kept,
        acknowledgedHeight: acknowledged,
        lostAcknowledgedBlocks: report.lostAcknowledgedBlocks,
        cutBytes: report.cutBytes,
        cutTxIds: report.cutTxIds,
        keptAside: report.keptAside,
        lines: report.lines,
      }) + '\n',
      { mode: 0o600 },
    );
  } else {
    say(`nothing to repair: ${kept} blocks, hash chain intact, nothing acknowledged is missing`);
  }
  return report;
}
