import { expect, test } from './fixtures';
import { LockPage } from './pages/LockPage';
import { SettingsPage } from './pages/ScreensPage';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen, DESKTOP, LAPTOP } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

test.describe('lock screen', () => {
  test('locking keeps the session; the same person resumes where they were with their PIN', async ({ workstation }) => {
    const { page } = workstation;
    await new SignInPage(page).signIn(DEMO_STAFF.clinician, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.open('Sync');
    await shell.lock();

    const lock = new LockPage(page);
    await lock.expectLockedFor(DEMO_STAFF.clinician);
    // Nothing of the signed-in screens stays on display.
    await expect(shell.nav).toHaveCount(0);
    await captureScreen(page, 'lock-screen', [LAPTOP, DESKTOP]);

    await lock.unlock('0000');
    await expect(lock.error('WRONG_PIN')).toBeVisible();
    await captureScreen(page, 'lock-screen-wrong-pin');

    await lock.unlock(DEMO_PIN);
    await shell.expectSignedInAs(DEMO_STAFF.clinician, 'Clinician');
    await expect(shell.screenTitle).toHaveText('Sync');
  });

  test('"Switch user" ends the locked session and lets someone else sign in', async ({ workstation }) => {
    const { page } = workstation;
    await new SignInPage(page).signIn(DEMO_STAFF.claims, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.open('Sync');
    await shell.lock();
    await new LockPage(page).switchUser();

    const signIn = new SignInPage(page);
    await signIn.expectVisible();
    await signIn.signIn(DEMO_STAFF.admissions, DEMO_PIN);
    await shell.expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');
    // The next person starts on their own home screen, not the previous person's.
    await expect(shell.screenTitle).toHaveText('Admissions desk');
  });

  test('the workstation locks itself after the auto-lock time without activity', async ({ workstation }) => {
    const { page } = workstation;
    // The page's clock is faked so a minute passes instantly; the services keep real time.
    await page.clock.install();
    await page.reload();
    await new SignInPage(page).signIn(DEMO_STAFF.privacy, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.open('Workstation settings');
    const settings = new SettingsPage(page);
    await settings.setAutoLockMinutes(1);
    await expect(page.getByTestId('locks-at')).toContainText('Currently: 1 minute');

    // Half a minute of nobody touching anything: still signed in.
    await page.clock.fastForward(30_000);
    await expect(shell.signedInAs).toBeVisible();

    // Past the minute: the lock screen, with the same person.
    await page.clock.fastForward(35_000);
    await new LockPage(page).expectLockedFor(DEMO_STAFF.privacy);

    await new LockPage(page).unlock(DEMO_PIN);
    await shell.open('Workstation settings');
    await settings.setAutoLockMinutes(5);
  });
});

test.describe('a new page load', () => {
  test('reloading the page, or reopening the address with its token, shows the lock screen instead of the desk', async ({
    workstation,
    browser,
    transport,
  }) => {
    test.skip(transport !== 'web', 'The web host serves pages by address; Electron locks when its window closes.');
    const { page } = workstation;
    await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');

    // The browser closed and the address opened again (it carries the token): the PIN is asked.
    const url = process.env.CARELEDGER_E2E_URL ?? '';
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    try {
      const reopened = await context.newPage();
      await reopened.goto(url);
      const lockAgain = new LockPage(reopened);
      await lockAgain.expectLockedFor(DEMO_STAFF.admissions);
      await expect(reopened.getByTestId('signed-in-as')).toHaveCount(0);
      await captureScreen(reopened, 'reopened-address-locked');
      // The page that was open locks too: it is the same session.
      await new LockPage(page).expectLockedFor(DEMO_STAFF.admissions);
      await lockAgain.unlock(DEMO_PIN);
      await new ShellPage(reopened).expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');
    } finally {
      await context.close();
    }

    // A reload of a signed-in page asks for the PIN as well.
    await page.reload();
    const lock = new LockPage(page);
    await lock.expectLockedFor(DEMO_STAFF.admissions);
    await lock.unlock(DEMO_PIN);
    await shell.expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');
  });
});

test.describe('service outage', () => {
  test('when the workstation service stops, the status bar says so and actions explain why they fail', async ({
    launchWorkstation,
  }) => {
    const ws = await launchWorkstation({ demo: true });
    test.skip(ws.transport !== 'web', 'Stopping the service of a running Electron app closes its window too.');
    const { page } = ws;
    await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');
    await expect(page.getByTestId('status-service')).toHaveCount(0);

    await ws.stop();
    await expect(page.getByTestId('status-service')).toHaveText('Workstation service unreachable: reconnecting…');
    await shell.lock();
    await expect(page.getByTestId('error-UNAVAILABLE')).toContainText('not responding');
    await captureScreen(page, 'service-unreachable');
  });
});
