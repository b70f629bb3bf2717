/**
 * Hostile suite: a flipped byte in the encrypted cache (issue 15 item 4). Before the fix, a
 * byte flipped deep in careledger.db passed the open check (only page 1 is read) and every
 * later call answered INTERNAL ("Something went wrong"). Now, at every depth: a clear
 * CACHE_CORRUPT, never INTERNAL; the unsent ledger writes are exported and put back by the
 * rebuild (none lost unless they sat on the damaged page itself, and then they are listed);
 * and the service keeps answering. Calls go through the dispatcher, as the renderer's do.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../src-main/ipc/dispatcher';
import type { Workstation } from '../../src-main/services';
import { flipByteInPage, pagesOf, PASSPHRASE, preparedCache, reopen } from '../integration/foundation/cache-damage';

const renderer: Caller = { transport: 'in-process', trusted: true, origin: 'app://careledger' };
const WRITES = 20;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

function call(ws: Workstation, channel: string, payload: unknown = {}): Promise<Answer> {
  return ws.dispatcher.dispatch(channel, payload, renderer);
}

/** Channels any caller may use that read the cache, or report on it. */
const PROBES = ['cache.state', 'session.state', 'session.listIdentities', 'session.signIn', 'sync.state', 'settings.dateTime'] as const;

async function probeAll(ws: Workstation): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const channel of PROBES) {
    answers.push(await call(ws, channel, channel === 'session.signIn' ? { identityId: 'clerk-1', pin: '4826' } : {}));
  }
  return answers;
}

async function damageFound(ws: Workstation): Promise<Answer> {
  for (let i = 0; i < 400; i++) {
    const state = await call(ws, 'cache.state');
    if (state.ok && (state.value as { status: string }).status === 'error') return state;
    await new Promise((r) => setTimeout(r, 25));
  }
  return call(ws, 'cache.state');
}

describe('hostile: a flipped byte in the cache file', () => {
  const depths = [
    { name: 'page 1 (the open check)', pick: (): number => 1 },
    { name: 'a quarter into the file', pick: (total: number): number => Math.floor(total / 4) },
    { name: 'half-way', pick: (total: number): number => Math.floor(total / 2) },
    { name: 'three quarters in', pick: (total: number): number => Math.floor((total * 3) / 4) },
    { name: 'the last page', pick: (total: number): number => total },
  ];

  for (const depth of depths) {
    it(`at ${depth.name}: CACHE_CORRUPT with what to do, never INTERNAL; the rebuild keeps the unsent writes; the service still answers`, async () => {
      const { dataDir, cacheDir, seqs } = await preparedCache(WRITES, 600);
      const totalPages = Math.floor((await stat(path.join(cacheDir, 'careledger.db'))).size / 4096);
      const outboxPages = new Set([...(await pagesOf(cacheDir, 'outbox')), ...(await pagesOf(cacheDir, 'outbox', 'internal'))]);
      const page = depth.pick(totalPages);
      await flipByteInPage(cacheDir, page);
      const ws = await reopen(dataDir);
      cleanup.push(async () => {
        await ws.close();
        await rm(dataDir, { recursive: true, force: true });
      });

      const unlock = await call(ws, 'cache.unlock', { passphrase: PASSPHRASE });
      if (!unlock.ok) expect(unlock.error.code).toBe('CACHE_CORRUPT');
      for (const answer of await probeAll(ws)) expect(answer.ok ? 'ok' : answer.error.code).not.toBe('INTERNAL');

      // Found by the background check (or the open check): the state says so, with the way out.
      const state = await damageFound(ws);
      expect(state).toMatchObject({ ok: true, value: { status: 'error', error: { code: 'CACHE_CORRUPT', details: { canRebuild: true } } } });
      const message = state.ok ? (state.value as { error: { message: string } }).error.message : '';
      expect(message).toMatch(/damaged/);
      expect(message).toMatch(/Rebuild the local data|restore the file from a backup/);
      const afterDamage = await probeAll(ws);
      for (const answer of afterDamage) expect(answer.ok ? 'ok' : answer.error.code).not.toBe('INTERNAL');
      // Whatever needs the cache now says CACHE_CORRUPT (not "something went wrong").
      const listed = afterDamage[PROBES.indexOf('session.listIdentities')];
      expect(listed?.ok ? 'ok' : listed?.error.code).toBe('CACHE_CORRUPT');

      // The rebuild exports first and loses no unsent write that still reads.
      const rebuilt = await call(ws, 'cache.rebuild', { confirmLocalDataLoss: true });
      expect(rebuilt.ok).toBe(true);
      const report = (rebuilt.ok ? rebuilt.value : {}) as { exported: number; reimported: number; unreadableWrites: number[]; outboxComplete: boolean; movedTo: string };
      expect(await readdir(report.movedTo)).toEqual(expect.arrayContaining(['careledger.db', 'outbox-export.json']));
      if (page === 1) {
        // Nothing of the file reads without page 1: the report says the queue could not be read.
        expect(report.outboxComplete).toBe(false);
      } else {
        expect(report.outboxComplete).toBe(true);
        expect(report.exported + report.unreadableWrites.length).toBe(seqs.length);
        expect(report.reimported).toBe(report.exported);
        if (!outboxPages.has(page)) expect(report.unreadableWrites).toEqual([]);
      }

      // Putting an export back needs a signed-in member of staff.
      expect(await call(ws, 'cache.importOutbox', { exportFileText: '{}' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });

      // And the service answers normally again, on a fresh cache.
      expect(await call(ws, 'cache.state')).toMatchObject({ ok: true, value: { status: 'open' } });
      const identities = await call(ws, 'session.listIdentities');
      expect(identities.ok).toBe(true);
      for (const answer of await probeAll(ws)) expect(answer.ok ? 'ok' : answer.error.code).not.toBe('INTERNAL');
    });
  }

  it('refuses to rebuild a healthy cache (the channel is open to anyone): CONFLICT, nothing moved', async () => {
    const { dataDir, cacheDir } = await preparedCache(3, 20);
    const ws = await reopen(dataDir);
    cleanup.push(async () => {
      await ws.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    expect(await call(ws, 'cache.rebuild', { confirmLocalDataLoss: true })).toMatchObject({ ok: false, error: { code: 'CACHE_LOCKED' } });
    await call(ws, 'cache.unlock', { passphrase: PASSPHRASE });
    const files = (await readdir(cacheDir)).sort();
    expect(await call(ws, 'cache.rebuild', { confirmLocalDataLoss: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await call(ws, 'cache.rebuild', {})).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect((await readdir(cacheDir)).sort()).toEqual(files);
    expect(await call(ws, 'cache.state')).toMatchObject({ ok: true, value: { status: 'open' } });
  });

  it('refuses a wrong passphrase while the cache is open instead of answering ok', async () => {
    const { dataDir } = await preparedCache(1, 0);
    const ws = await reopen(dataDir);
    cleanup.push(async () => {
      await ws.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    expect(await call(ws, 'cache.unlock', { passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    expect(await call(ws, 'cache.unlock', { passphrase: 'a guess of the passphrase' })).toMatchObject({ ok: false, error: { code: 'CACHE_WRONG_KEY' } });
  });
});
