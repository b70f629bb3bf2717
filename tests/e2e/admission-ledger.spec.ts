/**
 * The desk end to end with a ledger: a workstation of its own (web host, demo staff) synced to
 * a devnet that trusts the wallet simulator's issuers. A patient's code with a consent grant is
 * verified by the real pipeline, admitted, and after sync the admission event and the consent
 * are on the ledger; with the ledger stopped an admission waits in the outbox and reaches the
 * ledger once it is back; a revoked insurance card, an impostor issuer (the simulator's other
 * homes reuse the demo issuers' did:web names with their own keys) and an issuer governance
 * removed from the trust registry are each shown for what they are.
 *
 * Not here: a stale status list (the staleness limit is 24 h and the host's clock cannot be
 * moved from a test); its screen is covered in admission-desk.spec.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { callFromPage, expect, test, type Workstation } from './fixtures';
import { AdmissionDeskPage } from './pages/admission-desk';
import { DeskLedger } from './pages/admission-ledger';
import { WalletSimulator } from './pages/admission-wallet';
import { SignInPage } from './pages/SignInPage';
import { captureScreen } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

interface StoredAdmission {
  encounterId: string;
  consent: { consentId: string | null };
  ledger: { admission: string; consent: string | null };
}

async function stored(page: Page, admissionId: string): Promise<StoredAdmission> {
  const result = await callFromPage(page, 'admission.get', { admissionId });
  if (!result.ok) throw new Error(`admission.get failed: ${result.error?.message ?? ''}`);
  return result.value as StoredAdmission;
}

/** The admission in a bed (each step uses its own bed; admission times have minute precision). */
async function admissionIdInBed(page: Page, bed: string): Promise<string> {
  const list = await callFromPage(page, 'admission.list', { includeDischarged: true, limit: 100 });
  const found = (list.value as { admissionId: string; bed: string }[] | undefined)?.find((a) => a.bed === bed);
  if (!found) throw new Error(`no admission in bed ${bed}`);
  return found.admissionId;
}

test('with a ledger: verified, admitted, on the ledger with its consent; revoked cover, forged and untrusted issuers shown; offline admission synced later', async ({ launchWorkstation, transport }) => {
  test.skip(transport !== 'web', 'Starts its own devnet beside the web host; the Electron project has no binary here.');
  test.setTimeout(600_000);
  const webDir = await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-ledger-'));
  const wallet = await WalletSimulator.create();
  const stranger = await WalletSimulator.create();
  const ledger = await DeskLedger.start(webDir);
  const previousBundle = process.env.CARELEDGER_DEVNET_BUNDLE;
  let ws: Workstation | undefined;
  try {
    await ledger.seed(wallet, webDir);
    const maria = await wallet.newPatient('Maria Oliveira', '1984-03-02');
    await wallet.cli('consent', '--wallet', maria, '--purpose', 'TREAT,HPAYMT', '--categories', 'demographics,conditions,medications');

    // The web host reads the ledger's location from the environment it is started with.
    process.env.CARELEDGER_DEVNET_BUNDLE = ledger.bundleFile;
    ws = await launchWorkstation({ demo: true, dataDir: webDir });
    const { page } = ws;
    await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
    const desk = new AdmissionDeskPage(page);
    await desk.expectReady();
    // Online, and the trust registry and status lists pulled into the cache.
    await expect.poll(async () => ((await callFromPage(page, 'sync.state', {})).value as { connection: string; lastSyncAt: string | null }), { timeout: 60_000 }).toMatchObject({ connection: 'online', lastSyncAt: expect.any(String) });

    // Status lists published again now that the workstation listens, and given a few tries to
    // arrive through the event stream (each try is a fresh code: a code works once).
    await wallet.cli('publish-status', '--bundle', ledger.bundleFile);
    async function scanUntil(walletName: string, sim: WalletSimulator, done: () => Promise<boolean>, label: string): Promise<void> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const code = await sim.present(walletName, `${walletName}-${label}-${attempt}`);
        for (const part of code.parts) await desk.scanWithHandheld(part);
        await expect(desk.verdict).toBeVisible();
        if (await done()) return;
        await desk.root.getByTestId('start-over').click();
        await desk.expectReady();
        await page.waitForTimeout(2_000);
      }
    }

    await test.step('verified, consent in plain words, admitted, on the ledger with the consent', async () => {
      await scanUntil(maria, wallet, async () => (await desk.verdict.getAttribute('data-verdict')) === 'valid', 'first');
      await desk.expectVerdict('valid', 'Verified');
      await expect(desk.consent).toContainText('Granted');
      await expect(desk.eligibility).toHaveAttribute('data-status', 'eligible');
      await captureScreen(page, 'admission-21-ledger-verified');
      await desk.admit({ wardCode: 'W-101', bed: 'A11', clinician: 'Dr Maya Okafor', reason: 'Community-acquired pneumonia' });
      const id = await admissionIdInBed(page, 'A11');
      await expect.poll(async () => (await stored(page, id)).ledger, { timeout: 60_000 }).toEqual({ admission: 'committed', consent: 'committed' });
      const admission = await stored(page, id);
      const encounter = await ledger.evaluate('Admissions:getEncounter', admission.encounterId);
      expect(encounter).toMatchObject({ encounterId: admission.encounterId, status: 'admitted', wardCode: 'W-101' });
      expect(JSON.stringify(encounter)).not.toMatch(/Oliveira|Maria|1984/);
      const consent = await ledger.evaluate('Consent:getConsent', admission.consent.consentId ?? '');
      expect(consent).toMatchObject({ status: 'active' });
      await desk.nextPatient.click();
      await desk.expectReady();
    });

    await test.step('revoked insurance card: identity verified, admissible without coverage; the card line says Refused', async () => {
      await wallet.cli('revoke', 'coverage', '--wallet', maria);
      await wallet.cli('publish-status', '--bundle', ledger.bundleFile);
      const revokedCheck = desk.root.locator('[data-testid="check"][data-check="credential.revocation"][data-result="fail"]');
      await scanUntil(maria, wallet, async () => (await revokedCheck.count()) > 0, 'revoked');
      const revoked = (await revokedCheck.count()) > 0;
      expect(revoked, 'the revocation reached the workstation and the scan shows it').toBe(true);
      // The desk drops a refused insurance card, never the patient: identity passed, so admitting is allowed.
      await desk.expectVerdict('invalid', 'Identity verified · insurance card refused');
      await expect(desk.verdict).toContainText('Admissible without coverage');
      await expect(desk.verdict).not.toContainText('Refused');
      await expect(desk.root.locator('[data-testid="check"][data-check="credential.revocation"][data-result="fail"]').first()).toContainText('revoked');
      if (await desk.eligibility.isVisible()) await expect(desk.eligibility).not.toHaveAttribute('data-status', 'eligible');
      await captureScreen(page, 'admission-22-ledger-revoked-cover');
      await desk.root.getByTestId('start-over').click();
      await desk.expectReady();
    });

    await test.step('ledger down: admitted and queued; ledger back: committed', async () => {
      const joao = await wallet.newPatient('Joao Pereira', '1990-07-14');
      await ledger.down();
      await expect.poll(async () => ((await callFromPage(page, 'sync.state', {})).value as { connection: string }).connection, { timeout: 60_000 }).not.toBe('online');
      const code = await wallet.present(joao, 'joao');
      for (const part of code.parts) await desk.scanWithHandheld(part);
      await desk.expectVerdict('valid', 'Verified');
      await expect(desk.root.getByTestId('desk-offline')).toBeVisible();
      await desk.admit({ wardCode: 'W-103', bed: 'C02', clinician: 'Dr Amal Haddad', reason: 'Chest pain under observation' });
      await expect(desk.root.getByTestId('admitted-notice')).toContainText('queued for the ledger');
      const id = await admissionIdInBed(page, 'C02');
      expect((await stored(page, id)).ledger.admission).toBe('queued');
      await captureScreen(page, 'admission-24-ledger-offline-queued');
      await ledger.up();
      await expect.poll(async () => (await stored(page, id)).ledger.admission, { timeout: 300_000, intervals: [2_000] }).toBe('committed');
      const encounter = await ledger.evaluate('Admissions:getEncounter', (await stored(page, id)).encounterId);
      expect(encounter).toMatchObject({ status: 'admitted', wardCode: 'W-103' });
      await desk.nextPatient.click();
      await desk.expectReady();
    });
    await test.step('an impostor issuer (a trusted name, another key): refused as forged', async () => {
      const eve = await stranger.newPatient('Eva Lima', '1991-08-30');
      const code = await stranger.present(eve, 'eva');
      for (const part of code.parts) await desk.scanWithHandheld(part);
      await desk.expectVerdict('invalid', 'Not valid — do not admit on this');
      await expect(desk.root.locator('[data-testid="check"][data-check="credential.signature"][data-result="fail"]').first()).toContainText('signature');
      await expect(desk.admitForm).toHaveCount(0);
      await captureScreen(page, 'admission-23-ledger-forged-issuer');
      await desk.root.getByTestId('start-over').click();
      await desk.expectReady();
    });

    await test.step('an issuer governance took off the trust registry: not valid, issuer not trusted', async () => {
      await ledger.removeIssuer('did:web:identity.careledger.example', 'Keys compromised');
      const issuerTrust = desk.root.locator('[data-testid="check"][data-check="credential.issuer-trust"][data-result="fail"]');
      await scanUntil(maria, wallet, async () => (await issuerTrust.count()) > 0, 'untrusted');
      await desk.expectVerdict('invalid', 'Not valid — do not admit on this');
      await expect(issuerTrust.first()).toContainText('trusted issuer list');
      await expect(desk.admitForm).toHaveCount(0);
      await captureScreen(page, 'admission-25-ledger-untrusted');
    });
  } finally {
    await ws?.stop();
    if (previousBundle === undefined) delete process.env.CARELEDGER_DEVNET_BUNDLE;
    else process.env.CARELEDGER_DEVNET_BUNDLE = previousBundle;
    await ledger.down();
    await wallet.remove();
    await stranger.remove();
    await rm(webDir, { recursive: true, force: true }).catch(() => undefined);
  }
});
