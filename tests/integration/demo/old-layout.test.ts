/**
 * A demo devnet folder made before the privacy layout (issue 16) is refused with what to do:
 * its blocks show wallet DIDs, wards and consents to every organisation, and no upgrade can
 * take them back. (A fresh folder gets the layout marker: see tests/integration/privacy.)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemoLedger } from '../../../src-main/demo/embedded-ledger';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a demo ledger from before the privacy layout', () => {
  it('is refused before anything starts, with the folder to delete', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'careledger-old-layout-'));
    const devnetDir = path.join(dir, 'devnet');
    mkdirSync(path.join(devnetDir, 'ledger'), { recursive: true });
    writeFileSync(path.join(devnetDir, 'ledger', 'blockfile_000000'), '');
    const start = startDemoLedger({ devnetDir, walletHome: path.join(dir, 'wallet'), didWebCacheDir: path.join(dir, 'did-web') });
    await expect(start).rejects.toMatchObject({ code: 'DEMO_SEED_FAILED', message: expect.stringContaining(`Delete that folder and start again`) });
    await expect(start).rejects.toThrow(devnetDir);
  });
});
