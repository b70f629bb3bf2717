/**
 * The clinician's chart and the privacy office in Chromium, on a demo workstation of its own
 * with no ledger reachable (the offline case of issue 11): a patient admitted at the desk, the
 * clinician's ward list, the chart under the hospital's own admission with what is withheld and
 * why, emergency access refused without a reason and then opened with a countdown and a red
 * frame, and the privacy office's access report listing every one of those views (held on this
 * workstation until the ledger is back) as a screen and a PDF. Screenshots of each screen.
 *
 * The online half of the issue's "done when" (records from both hospitals' gatekeepers with
 * their anchors, revocation from the wallet) runs on the organisation demo's embedded
 * gatekeepers in records-online.spec.ts (and tests/integration/records/online.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pdfTextPages } from '../../src-main/records/pdf-text';
import { callFromPage, expect, test } from './fixtures';
import { ChartPage, PrivacyOfficePage } from './pages/chart';
import { captureScreen } from './pages/screenshots';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

test('chart offline: own admission, withheld categories, emergency access, and the access report lists every view', async ({
  launchWorkstation,
}) => {
  test.setTimeout(180_000);
  const ws = await launchWorkstation({
    demo: true,
    dataDir: await mkdtemp(path.join(os.tmpdir(), 'careledger-chart-e2e-')),
  });
  const { page } = ws;
  const shell = new ShellPage(page);

  // The desk registers and admits Tomasz (no wallet, no consent), and registers Ana without admitting her.
  await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
  await shell.expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');
  const tomasz = await callFromPage(page, 'patients.registerManual', {
    givenName: 'Tomasz',
    familyName: 'Nowak',
    birthDate: '1971-11-19',
    gender: 'male',
    confirmNotDuplicate: true,
  });
  expect(tomasz.error).toBeUndefined();
  const tomaszId = (tomasz.value as { patientId: string }).patientId;
  const admitted = await callFromPage(page, 'admission.admit', {
    patient: { patientId: tomaszId },
    wardCode: 'W-101',
    bed: 'A03',
    attendingClinicianId: 'clin-okafor',
    reason: 'Chest pain, for observation',
    recordConsent: false,
  });
  expect(admitted.error).toBeUndefined();
  await shell.signOut();

  // Dr Carl: the ward list, then the chart.
  await new SignInPage(page).signIn(DEMO_STAFF.clinician, DEMO_PIN);
  await shell.expectSignedInAs(DEMO_STAFF.clinician, 'Clinician');
  await shell.open('Patient records');
  const chart = new ChartPage(page);
  await expect(chart.wardList.getByTestId('ward-row')).toHaveCount(1);
  await expect(chart.wardList).toContainText('Tomasz Nowak');
  await captureScreen(page, 'chart-ward-list');

  await chart.openChartOf('Tomasz Nowak');
  await expect(chart.banners).toHaveText(["Your hospital's own records during this admission."]);
  await expect(page.getByTestId('chart-offline')).toContainText('The ledger cannot be reached');
  // Withheld categories are named in the summary line; opening it says why for each.
  await expect(chart.withheld.locator('summary')).toContainText(
    'diagnoses, test results and measurements, medicines, allergies',
  );
  await chart.withheld.locator('summary').click();
  await expect(chart.withheld).toContainText('the patient has not given this hospital consent to see their allergies');
  await expect(page.getByTestId('chart-summary')).toContainText('No allergies released.');
  await captureScreen(page, 'chart-own-admission-offline');

  // Emergency access: refused without a reason, then opened with a countdown and a red frame.
  await chart.breakTheGlass(null, 'short');
  await expect(page.getByTestId('break-glass-form')).toContainText('Choose the reason for emergency access.');
  await expect(page.getByTestId('break-glass-form')).toContainText('Write what the emergency is');
  await captureScreen(page, 'chart-break-glass-form');
  await page.getByTestId('break-glass-form').getByRole('button', { name: 'Cancel' }).click();
  await chart.breakTheGlass(
    'Emergency: the patient is unconscious',
    'Collapsed on the ward; need his history from other hospitals before theatre.',
  );
  await expect(page.getByTestId('break-glass-countdown')).toHaveText(/^(59|60):\d\d$/);
  await expect(chart.chart).toHaveClass(/chart-break-glass/);
  await expect(chart.banners.first()).toContainText('will be reviewed by the privacy office');
  await expect(chart.withheld).toHaveCount(0);
  await captureScreen(page, 'chart-break-glass-open');
  await chart.tab('Allergies');
  await expect(page.getByText('Nothing released in this section.')).toBeVisible();
  await shell.signOut();

  // Priya: the access report lists every view made (the ledger is down: they are on this workstation, marked so).
  await new SignInPage(page).signIn(DEMO_STAFF.privacy, DEMO_PIN);
  await shell.expectSignedInAs(DEMO_STAFF.privacy, 'Privacy officer');
  await shell.open('Privacy & audit');
  const office = new PrivacyOfficePage(page);
  await expect(page.getByRole('alert')).toContainText('The ledger cannot be reached right now');
  await captureScreen(page, 'privacy-review-queue-offline');
  const report = await office.accessReportFor('Nowak', 'Tomasz Nowak');
  await expect(report).toContainText('The ledger could not be reached');
  // Views: open (own admission: allowed + refused for the withheld), open under emergency access, the allergies tab.
  const rows = report.getByTestId('report-row');
  await expect(rows).toHaveCount(4);
  await expect(rows.filter({ hasText: 'Emergency' })).toHaveCount(2);
  await expect(rows.filter({ hasText: 'Refused' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'not yet on the ledger' })).toHaveCount(4);
  await captureScreen(page, 'privacy-access-report');

  const download = page.waitForEvent('download');
  await report.getByTestId('access-report-pdf').click();
  const file = await (await download).path();
  const bytes = await readFile(file);
  expect(bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  const lines = pdfTextPages(bytes).flat();
  expect(lines[0]).toBe('Who looked at your health records');
  // One line per access, the same four as on screen.
  expect(lines.filter((l) => l.includes('EMERGENCY ACCESS (emergency-unconscious)'))).toHaveLength(2);
  expect(lines.filter((l) => l.includes('(not yet on the ledger)'))).toHaveLength(4);
});
