/**
 * Accessibility that is not one screen's business: the header at 200 % zoom, and the screens
 * a role spec does not picture in every state. Every screen pictured anywhere in the suite is
 * also scanned by axe-core (pages/screenshots.ts -> pages/accessibility.ts).
 */
import { expect, test } from './fixtures';
import { expectAccessible } from './pages/accessibility';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

/** 1366 x 768 at 200 % browser zoom: the page lays out in half the CSS pixels, drawn twice as dense. */
const ZOOM_200 = { width: 683, height: 384 } as const;

test.describe('200 % zoom', () => {
  test.use({ deviceScaleFactor: 2 });

  test('the header wraps: the signed-in name, role and organisation are shown whole, Lock and Sign out stay on screen', async ({ workstation }) => {
    const { page } = workstation;
    await page.setViewportSize(ZOOM_200);
    const signIn = new SignInPage(page);
    await signIn.expectVisible();
    await captureScreen(page, 'zoom-200-sign-in', [ZOOM_200]);
    await signIn.signIn(DEMO_STAFF.admissions, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');
    // Whole: nothing of the line is cut off or hidden behind an ellipsis.
    const cut = await shell.signedInAs.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    expect(cut).toBe(false);
    for (const name of ['Lock', 'Sign out']) {
      const box = await shell.header.getByRole('button', { name }).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= ZOOM_200.width).toBe(true);
    }
    await expectAccessible(page, 'signed in at 200 % zoom');
    await captureScreen(page, 'zoom-200-admissions', [ZOOM_200]);
  });
});

test('the workstation settings screen, with its date and time card, passes the scan', async ({ workstation }) => {
  const { page } = workstation;
  await new SignInPage(page).signIn(DEMO_STAFF.clinician, DEMO_PIN);
  const shell = new ShellPage(page);
  await shell.open('Workstation settings');
  await expect(page.getByTestId('datetime-settings')).toBeVisible();
  await captureScreen(page, 'settings-date-time');
  await shell.open('Sync');
  await captureScreen(page, 'sync-clinician');
});
