/**
 * The admission desk screens, as the clerk sees them, for each outcome the verifier and the
 * patient matcher can give. The renderer, QR decoding and sign-in are real; the
 * `admission.*`/`patients.*` channels are answered by a contract-checked stand-in
 * (pages/admission-stub.ts) so every outcome is reachable on demand. The wallet codes are real,
 * made by the wallet simulator at test time; the stand-in records what the renderer sent.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { AdmissionDeskPage } from './pages/admission-desk';
import { AdmissionDeskStub, NEAR_MATCH, patient, report, StubRefusal, verified } from './pages/admission-stub';
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

async function openDesk(page: Page): Promise<{ desk: AdmissionDeskPage; stub: AdmissionDeskStub }> {
  const stub = new AdmissionDeskStub();
  await stub.install(page);
  await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
  const desk = new AdmissionDeskPage(page);
  await desk.expectReady();
  return { desk, stub };
}

test.describe('admission desk (stand-in desk service)', () => {
  test('handheld scanner: verified wallet, known patient, admit with Enter, wristband as PDF', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    await captureScreen(page, 'admission-1-scan', [LAPTOP, DESKTOP]);

    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('valid', 'Verified');
    expect(stub.requests('admission.scan')).toEqual([{ text: maria.text, source: 'scanner' }]);
    await expect(desk.root.getByTestId('known-patient')).toContainText('1000017-4');
    await expect(desk.consent).toContainText('Granted');
    await expect(desk.consent).toContainText('for treatment and payment');
    await expect(desk.eligibility).toHaveAttribute('data-status', 'eligible');
    await expect(desk.eligibility).toContainText('ACME-448812');
    await captureScreen(page, 'admission-2-verified', [LAPTOP, DESKTOP]);

    // Passed checks are folded away on a valid code but one click shows every one of them.
    await desk.root.getByRole('button', { name: 'Show all checks' }).click();
    await expect(desk.checks).toHaveCount(6 + 3 * 6);
    await expect(desk.check('credential.revocation').first()).toHaveAttribute('data-result', 'pass');

    await desk.admit({ wardCode: 'W-101', bed: 'A02', clinician: 'Dr Maya Okafor', reason: 'Community-acquired pneumonia' });
    const admit = stub.requests('admission.admit')[0];
    expect(admit).toMatchObject({ scanId: 'scan-1', patient: { patientId: 'pat-1' }, wardCode: 'W-101', bed: 'A02', attendingClinicianId: 'clin-okafor' });
    // "Admitted at" left as it was: main takes the time Admit was pressed, not when the form opened.
    expect(admit).not.toHaveProperty('admittedAt');
    await expect(desk.root.getByTestId('admitted-notice')).toContainText('admitted to Acute Medical Unit, bed A02');
    await expect(desk.root.getByTestId('wristband-preview')).toContainText('MRN 1000017-4');
    await expect(desk.nextPatient).toBeFocused();
    await captureScreen(page, 'admission-3-admitted', [LAPTOP, DESKTOP]);

    const download = page.waitForEvent('download');
    await desk.root.getByRole('button', { name: 'Print wristband (PDF)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('wristband-1000017-4.pdf');
    expect((await readFile(await file.path())).subarray(0, 5).toString()).toBe('%PDF-');
    expect(stub.requests('admission.wristband')).toEqual([{ admissionId: 'adm-1', format: 'wristband', print: false }]);

    // Enter on "Next patient" brings the desk back, ready for the scanner.
    await page.keyboard.press('Enter');
    await desk.expectReady();
  });

  test('image file: the code in a PNG is decoded in the page and sent as it is', async ({ workstation }) => {
    const { desk, stub } = await openDesk(workstation.page);
    await desk.openImages(maria.png);
    await desk.expectVerdict('valid', 'Verified');
    expect(stub.requests('admission.scan')).toEqual([{ text: maria.text, source: 'image' }]);
  });

  test('an image without a code says so and sends nothing', async ({ workstation }) => {
    const { desk, stub } = await openDesk(workstation.page);
    await desk.imageInput.setInputFiles({ name: 'blank.png', mimeType: 'image/png', buffer: await blankPng(workstation.page) });
    await expect(desk.root.getByTestId('image-problem')).toContainText('No wallet QR code could be read in "blank.png"');
    expect(stub.requests('admission.scan')).toEqual([]);
  });

  test('multi-part code: progress "2 of 3 parts" until the last part', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    let n = 0;
    stub.handlers['admission.scan'] = () => {
      n += 1;
      return n < 3 ? { status: 'collecting', received: Array.from({ length: n }, (_, i) => i + 1), total: 3, repeated: false } : verified();
    };
    await desk.scanWithHandheld('WQ1/1/3:PART-ONE');
    await expect(desk.progress).toContainText('1 of 3 parts');
    await desk.scanWithHandheld('WQ1/2/3:PART-TWO');
    await expect(desk.progress).toContainText('2 of 3 parts');
    await expect(desk.progress.getByRole('progressbar')).toHaveAttribute('value', '2');
    await expect(desk.scannerInput).toBeFocused();
    await captureScreen(page, 'admission-4-multipart');
    await desk.scanWithHandheld('WQ1/3/3:PART-THREE');
    await desk.expectVerdict('valid', 'Verified');
  });

  test('revoked insurance card: not valid, the failed check says why, nothing to admit', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['admission.scan'] = () =>
      verified({
        report: report([{ where: 1, id: 'credential.revocation', result: 'fail', message: 'The issuer has revoked this insurance card. Do not accept it; ask the holder for a current insurance card.' }]),
      });
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('invalid', 'Not valid — do not admit on this');
    const failed = desk.root.locator('[data-testid="check"][data-result="fail"]');
    await expect(failed).toHaveCount(1);
    await expect(failed).toContainText('Not revoked');
    await expect(failed).toContainText('The issuer has revoked this insurance card');
    await expect(desk.admitForm).toHaveCount(0);
    await expect(desk.root.getByTestId('not-accepted')).toBeVisible();
    await captureScreen(page, 'admission-5-revoked');
  });

  test('untrusted issuer: not valid, with the issuer named', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['admission.scan'] = () =>
      verified({
        report: report([
          {
            where: 0,
            id: 'credential.issuer-trust',
            result: 'fail',
            message: 'The identity card comes from an issuer that is not in the trusted issuer list (did:web:rogue.example). Do not accept it; ask for an identity card from a recognised issuer.',
          },
        ]),
      });
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('invalid', 'Not valid — do not admit on this');
    await expect(desk.check('credential.issuer-trust').first()).toContainText('did:web:rogue.example');
    await expect(desk.check('credential.issuer-trust').first()).toHaveAttribute('data-result', 'fail');
    await captureScreen(page, 'admission-6-untrusted');
  });

  test('stale status list: cannot determine; override needs a reason and a typed note, then admission opens', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    const stale = report([
      { where: 1, id: 'credential.revocation', result: 'cannot-determine', message: "It cannot be checked whether the insurance card was revoked: the issuer's revocation list was last confirmed on 18 Nov 2026, too long ago to rely on. Connect to the ledger, let it sync, and scan again." },
    ]);
    stub.handlers['admission.scan'] = () => verified({ report: stale });
    stub.handlers['admission.override'] = (r) =>
      verified({ report: { ...stale, override: { reasons: r.reasons as never, note: String(r.note), staffId: 'staff-1', at: '2026-11-21T10:01:00.000Z' } } });
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('cannot-determine', 'Cannot determine');
    await expect(desk.check('credential.revocation')).toHaveAttribute('data-result', 'cannot-determine');
    await expect(desk.check('credential.revocation')).toContainText('too long ago to rely on');
    await expect(desk.admitForm).toHaveCount(0);
    await desk.root.getByRole('button', { name: 'Override with a reason…' }).click();
    const form = desk.root.getByTestId('override-form');
    const accept = form.getByRole('button', { name: 'Accept with this reason' });
    await expect(accept).toBeDisabled();
    await form.getByRole('checkbox', { name: 'The issuer confirmed the status by phone' }).check();
    await form.getByLabel(/What did you do to confirm it/).fill('short');
    await expect(accept).toBeDisabled();
    await form.getByLabel(/What did you do to confirm it/).fill('Called Acme helpline, cover confirmed by J. Smith');
    await captureScreen(page, 'admission-7-stale-override');
    await accept.click();
    expect(stub.requests('admission.override')).toEqual([
      { scanId: 'scan-1', reasons: ['issuer-confirmed-status-by-phone'], note: 'Called Acme helpline, cover confirmed by J. Smith' },
    ]);
    await desk.expectVerdict('cannot-determine', 'Accepted by override');
    await expect(desk.root.getByTestId('override-record')).toContainText('Called Acme helpline');
    await expect(desk.admitForm).toBeVisible();
  });

  test('the same presentation scanned again is refused as a replay', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    let scans = 0;
    stub.handlers['admission.scan'] = () =>
      ++scans === 1
        ? verified()
        : verified({
            report: report([
              { where: 'presentation', id: 'presentation.replay', result: 'fail', message: 'This wallet code was already used. Codes work once: ask the patient to create a new code in their wallet and scan it.' },
            ]),
          });
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('valid', 'Verified');
    await desk.root.getByTestId('start-over').click();
    await desk.expectReady();
    await desk.scanWithHandheld(maria.text);
    await desk.expectVerdict('invalid', 'Not valid — do not admit on this');
    await expect(desk.check('presentation.replay')).toContainText('Not used before');
    await expect(desk.check('presentation.replay')).toContainText('already used');
    await captureScreen(page, 'admission-8-replay');
  });

  test('near match: duplicate warning with reasons; nothing preselected; the clerk picks the record', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['admission.scan'] = () => verified({ matches: [NEAR_MATCH] });
    await desk.scanWithHandheld(maria.text);
    await expect(desk.duplicateWarning).toContainText('check before creating a new one');
    await expect(desk.patientMatch.getByTestId('match-reasons')).toContainText('birth date with day and month swapped');
    await expect(desk.admitButton).toBeDisabled();
    await expect(desk.root.getByTestId('admit-hint')).toHaveText('Choose the patient record first.');
    await captureScreen(page, 'admission-9-near-match', [LAPTOP, DESKTOP]);
    await desk.patientMatch.getByRole('radio', { name: /Use this record: OLIVEIRA, Mariah/ }).check();
    await desk.admit({ wardCode: 'W-102', bed: 'S01', clinician: 'Dr Erik Lindqvist', reason: 'Elective hip replacement' });
    expect(stub.requests('admission.admit')[0]).toMatchObject({ patient: { patientId: 'pat-2' } });
  });

  test('creating a new record despite a near match tells main the clerk confirmed it', async ({ workstation }) => {
    const { desk, stub } = await openDesk(workstation.page);
    stub.handlers['admission.scan'] = () => verified({ matches: [NEAR_MATCH] });
    await desk.scanWithHandheld(maria.text);
    await desk.patientMatch.getByRole('radio', { name: /Create a new record/ }).check();
    await desk.admit({ wardCode: 'W-101', bed: 'A01', clinician: 'Dr Maya Okafor', reason: 'Chest pain' });
    expect(stub.requests('admission.admit')[0]).toMatchObject({ patient: { createFromScan: true, confirmNotDuplicate: true } });
  });

  test('no consent and no cover: clearly marked, and the admission still goes ahead', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['admission.scan'] = () =>
      verified({
        report: report([], false),
        consent: { status: 'none', text: 'The wallet shared no consent grant. Records stay closed to clinicians until the patient grants one.', consentId: null, grantee: null, granteeName: null, purposes: [], categories: [], validFrom: null, validUntil: null },
        eligibility: { status: 'not-eligible', message: 'The insurance card was not valid on 21 Nov 2026 (cover ended 30 Sep 2026).', insurerName: 'Acme Health Insurance', insurerDid: null, memberId: 'ACME-448812', planName: 'Silver 80', groupNumber: null, coverageStart: '2025-10-01', coverageEnd: '2026-09-30', checkedFor: '2026-11-21' },
      });
    await desk.scanWithHandheld(maria.text);
    await expect(desk.consent).toContainText('No consent');
    await expect(desk.consent.getByTestId('no-consent')).toContainText('Admitted without consent');
    await expect(desk.eligibility).toHaveAttribute('data-status', 'not-eligible');
    await expect(desk.eligibility).toContainText('This does not stop the admission.');
    await captureScreen(page, 'admission-10-no-consent');
    stub.handlers['admission.admit'] = () => ({
      admissionId: 'adm-2', encounterId: 'enc-2', patient: patient(), status: 'admitted', wardCode: 'W-101', wardName: 'Acute Medical Unit', bed: 'A03',
      attendingClinicianId: 'clin-okafor', attendingClinicianName: 'Dr Maya Okafor', reason: 'Fall at home', admittedAt: '2026-11-21T10:00:00.000Z', dischargedAt: null,
      consent: { status: 'none', text: 'No consent.', consentId: null, grantee: null, granteeName: null, purposes: [], categories: [], validFrom: null, validUntil: null },
      eligibility: { status: 'not-eligible', message: 'Not covered.', insurerName: null, insurerDid: null, memberId: null, planName: null, groupNumber: null, coverageStart: null, coverageEnd: null, checkedFor: '2026-11-21' },
      unverifiedIdentity: false, ledger: { admission: 'queued', consent: null }, movements: [],
    });
    await desk.admit({ wardCode: 'W-101', bed: 'A03', clinician: 'Dr Maya Okafor', reason: 'Fall at home' });
    await expect(desk.root.getByTestId('admitted-consent')).toHaveText('Admitted without consent');
  });

  test('a code the service cannot read: its sentence is shown and the scanner is ready again', async ({ workstation }) => {
    const { desk, stub } = await openDesk(workstation.page);
    stub.handlers['admission.scan'] = () => {
      throw new StubRefusal({ code: 'VALIDATION', message: 'This is not a wallet code (it does not start with WQ1:). Ask the patient to open the code in their wallet.' });
    };
    await desk.scanWithHandheld('https://example.com/not-a-wallet');
    await expect(desk.root.getByTestId('error-VALIDATION')).toContainText('This is not a wallet code');
    await expect(desk.scannerInput).toBeFocused();
    await expect(desk.scannerInput).toHaveValue('');
  });

  test('camera: asked for only on request, and a missing or refused camera is said plainly', async ({ workstation }) => {
    const { page } = workstation;
    const { desk } = await openDesk(page);
    await expect(desk.camera).toHaveAttribute('data-state', 'off');
    await expect(desk.camera).toContainText('The camera is off');
    await desk.useCamera.click();
    // This browser was started without a fake camera: no device, or no permission.
    await expect(desk.camera).toHaveAttribute('data-state', /^(no-camera|denied)$/);
    await expect(desk.camera.getByRole('alert')).toContainText(/No camera found on this workstation|Camera permission refused/);
    await expect(desk.camera.getByRole('alert')).toContainText('handheld scanner');
    await captureScreen(page, 'admission-11-no-camera');
  });

  test('current admissions: transfer to another bed and discharge', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['admission.transfer'] = (r) => ({ ...baseAdmission(), wardCode: String(r.wardCode), wardName: 'Surgical Ward 2', bed: String(r.bed) });
    stub.handlers['admission.discharge'] = () => ({ ...baseAdmission(), status: 'discharged', dischargedAt: '2026-11-21T12:00:00.000Z' });
    await desk.tab('Current admissions').click();
    const row = desk.root.getByTestId('admission-row');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('OLIVEIRA, Maria');
    await captureScreen(page, 'admission-12-current');
    await row.getByRole('button', { name: 'Transfer OLIVEIRA, Maria' }).click();
    const form = desk.root.getByTestId('movement-form');
    await form.getByLabel('To ward').selectOption('W-102');
    await form.getByLabel('To bed').selectOption('S02');
    await form.getByRole('button', { name: 'Transfer' }).click();
    await expect(desk.root.getByTestId('movement-done')).toContainText('moved to Surgical Ward 2, bed S02');
    expect(stub.requests('admission.transfer')).toEqual([{ admissionId: 'adm-1', wardCode: 'W-102', bed: 'S02' }]);
    await row.getByRole('button', { name: 'Discharge OLIVEIRA, Maria' }).click();
    await desk.root.getByTestId('movement-form').getByRole('button', { name: 'Discharge' }).click();
    await expect(desk.root.getByTestId('movement-done')).toContainText('is discharged');
  });

  test('no wallet: manual registration warns of a likely duplicate, then admits as unverified', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['patients.search'] = () => [NEAR_MATCH];
    const manual = patient({ patientId: 'pat-9', mrn: '1000090-3', walletDid: null, identityStatus: 'manual-unverified' });
    stub.handlers['patients.registerManual'] = () => manual;
    stub.handlers['admission.admit'] = () => ({ ...baseAdmission(), patient: manual, unverifiedIdentity: true });
    await desk.tab('No wallet / emergency').click();
    const form = desk.root.getByTestId('manual-registration');
    await form.getByLabel('Given name').fill('Maria');
    await form.getByLabel('Family name').fill('Oliveira');
    await form.getByLabel('Birth date').fill('1984-03-02');
    await form.getByRole('button', { name: 'Register and continue to admission' }).click();
    await expect(form.getByTestId('duplicate-warning')).toContainText('given name spelled differently');
    await captureScreen(page, 'admission-13-manual-duplicate');
    expect(stub.requests('patients.registerManual')).toEqual([]);
    await form.getByRole('button', { name: 'It is a different person: create a new record' }).click();
    expect(stub.requests('patients.registerManual')[0]).toMatchObject({ givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02', confirmNotDuplicate: true });
    await expect(desk.root.getByTestId('walletless-patient')).toContainText('Unverified (manual)');
    await desk.admit({ wardCode: 'W-101', bed: 'A01', clinician: 'Dr Maya Okafor', reason: 'Abdominal pain' });
    expect(stub.requests('admission.admit')[0]).toMatchObject({ patient: { patientId: 'pat-9' } });
    expect(stub.requests('admission.admit')[0]).not.toHaveProperty('scanId');
    await expect(desk.admitted).toContainText('Identity not verified');
  });

  test('emergency: an unidentified patient is registered with an estimated age', async ({ workstation }) => {
    const { page } = workstation;
    const { desk, stub } = await openDesk(page);
    stub.handlers['patients.registerUnidentified'] = () =>
      patient({ patientId: 'pat-u', mrn: '1000108-2', givenName: 'Unknown', familyName: 'Patient 0042', birthDate: null, estimatedAgeYears: 40, walletDid: null, identityStatus: 'unidentified', allergies: 'unknown' });
    await desk.tab('No wallet / emergency').click();
    const form = desk.root.getByTestId('emergency-registration');
    await form.getByLabel('Estimated age (years)').fill('40');
    await form.getByLabel('Gender').selectOption('male');
    // Patient safety: what the family or paramedics say about allergies is recorded at once.
    await form.getByLabel('Known allergies').selectOption('yes');
    await captureScreen(page, 'admission-14-no-wallet', [LAPTOP, DESKTOP]);
    await form.getByRole('button', { name: 'Register unidentified patient' }).click();
    expect(stub.requests('patients.registerUnidentified')).toEqual([{ estimatedAgeYears: 40, gender: 'male', allergies: 'yes' }]);
    await expect(desk.root.getByTestId('walletless-patient')).toContainText('Unidentified');
  });
});

function baseAdmission(): Record<string, unknown> {
  return {
    admissionId: 'adm-1', encounterId: 'enc-1', patient: patient(), status: 'admitted', wardCode: 'W-101', wardName: 'Acute Medical Unit', bed: 'A02',
    attendingClinicianId: 'clin-okafor', attendingClinicianName: 'Dr Maya Okafor', reason: 'Pneumonia', admittedAt: '2026-11-21T10:00:00.000Z', dischargedAt: null,
    consent: { status: 'none', text: 'No consent.', consentId: null, grantee: null, granteeName: null, purposes: [], categories: [], validFrom: null, validUntil: null },
    eligibility: { status: 'unknown', message: 'Unknown.', insurerName: null, insurerDid: null, memberId: null, planName: null, groupNumber: null, coverageStart: null, coverageEnd: null, checkedFor: '2026-11-21' },
    unverifiedIdentity: false, ledger: { admission: 'queued', consent: null }, movements: [],
  };
}

/** A white 64x64 PNG, drawn by the page's own canvas (no file in the repository). */
async function blankPng(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(
    "(() => { const c = document.createElement('canvas'); c.width = 64; c.height = 64; const x = c.getContext('2d'); x.fillStyle = '#fff'; x.fillRect(0, 0, 64, 64); return c.toDataURL('image/png'); })()",
  );
  return Buffer.from(String(dataUrl).split(',')[1] ?? '', 'base64');
}
