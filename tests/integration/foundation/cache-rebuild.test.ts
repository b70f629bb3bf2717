import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import type { Workstation } from '../../../src-main/services';
import { cacheKeyOf, flipByteInPage, pagesOf, PASSPHRASE, preparedCache, reopen } from './cache-damage';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function track(dataDir: string, ws: Workstation): Workstation {
  cleanup.push(async () => {
    await ws.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return ws;
}

async function waitForDamage(ws: Workstation): Promise<void> {
  for (let i = 0; i < 200 && ws.cache.state().status !== 'error'; i++) await new Promise((r) => setTimeout(r, 25));
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('a damaged cache page', () => {
  it('is found by the background integrity check after unlock, and every query that meets it says CACHE_CORRUPT', async () => {
    const { dataDir, cacheDir } = await preparedCache(3, 400);
    const mirrorPages = await pagesOf(cacheDir, 'mirror_claim');
    await flipByteInPage(cacheDir, mirrorPages[Math.floor(mirrorPages.length / 2)] ?? 0);
    const ws = track(dataDir, await reopen(dataDir));
    // Page 1 is intact: the open check passes, as the tester found.
    expect(await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false })).toMatchObject({ status: 'open' });
    await waitForDamage(ws);
    expect(ws.cache.state()).toMatchObject({ status: 'error', error: { code: 'CACHE_CORRUPT', details: { canRebuild: true } } });
    expect(ws.cache.lastIntegrityCheck()).toMatchObject({ ok: false, problems: [expect.stringMatching(/page \d+/)] });
    const err = await ws.cache
      .database()
      .read((r) => r.all(sql`SELECT sum(length(record)) AS n FROM mirror_claim`))
      .catch((e: unknown) => e as { code: string; message: string });
    expect(err).toMatchObject({ code: 'CACHE_CORRUPT' });
    expect((err as { message: string }).message).toMatch(/Rebuild the local data/);
  });

  it('found while the cache opens (a start-up reader meets it): the state stays CACHE_CORRUPT, never announced as open', async () => {
    const { dataDir, cacheDir } = await preparedCache(2, 300);
    const mirrorPages = await pagesOf(cacheDir, 'mirror_claim');
    await flipByteInPage(cacheDir, mirrorPages[Math.floor(mirrorPages.length / 2)] ?? 0);
    const ws = track(dataDir, await reopen(dataDir));
    // As the sync engine's start-up does: read ledger data as soon as the file is open.
    ws.cache.onOpen(async (db) => {
      await db.read((r) => r.all(sql`SELECT * FROM mirror_claim`)).catch(() => undefined);
    });
    const opened = await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false }).catch((e: unknown) => e);
    expect(opened).toMatchObject({ status: 'error', error: { code: 'CACHE_CORRUPT' } });
    expect(ws.cache.state()).toMatchObject({ status: 'error', error: { code: 'CACHE_CORRUPT', details: { canRebuild: true } } });
  });

  it('is reported by a query that reads it even before any check (never INTERNAL), and the on-demand check names the page', async () => {
    const { dataDir, cacheDir } = await preparedCache(2, 300);
    const mirrorPages = await pagesOf(cacheDir, 'mirror_claim');
    const page = mirrorPages[Math.floor(mirrorPages.length / 3)] ?? 0;
    await flipByteInPage(cacheDir, page);
    const ws = track(dataDir, await reopen(dataDir));
    await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
    expect(await codeOf(ws.cache.database().read((r) => r.all(sql`SELECT * FROM mirror_claim`)))).toBe('CACHE_CORRUPT');
    // The connection is poisoned from then on (SQLITE_NOMEM underneath): still CACHE_CORRUPT.
    expect(await codeOf(ws.cache.database().read((r) => r.all(sql`SELECT * FROM staff_identity`)))).toBe('CACHE_CORRUPT');
    const report = await ws.cache.checkIntegrity();
    expect(report.ok).toBe(false);
    expect(report.problems.join(' ')).toContain(`page ${page}`);
  });

  it('rebuild: exports the unsent writes first, moves the damaged file aside, and starts a fresh cache with the writes queued again and the staff identities kept', async () => {
    const { dataDir, cacheDir, seqs } = await preparedCache(12, 400);
    const before = await cacheKeyOf(cacheDir).then(async () => {
      const ws = await reopen(dataDir);
      await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
      const rows = await ws.cache.database().read((r) => r.all<{ seq: number; payload: string; state: string }>(sql`SELECT seq, payload, state FROM outbox ORDER BY seq`));
      await ws.close();
      return rows;
    });
    expect(before.map((r) => r.seq)).toEqual(seqs);
    const damagedBytes = await (async () => {
      const mirrorPages = await pagesOf(cacheDir, 'mirror_claim');
      await flipByteInPage(cacheDir, mirrorPages[mirrorPages.length - 2] ?? 0);
      return readFile(path.join(cacheDir, 'careledger.db'));
    })();

    const ws = track(dataDir, await reopen(dataDir));
    await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
    await waitForDamage(ws);
    const report = await ws.cache.rebuild();
    expect(report).toMatchObject({ exported: 12, reimported: 12, unreadableWrites: [], outboxComplete: true });
    // Settings carried: the one written while preparing, and the emergency-access default the chart's migration adds.
    expect(report.carried).toEqual(expect.arrayContaining([{ table: 'staff_identity', rows: 1 }, { table: 'workstation_setting', rows: 2 }]));

    // The damaged file is kept, byte for byte, beside the sealed export; neither is readable by others.
    expect((await readFile(path.join(report.movedTo, 'careledger.db'))).equals(damagedBytes)).toBe(true);
    expect((await readdir(report.movedTo)).sort()).toEqual(['careledger.db', 'outbox-export.json']);
    expect((await stat(report.outboxExportFile)).mode & 0o777).toBe(0o600);
    expect((await stat(report.movedTo)).mode & 0o777).toBe(0o700);
    const exportText = await readFile(report.outboxExportFile, 'utf8');
    expect(exportText).not.toContain('private 0');
    expect(exportText).not.toContain('event-0');

    // A fresh, healthy cache with the same writes in its queue, same row numbers, same content.
    expect(ws.cache.state()).toMatchObject({ status: 'open' });
    expect(await ws.cache.checkIntegrity()).toMatchObject({ ok: true });
    const after = await ws.cache.database().read((r) => r.all<{ seq: number; payload: string; state: string }>(sql`SELECT seq, payload, state FROM outbox ORDER BY seq`));
    expect(after).toEqual(before);
    expect(await ws.sync.state()).toMatchObject({ queued: 12 });
    // The staff identities were carried over: the authors of the queued writes can sign in and sign them.
    expect(await ws.cache.database().read((r) => r.all(sql`SELECT id, display_name FROM staff_identity`))).toEqual([{ id: 'clerk-1', display_name: 'Test Clerk' }]);

    // The export cannot be imported a second time, nor once altered.
    expect(await codeOf(ws.cache.importOutboxExport(report.outboxExportFile))).toBe('CONFLICT');
    // Even without that record (e.g. IT restored a backup of the cache older than the export),
    // writes already in the queue are recognised and not queued a second time.
    await ws.cache.database().write((w) => w.run(sql`DELETE FROM sync_meta WHERE key LIKE 'outboxImport:%'`));
    expect(await ws.cache.importOutboxExport(report.outboxExportFile)).toEqual({ imported: 0, skipped: 12 });
    expect(await ws.sync.state()).toMatchObject({ queued: 12 });
    const altered = JSON.parse(exportText) as { rows: number };
    altered.rows = 11;
    await writeFile(report.outboxExportFile + '.altered', JSON.stringify(altered));
    expect(await codeOf(ws.cache.importOutboxExport(report.outboxExportFile + '.altered'))).toBe('VALIDATION');
  });

  it('rebuild: writes sitting on a damaged page are listed by number, every other write is kept', async () => {
    const { dataDir, cacheDir, seqs } = await preparedCache(120, 50);
    const outboxPages = await pagesOf(cacheDir, 'outbox');
    expect(outboxPages.length).toBeGreaterThan(2);
    await flipByteInPage(cacheDir, outboxPages[1] ?? 0);
    const ws = track(dataDir, await reopen(dataDir));
    await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
    await waitForDamage(ws);
    const report = await ws.cache.rebuild();
    expect(report.unreadableWrites.length).toBeGreaterThan(0);
    expect(report.exported + report.unreadableWrites.length).toBe(seqs.length);
    expect(report.reimported).toBe(report.exported);
    const kept = await ws.cache.database().read((r) => r.all<{ seq: number }>(sql`SELECT seq FROM outbox ORDER BY seq`));
    expect([...kept.map((r) => r.seq), ...report.unreadableWrites].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('rebuild: a file damaged on its first page is moved aside too (the error screen offers it), saying the queue could not be read', async () => {
    const { dataDir, cacheDir } = await preparedCache(3, 10);
    await flipByteInPage(cacheDir, 1);
    const ws = track(dataDir, await reopen(dataDir));
    expect(await codeOf(ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false }))).toBe('CACHE_CORRUPT');
    expect(ws.cache.state()).toMatchObject({ status: 'error', error: { code: 'CACHE_CORRUPT', details: { canRebuild: true } } });
    const report = await ws.cache.rebuild();
    expect(report).toMatchObject({ exported: 0, outboxComplete: false });
    expect(ws.cache.state()).toMatchObject({ status: 'open' });
    expect((await readdir(report.movedTo)).sort()).toEqual(['careledger.db', 'outbox-export.json']);
  });

  it('an outbox export opens only on the cache whose key sealed it', async () => {
    const damaged = await preparedCache(4, 200);
    const pages = await pagesOf(damaged.cacheDir, 'mirror_claim');
    await flipByteInPage(damaged.cacheDir, pages[Math.floor(pages.length / 2)] ?? 0);
    const ws = track(damaged.dataDir, await reopen(damaged.dataDir));
    await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
    await waitForDamage(ws);
    const report = await ws.cache.rebuild();
    const text = await readFile(report.outboxExportFile, 'utf8');

    const other = await preparedCache(1, 0);
    const elsewhere = track(other.dataDir, await reopen(other.dataDir));
    await elsewhere.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
    const refused = await elsewhere.cache.importOutboxExportText(text).catch((e: unknown) => e as { code: string; message: string });
    expect(refused).toMatchObject({ code: 'VALIDATION' });
    expect((refused as { message: string }).message).toMatch(/does not open with this workstation's cache key/);
    expect(await codeOf(elsewhere.cache.importOutboxExportText('{"not": "an export"}'))).toBe('VALIDATION');
    expect(await elsewhere.sync.state()).toMatchObject({ queued: 1 });
  });

  it('rebuild with the damaged file already gone (an earlier attempt moved it) still ends on a fresh cache, saying the queue could not be read', async () => {
    const { dataDir, cacheDir } = await preparedCache(2, 100);
    const pages = await pagesOf(cacheDir, 'mirror_claim');
    await flipByteInPage(cacheDir, pages[1] ?? 0);
    const ws = track(dataDir, await reopen(dataDir));
    await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
    await waitForDamage(ws);
    await rm(path.join(cacheDir, 'careledger.db'));
    const report = await ws.cache.rebuild();
    expect(report).toMatchObject({ exported: 0, outboxComplete: false });
    expect(ws.cache.state()).toMatchObject({ status: 'open' });
  });

  it('rebuild of a healthy cache is refused (CONFLICT) and changes nothing', async () => {
    const { dataDir, cacheDir } = await preparedCache(2, 10);
    const ws = track(dataDir, await reopen(dataDir));
    await ws.cache.unlock({ passphrase: PASSPHRASE, isRecovery: false });
    const files = (await readdir(cacheDir)).sort();
    expect(await codeOf(ws.cache.rebuild())).toBe('CONFLICT');
    expect((await readdir(cacheDir)).sort()).toEqual(files);
    expect(ws.cache.state()).toMatchObject({ status: 'open' });
  });

  it('rebuild while the cache is locked is refused (CACHE_LOCKED): it needs the key', async () => {
    const { dataDir } = await preparedCache(1, 0);
    const ws = track(dataDir, await reopen(dataDir));
    expect(await codeOf(ws.cache.rebuild())).toBe('CACHE_LOCKED');
  });
});
