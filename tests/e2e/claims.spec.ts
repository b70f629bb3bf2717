/**
 * Insurance claims end to end (issue 12, "Done when") on the organisation demo: Hospital A's
 * workstation and the insurer's, on one demo ledger. Maria is admitted from her wallet and
 * discharged; Clara bills the stay (a chest X-ray added to the pre-filled lines), Ines denies the
 * X-ray with a reason code, Clara sees the reason beside the line, corrects and resubmits, Ines
 * approves and pays, and Clara sees the claim paid with the amount. Screenshots of every screen.
 * Duplicates, the offline exactly-once send and the X12 structure are tested below the UI
 * (tests/integration/claims, tests/unit/claims).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { callFromPage, expect, test } from './fixtures';
import { AdmissionDeskPage } from './pages/admission-desk';
import { ClaimsPage } from './pages/claims';
import { freshLocumCode } from './pages/credentialing';
import { captureScreen } from './pages/screenshots';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';
import { ORGANISATION_STAFF } from './support/organisations';

test('Clara bills Maria, Ines denies a line, Clara corrects and resubmits, Ines approves and pays, Clara sees it paid', async ({ organisationWorkstation, organisationDemo, transport }) => {
  test.skip(transport !== 'web', 'Runs on the organisation demo (web hosts).');
  test.setTimeout(420_000);
  const out = await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-claims-'));
  const hospital = (await organisationWorkstation('hospital')).page;

  // Maria is admitted from her wallet and discharged (the desk's own flow).
  await new SignInPage(hospital).signIn(DEMO_STAFF.admissions, DEMO_PIN);
  const desk = new AdmissionDeskPage(hospital);
  await desk.expectReady();
  const code = await freshLocumCode(organisationDemo.walletHome, 'maria-oliveira', out);
  await desk.openImages(...code.pngs);
  await expect(desk.verdict).toHaveAttribute('data-verdict', 'valid');
  await desk.admit({ wardCode: 'W-102', bed: 'S07', clinician: 'Dr Maya Okafor', reason: 'Community-acquired pneumonia' });
  const list = await callFromPage(hospital, 'admission.list', { includeDischarged: false, limit: 100 });
  const admission = (list.value as Array<{ admissionId: string; bed: string }>).find((a) => a.bed === 'S07');
  expect(admission).toBeDefined();
  expect(await callFromPage(hospital, 'admission.discharge', { admissionId: admission?.admissionId })).toMatchObject({ ok: true });
  await new ShellPage(hospital).signOut();

  // Clara bills the stay.
  await new SignInPage(hospital).signIn(DEMO_STAFF.claims, DEMO_PIN);
  await new ShellPage(hospital).open('Claims');
  const clara = new ClaimsPage(hospital);
  await expect(clara.worklist.getByTestId('ready-row').filter({ hasText: 'OLIVEIRA, Maria' })).toBeVisible();
  // The demo's seeded claims are listed too, denials first.
  await expect(clara.worklist.getByTestId('claim-row').first()).toBeVisible({ timeout: 60_000 });
  await captureScreen(hospital, 'claims-01-hospital-worklist');
  await clara.newClaimFor('OLIVEIRA, Maria');
  await expect(clara.checklist).toContainText('Enter an ICD-10-CM code or remove this diagnosis.');
  await clara.setDiagnosis(0, 'J18.9');
  await expect(clara.editor).toContainText('Pneumonia, organism not specified');
  await clara.addLine({ code: '71046', revenue: '0320', price: '96' });
  await expect(clara.checklist).toContainText('Every check passes');
  // The desk kept the card's status entry: revocation is checked on the status-list mirror, not guessed.
  await expect(clara.checklist).toContainText("Verified at admission and not revoked on the insurer's status list");
  await captureScreen(hospital, 'claims-02-claim-form');
  await clara.editor.getByRole('button', { name: 'Submit claim' }).click();
  await expect(clara.detail).toBeVisible();
  await expect(clara.status).toHaveText('Submitted', { timeout: 60_000 });
  await captureScreen(hospital, 'claims-03-submitted');

  // Ines denies the X-ray with a reason code.
  const insurer = (await organisationWorkstation('insurer')).page;
  await new SignInPage(insurer).signIn(ORGANISATION_STAFF.insurer.adjudicator, DEMO_PIN);
  await new ShellPage(insurer).open('Claims');
  const ines = new ClaimsPage(insurer);
  await expect(ines.worklist.getByTestId('claim-row').filter({ hasText: 'OLIVEIRA, Maria' })).toBeVisible({ timeout: 60_000 });
  await captureScreen(insurer, 'claims-04-insurer-queue');
  await ines.openClaimOf('OLIVEIRA, Maria');
  await expect(ines.detail.getByTestId('coverage-check')).toContainText('holds every service date');
  // The card's status entry travelled with the claim and is clear on the insurer's own list.
  await expect(ines.detail.getByTestId('coverage-check')).toContainText('The card is not revoked on your status list.');
  await expect(ines.detail.getByTestId('detail-line')).toHaveCount(2);
  await captureScreen(insurer, 'claims-05-insurer-claim');
  await ines.detail.getByRole('button', { name: 'Adjudicate lines' }).click();
  await captureScreen(insurer, 'claims-06-adjudication');
  const panel = insurer.getByTestId('adjudication-panel');
  await panel.getByLabel('Decision on line 2').selectOption('deny');
  await panel.getByLabel('Reason for line 2').selectOption('50');
  await panel.getByRole('button', { name: 'Record decision' }).click();
  await expect(insurer.getByTestId('claim-message')).toContainText('decision is queued');

  // Clara sees the denial with its reason beside the line, corrects and resubmits.
  await clara.back();
  await expect(clara.worklist.getByTestId('claims-attention')).toContainText('OLIVEIRA, Maria', { timeout: 60_000 });
  await clara.openClaimOf('OLIVEIRA, Maria');
  await expect(clara.status).toHaveText('Partly approved');
  await expect(clara.detail.getByTestId('line-decision').nth(1)).toContainText('Not a service the payer deems medically necessary', { timeout: 30_000 });
  await captureScreen(hospital, 'claims-07-partly-approved');
  await clara.detail.getByRole('button', { name: 'Correct and resubmit' }).click();
  await expect(clara.editor.getByTestId('insurer-reason')).toContainText('denied — 50 Not a service the payer deems medically necessary');
  await captureScreen(hospital, 'claims-08-correction');
  await clara.editor.getByRole('button', { name: 'Remove line 2' }).click();
  await clara.editor.getByRole('button', { name: 'Resubmit corrected claim' }).click();
  await expect(clara.status).toHaveText('Resubmitted', { timeout: 60_000 });

  // Ines approves and pays.
  await ines.back();
  await ines.openClaimOf('OLIVEIRA, Maria');
  await expect(ines.status).toHaveText('Resubmitted', { timeout: 60_000 });
  await expect(ines.detail.getByTestId('detail-line')).toHaveCount(1, { timeout: 30_000 });
  await ines.adjudicate();
  await expect(ines.status).toHaveText('Approved', { timeout: 60_000 });
  await ines.pay('EFT-2026-12-0001');
  await expect(ines.status).toHaveText('Paid', { timeout: 60_000 });

  // Clara sees it paid, with the amount.
  await expect(clara.status).toHaveText('Paid', { timeout: 60_000 });
  const total = await clara.detail.getByTestId('detail-total').textContent();
  await expect(clara.detail.getByTestId('detail-paid')).toHaveText(total ?? '');
  await expect(clara.timeline).toContainText('payment reference EFT-2026-12-0001');
  await captureScreen(hospital, 'claims-09-paid');
});
