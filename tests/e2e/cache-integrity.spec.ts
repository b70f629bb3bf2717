import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './fixtures';
import { ShellPage } from './pages/ShellPage';
import { CacheUnlockPage, SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen, DESKTOP, LAPTOP } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

const PASSPHRASE = 'ward seven night shift';
const RECOVERY = 'kept in the IT safe, envelope 12';

/** Flips one byte in the middle of a page half-way through the cache file (page 1 stays intact). */
async function damageCacheFile(dataDir: string): Promise<void> {
  const file = path.join(dataDir, 'cache', 'careledger.db');
  const bytes = await readFile(file);
  const pages = Math.floor(bytes.length / 4096);
  const at = Math.max(1, Math.floor(pages / 2)) * 4096 + 2048;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await writeFile(file, bytes);
}

test.describe('local data integrity', () => {
  test('Workstation settings: "Check local data now" checks every page and says so; a file that is not an outbox export is refused', async ({ workstation }) => {
    const { page } = workstation;
    await new SignInPage(page).signIn(DEMO_STAFF.clinician, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.open('Workstation settings');
    await page.getByRole('button', { name: 'Check local data now' }).click();
    await expect(page.getByTestId('integrity-ok')).toContainText(/All \d+ parts of the local data passed their check/);
    await captureScreen(page, 'settings-integrity-ok', [LAPTOP, DESKTOP]);

    // A file that is not an export of this workstation is refused with what it must be.
    await page.getByLabel('Outbox export file').setInputFiles({
      name: 'outbox-export.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ format: 'careledger-outbox-export/1', rows: 3 })),
    });
    await expect(page.getByTestId('outbox-import').getByTestId('error-VALIDATION')).toContainText('This file is not an outbox export of CareLedger');
    await page.getByTestId('outbox-import').scrollIntoViewIfNeeded();
    await captureScreen(page, 'settings-outbox-import-refused');
  });

  test('a damaged cache page: the workstation says so, offers the rebuild with what it cannot bring back, and reports what it kept', async ({
    launchWorkstation,
  }) => {
    const first = await launchWorkstation({ demo: false });
    const setup = new SetupPage(first.page);
    await setup.expectVisible();
    await setup.fill({ passphrase: PASSPHRASE, recovery: RECOVERY });
    await setup.submit();
    await expect(setup.root).toHaveCount(0);
    await first.stop();

    await damageCacheFile(first.dataDir);
    const again = await launchWorkstation({ demo: false, dataDir: first.dataDir });
    const { page } = again;
    const unlock = new CacheUnlockPage(page);
    await unlock.expectVisible();
    await unlock.unlock(PASSPHRASE);

    // The background integrity check finds the damaged page: a clear screen, not "Something went wrong".
    const screen = page.getByTestId('cache-error-screen');
    await expect(screen).toBeVisible();
    await expect(screen.getByTestId('error-CACHE_CORRUPT')).toContainText('The local data file is damaged');
    await expect(screen).toContainText('What a rebuild cannot bring back');
    const rebuild = screen.getByRole('button', { name: 'Rebuild local data' });
    await expect(rebuild).toBeDisabled();
    await captureScreen(page, 'cache-damaged', [LAPTOP, DESKTOP]);

    await screen.getByLabel('I understand that patient records kept only on this workstation will not come back').check();
    await rebuild.click();

    const report = page.getByTestId('rebuild-report-screen');
    await expect(report).toContainText('No ledger changes were waiting to be sent.');
    await expect(report).not.toContainText('Staff need to enrol again');
    await expect(report).toContainText(path.join(first.dataDir, 'cache', 'damaged-'));
    await captureScreen(page, 'cache-rebuilt', [LAPTOP, DESKTOP]);
    await report.getByRole('button', { name: 'Continue' }).click();
    await expect(report).toHaveCount(0);
  });
});
