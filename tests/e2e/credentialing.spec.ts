/**
 * Locum credentialing end to end (issue 13, "Done when") on the organisation demo: Hospital A's
 * workstation and the demo ledger seeded with three locums (src-main/demo/seed-credentialing.ts).
 * Cora verifies the clean locum (already verified by Hospital B, which the screen shows) and
 * grants two weeks; the report PDF holds every check and the ledger transaction id; the
 * board-suspended and the sanctioned locums are refused with the board's status and the list
 * entry; a disaster is declared and a 72-hour privilege shows its countdown; an exclusion list the
 * governance administrator imports (LEIE CSV) naming a doctor with active privileges raises the
 * alert on Cora's screen, and she suspends them.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { CredentialingPage, freshLocumCode } from './pages/credentialing';
import { captureScreen } from './pages/screenshots';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';
import { ORGANISATION_STAFF } from './support/organisations';
import { repoRoot } from './support/web-host';

test('Cora verifies, grants, refuses, grants disaster privileges and is alerted to a sanction', async ({ organisationWorkstation, organisationDemo, transport }) => {
  test.skip(transport !== 'web', 'Runs on the organisation demo (web hosts).');
  test.setTimeout(300_000);
  const out = await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-cred-'));
  const { page } = await organisationWorkstation('hospital');
  await new SignInPage(page).signIn(DEMO_STAFF.credentialing, DEMO_PIN);
  await new ShellPage(page).open('Credentialing');
  const cred = new CredentialingPage(page);
  await captureScreen(page, 'credentialing-scan');

  // The clean locum, from an image of her wallet code.
  await cred.openImages(await freshLocumCode(organisationDemo.walletHome, 'amal-haddad', out));
  await expect(cred.verdict).toHaveAttribute('data-verdict', 'valid');
  await expect(cred.elsewhere.getByTestId('elsewhere-item')).toContainText(/Verified by Hospital ?B on .* for general anaesthesia, privileges until/);
  await expect(cred.check('npi-sanctions')).toHaveAttribute('data-result', 'pass');
  await captureScreen(page, 'credentialing-verified');
  await cred.grant(['General anaesthesia', 'ICU procedures']);
  await expect(page.getByTestId('granted')).toContainText(/General anaesthesia, ICU procedures from .* until/);
  // Pending until committed; the sync engine sends it and the screen follows.
  await expect(page.getByTestId('recorded')).toContainText('On the ledger (transaction', { timeout: 90_000 });
  await captureScreen(page, 'credentialing-granted');
  const download = page.waitForEvent('download');
  await page.getByTestId('print-report').click();
  const pdf = await readFile(await (await download).path(), 'latin1');
  const txId = /On the ledger \(transaction ([0-9a-f]+)\)/.exec(await page.getByTestId('recorded').innerText())?.[1] ?? 'none';
  expect(pdf).toContain(`Ledger transaction ${txId} \\(committed\\)`);
  for (const label of ['Signatures', 'Issuer trusted for each credential type', 'Sanctions list: NPI', 'Specialty covers the privileges', 'Licence jurisdiction accepted here']) expect(pdf).toContain(label);

  // The locum whose licence the board suspended.
  await cred.nextDoctor();
  await cred.scan(await freshLocumCode(organisationDemo.walletHome, 'jonas-berg', out));
  await expect(cred.verdict).toHaveAttribute('data-verdict', 'invalid');
  await expect(cred.check('suspension')).toHaveAttribute('data-result', 'fail');
  await expect(cred.check('suspension')).toContainText('The issuer has suspended');
  await captureScreen(page, 'credentialing-suspended-licence');
  await page.getByTestId('record-refusal').click();
  await expect(page.getByTestId('recorded')).toContainText('Refusal recorded');

  // The sanctioned locum: refused with the list entry.
  await cred.nextDoctor();
  await cred.scan(await freshLocumCode(organisationDemo.walletHome, 'rita-vance', out));
  await expect(cred.verdict).toHaveAttribute('data-verdict', 'invalid');
  await expect(cred.check('npi-sanctions')).toContainText('LEIE-DEMO-0001');
  await expect(page.getByTestId('sanction-entries')).toContainText('OIG LEIE (generated demo sample)');
  await captureScreen(page, 'credentialing-sanctioned');

  // A declared disaster: 72-hour privileges with their countdown.
  await cred.nextDoctor();
  await cred.tab('Policy and disaster');
  await page.getByLabel('Which disaster').fill('Major incident 14, rail crash');
  await page.getByTestId('declare-disaster').click();
  await expect(page.getByTestId('disaster-banner')).toBeVisible();
  await captureScreen(page, 'credentialing-policy');
  await cred.tab('Verify a locum');
  await cred.scan(await freshLocumCode(organisationDemo.walletHome, 'amal-haddad', out));
  await cred.grant(['Emergency department practice'], 'Disaster privileges (72 hours)');
  await cred.tab('Privileges and expiry');
  const disasterRow = page.getByTestId('tracker-row').filter({ has: page.getByTestId('disaster-countdown') });
  await expect(disasterRow.getByTestId('disaster-countdown')).toContainText(/(2 d 23 h|3 d 0 h|2 d 2\d h) left: complete the full verification/);
  await captureScreen(page, 'credentialing-tracker');

  // Grace Governor imports an exclusion list (LEIE CSV) naming Amal by NPI: the alert reaches Cora's screen.
  const csv = path.join(out, 'leie-update.csv');
  const sample = await readFile(path.join(repoRoot, 'resources/sanctions/leie-sample.csv'), 'utf8');
  await writeFile(csv, `${sample.trimEnd()}\nHADDAD,AMAL,,,INDIVIDUAL,ANESTHESIOLOGY,,1902345671,19800101,"2 Sample Street",SAMPLETOWN,ZZ,00000,1128b4,${new Date().toISOString().slice(0, 10).replace(/-/g, '')},00000000,00000000,\n`);
  const gov = await organisationWorkstation('governance');
  await new SignInPage(gov.page).signIn(ORGANISATION_STAFF.governance['governance-admin'], DEMO_PIN);
  const sanctionsAdmin = gov.page.getByTestId('sanctions-admin');
  await expect(sanctionsAdmin).toBeVisible();
  await gov.page.getByLabel('List name (the source shown to hospitals)').fill('OIG LEIE update');
  await gov.page.getByTestId('sanctions-file').setInputFiles(csv);
  await expect(gov.page.getByTestId('sanctions-imported')).toContainText(/23 of 26 rows go to the ledger in 1 transaction/);
  await expect(gov.page.getByTestId('sanctions-table')).toContainText('NPI 1902345671', { timeout: 90_000 });
  await expect(gov.page.getByTestId('sanctions-age')).toContainText(/entries on the ledger, as of/);
  await captureScreen(gov.page, 'credentialing-governance-sanctions');
  await page.bringToFront();
  await expect(cred.alerts.getByTestId('locum-alert').first()).toContainText('Dr Amal Haddad is on the sanctions list', { timeout: 90_000 });
  await captureScreen(page, 'credentialing-alert');
  await cred.alerts.getByTestId('alert-suspend').first().click();
  await expect(page.getByTestId('privilege-status').filter({ hasText: 'Suspended' }).first()).toBeVisible();
});
