/**
 * One date and time style, chosen under Workstation settings, used for what is shown and for
 * what the clerk types. The admission channels are answered by the contract-checked stand-in
 * (pages/admission-stub.ts); the settings are the real ones of the shared workstation, put back
 * to the computer's own style afterwards.
 */
import { expect, test } from './fixtures';
import { AdmissionDeskPage } from './pages/admission-desk';
import { AdmissionDeskStub, patient } from './pages/admission-stub';
import { DateTimeSettingsPage } from './pages/ScreensPage';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

const LONDON = { dateOrder: 'dmy', hourCycle: 'h23', timeZone: 'Europe/London', locale: 'en-GB' } as const;
const NEW_YORK = { dateOrder: 'mdy', hourCycle: 'h12', timeZone: 'America/New_York', locale: 'en-US' } as const;

test('the birth date is typed and read back in the order chosen for the workstation, and bad input says what to type', async ({ workstation }) => {
  const { page } = workstation;
  const stub = new AdmissionDeskStub();
  await stub.install(page);
  await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
  const shell = new ShellPage(page);
  const settings = new DateTimeSettingsPage(page);
  try {
    await shell.open('Workstation settings');
    await settings.choose(LONDON);
    await expect(settings.preview).toContainText('31 Dec 2026, 20:39 (London time)');
    await expect(settings.preview).toContainText('dd/mm/yyyy');

    await shell.open('Admissions desk');
    const desk = new AdmissionDeskPage(page);
    await desk.tab('No wallet / emergency').click();
    const form = desk.root.getByTestId('manual-registration');
    const birth = form.getByLabel('Birth date');
    await expect(form.getByText('(dd/mm/yyyy)')).toBeVisible();
    await birth.fill('02/03/1984');
    await expect(form.getByTestId('manual-birth-reads-as')).toHaveText('Reads as 2 Mar 1984');
    await birth.fill('30/02/1984');
    await birth.blur();
    await expect(form.getByRole('alert')).toContainText('February 1984 has no day 30');
    await captureScreen(page, 'date-style-birth-date-refused');
    await birth.fill('02/03/1984');
    await form.getByLabel('Given name').fill('Maria');
    await form.getByLabel('Family name').fill('Oliveira');
    stub.handlers['patients.registerManual'] = () => patient({ patientId: 'pat-9', mrn: '1000090-3', walletDid: null, identityStatus: 'manual-unverified' });
    await form.getByRole('button', { name: 'Register and continue to admission' }).click();
    await expect.poll(() => stub.requests('patients.search')[0]).toMatchObject({ birthDate: '1984-03-02' });

    // The same digits on a month-day-year workstation are 3 February.
    await shell.open('Workstation settings');
    await settings.choose(NEW_YORK);
    await expect(settings.preview).toContainText('Dec 31, 2026, 3:39 PM (New York time)');
    await shell.open('Admissions desk');
    await desk.tab('No wallet / emergency').click();
    await expect(form.getByText('(mm/dd/yyyy)')).toBeVisible();
    await form.getByLabel('Birth date').fill('02/03/1984');
    await expect(form.getByTestId('manual-birth-reads-as')).toHaveText('Reads as Feb 3, 1984');
  } finally {
    await shell.open('Workstation settings');
    await settings.card.getByRole('button', { name: 'Use the computer’s settings' }).click().catch(() => undefined);
    const save = settings.card.getByRole('button', { name: 'Save date and time' });
    if (await save.isEnabled()) await save.click();
  }
});
