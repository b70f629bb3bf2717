/**
 * What a clerk found on a busy morning (issue 17), each as the clerk sees it, with the desk
 * service stood in (pages/admission-stub.ts): beds offered from the hospital's occupancy, an
 * admitted patient recognised at the match, refusals that say what happened, Grace's verdict,
 * the allergy answer carried from the record, "Admitted at" taken when Admit is pressed, and the
 * essential form beside the verdict at 1366x768 without scrolling.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { AdmissionDeskPage } from './pages/admission-desk';
import { admission, AdmissionDeskStub, DESK_OPTIONS, patient, report, StubRefusal, verified } from './pages/admission-stub';
import { WalletSimulator, type WalletCode } from './pages/admission-wallet';
import { SignInPage } from './pages/SignInPage';
import { captureScreen, DESKTOP, LAPTOP } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

let wallet: WalletSimulator;
let maria: WalletCode;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  wallet = await WalletSimulator.create();
  maria = await wallet.present(await wallet.newPatient('Maria Oliveira', '1984-03-02'), 'maria');
});

test.afterAll(async () => {
  await wallet.remove();
});

async function openDesk(page: Page, stub = new AdmissionDeskStub()): Promise<{ desk: AdmissionDeskPage; stub: AdmissionDeskStub }> {
  await stub.install(page);
  await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
  const desk = new AdmissionDeskPage(page);
  await desk.expectReady();
  return { desk, stub };
}

const STAY = { admissionId: 'adm-1', wardCode: 'W-101', wardName: 'Acute Medical Unit', bed: 'A01', admittedAt: '2026-11-21T10:00:00.000Z' };

test.describe('admission desk: patient safety and the busy morning (stand-in desk service)', () => {
  test('1366x768: verdict beside the essential admission fields, Known allergies and Admit, with no scrolling', async ({ workstation }) => {
    const { page } = workstation;
    await page.setViewportSize(LAPTOP);
    const { desk } = await openDesk(page);
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('valid', 'Verified');
    for (const label of ['Ward', 'Bed', 'Attending clinician', 'Known allergies', 'Reason for admission']) {
      await expect(desk.admitForm.getByLabel(label, { exact: true })).toBeInViewport({ ratio: 1 });
    }
    await expect(desk.root.getByTestId('admit-button')).toBeInViewport({ ratio: 1 });
    await expect(desk.verdict).toBeInViewport({ ratio: 1 });
    // Consent and insurance are one line each; the rest opens with "details".
    await expect(desk.consent.getByTestId('consent-line')).toBeVisible();
    await expect(desk.consent.getByTestId('consent-text')).toBeHidden();
    await desk.consent.locator('summary', { hasText: 'details' }).click();
    await expect(desk.consent.getByTestId('consent-text')).toBeVisible();
    await desk.consent.locator('summary', { hasText: 'details' }).click();
    await captureScreen(page, 'admission-30-form-fits', [LAPTOP, DESKTOP]);
  });

  test('beds: occupied beds of the whole hospital are neither offered nor counted free', async ({ workstation }) => {
    const { page } = workstation;
    const stub = new AdmissionDeskStub();
    stub.handlers['admission.deskOptions'] = () => ({ ...DESK_OPTIONS, occupiedBeds: [{ wardCode: 'W-101', bed: 'A01' }, { wardCode: 'W-101', bed: 'A02' }] });
    const { desk } = await openDesk(page, stub);
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('valid', 'Verified');
    await expect(desk.admitForm.getByLabel('Ward').locator('option')).toContainText(['Choose a ward…', 'Acute Medical Unit (1 free)', 'Surgical Ward 2 (2 free)']);
    await desk.admitForm.getByLabel('Ward').selectOption('W-101');
    await expect(desk.admitForm.getByLabel('Bed').locator('option')).toHaveText(['Choose a bed…', 'A03']);
  });

  test('an admitted patient: the match says "already admitted, bed A01" at once and offers Transfer and Discharge, not the form', async ({ workstation }) => {
    const { page } = workstation;
    const stub = new AdmissionDeskStub();
    stub.handlers['admission.scan'] = () =>
      verified({ matches: [{ patient: patient(), score: 100, strength: 'same-wallet', reasons: [{ code: 'wallet-did', message: 'Same wallet', points: 100 }], currentStay: STAY }] });
    stub.handlers['admission.deskOptions'] = () => ({ ...DESK_OPTIONS, occupiedBeds: [{ wardCode: 'W-101', bed: 'A01' }, { wardCode: 'W-101', bed: 'A02' }] });
    stub.handlers['admission.list'] = () => [
      { admissionId: 'adm-1', patientId: 'pat-1', mrn: '1000017-4', patientName: 'OLIVEIRA, Maria', status: 'admitted', wardCode: 'W-101', wardName: 'Acute Medical Unit', bed: 'A01', admittedAt: STAY.admittedAt, allergies: 'yes', hasConsent: true, unverifiedIdentity: false },
    ];
    const { desk } = await openDesk(page, stub);
    await desk.scanWithHandheld(maria.text);
    await expect(desk.root.getByTestId('known-patient')).toContainText('already admitted, bed A01');
    await expect(desk.root.getByTestId('match-admitted')).toHaveText('already admitted, bed A01');
    await expect(desk.admitForm).toHaveCount(0);
    const stay = desk.root.getByTestId('already-admitted');
    await captureScreen(page, 'admission-31-already-admitted');
    await stay.getByRole('button', { name: 'Transfer' }).click();
    const form = desk.root.getByTestId('movement-form');
    await expect(form).toContainText('Transfer OLIVEIRA, Maria');
    // Neither the patient's own bed (A01) nor another patient's (A02) is offered.
    await expect(form.getByLabel('To bed').locator('option')).toHaveText(['Choose a bed…', 'A03']);
    await expect(desk.root.getByTestId('admission-allergies')).toHaveText('ALLERGIES');
    await expect(desk.root.locator('.admissions-table td.mrn')).toHaveCSS('white-space', 'nowrap');
    await captureScreen(page, 'admission-32-current-with-allergies', [LAPTOP, DESKTOP]);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect(form).toHaveCount(0);
  });

  test('refusals say what happened and the one thing to do: bed taken a moment ago; already admitted', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['admission.admit'] = () => {
      throw new StubRefusal({ code: 'CONFLICT', message: 'Bed A01 on Acute Medical Unit was taken a moment ago: choose another bed.', details: { refusal: 'bed-taken', wardCode: 'W-101', bed: 'A01' } });
    };
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('valid', 'Verified');
    await desk.admitForm.getByLabel('Ward').selectOption('W-101');
    await desk.admitForm.getByLabel('Bed').selectOption('A01');
    await desk.admitForm.getByLabel('Attending clinician').selectOption({ label: 'Dr Maya Okafor' });
    await desk.admitForm.getByLabel('Reason for admission').fill('Community-acquired pneumonia');
    await desk.root.getByTestId('admit-button').click();
    const taken = desk.root.getByTestId('error-bed-taken');
    await expect(taken).toContainText('Bed taken');
    await expect(taken).toContainText('Bed A01 on Acute Medical Unit was taken a moment ago: choose another bed.');
    await expect(desk.root).not.toContainText('Someone else changed this');
    await expect(desk.root).not.toContainText('Scan the code again');

    stub.handlers['admission.admit'] = () => {
      throw new StubRefusal({ code: 'CONFLICT', message: 'OLIVEIRA, Maria is already admitted to Acute Medical Unit A01: transfer or discharge that stay.', details: { refusal: 'already-admitted', admissionId: 'adm-1' } });
    };
    await desk.admitForm.getByLabel('Bed').selectOption('A03');
    await desk.root.getByTestId('admit-button').click();
    const already = desk.root.getByTestId('error-already-admitted');
    await expect(already).toContainText('Already admitted');
    await expect(already).toContainText('transfer or discharge that stay');
    await expect(already.getByRole('button', { name: 'Discharge' })).toBeVisible();
    await expect(desk.root).not.toContainText('Scan the code again');
  });

  test('Grace: identity verified · insurance card refused, admissible without coverage; "Refused" only on the card line', async ({ workstation }) => {
    const { page } = workstation;
    const stub = new AdmissionDeskStub();
    const refused = report([{ where: 1, id: 'credential.revocation', result: 'fail', message: 'The insurer revoked this insurance card.' }]);
    stub.handlers['admission.scan'] = () => ({ ...verified({ report: refused }), accepted: true, identity: { patientDid: 'did:key:z6Mk', givenName: 'Grace', familyName: 'Mensah', birthDate: '1993-07-08', gender: 'female', nationalId: null, address: null }, matches: [], eligibility: { status: 'not-eligible', message: 'The insurance card was refused: the insurer revoked it.', insurerName: null, insurerDid: null, memberId: null, planName: null, groupNumber: null, coverageStart: null, coverageEnd: null, checkedFor: '2026-11-21' } });
    const { desk } = await openDesk(page, stub);
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('invalid', 'Identity verified · insurance card refused');
    await expect(desk.verdict).toContainText('Admissible without coverage');
    await expect(desk.verdict).not.toContainText('Refused');
    await expect(desk.root.locator('.check-group h4').filter({ hasText: 'Refused' })).toHaveText(['Insurance coverage: Refused']);
    await expect(desk.admitForm).toBeVisible();
    await captureScreen(page, 'admission-33-grace', [LAPTOP, DESKTOP]);
    // Jargon in the hospital's words, the technical name kept in the detail.
    await desk.root.getByRole('button', { name: 'Show all checks' }).click();
    const trust = desk.check('credential.issuer-trust').first();
    await expect(trust).toContainText('operated by the Governance organisation');
    await expect(trust.getByTestId('check-technical')).toHaveText('(technical: GovernanceMSP)');
  });

  test('the allergy answer on the record fills the form and is sent; "Admitted at" untouched is not sent, changed it is', async ({ workstation }) => {
    const { page } = workstation;
    const stub = new AdmissionDeskStub();
    stub.handlers['admission.scan'] = () => verified({ matches: [{ patient: patient({ allergies: 'yes' }), score: 100, strength: 'same-wallet', reasons: [] }] });
    stub.handlers['admission.admit'] = () => admission({ patient: patient({ allergies: 'yes' }) });
    const { desk } = await openDesk(page, stub);
    await desk.scanWithHandheld(maria.text);
    await expect(desk.admitForm.getByLabel('Known allergies', { exact: true })).toHaveValue('yes');
    // The clerk changes the minutes, in whatever clock style the workstation uses ("21:40" or "9:40 PM").
    // The minute typed is half an hour from the one shown: the same minute (or the next, should the
    // clock tick meanwhile) would be no change at all.
    const time = desk.admitForm.getByLabel(/Admission time/);
    const shown = await time.inputValue();
    const minute = (Number(/:(\d\d)/.exec(shown)?.[1]) + 30) % 60;
    await time.fill(shown.replace(/:\d\d/, `:${String(minute).padStart(2, '0')}`));
    await expect(desk.admitForm.getByTestId('admit-time-mode')).toHaveText('(as typed)');
    await desk.admit({ wardCode: 'W-101', bed: 'A02', clinician: 'Dr Maya Okafor', reason: 'Community-acquired pneumonia' });
    const sent = stub.requests('admission.admit')[0];
    expect(sent).toMatchObject({ allergies: 'yes' });
    expect(new Date(String(sent?.admittedAt)).getMinutes()).toBe(minute);
    await expect(desk.root.getByTestId('wristband-preview')).toContainText('ALLERGIES');
  });
});
