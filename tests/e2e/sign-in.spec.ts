import { expect, test } from './fixtures';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen, DESKTOP, LAPTOP } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

test.describe('sign-in', () => {
  test('a member of staff signs in with their PIN and sees who is signed in', async ({ workstation }) => {
    const signIn = new SignInPage(workstation.page);
    await signIn.expectVisible();
    for (const name of Object.values(DEMO_STAFF)) await expect(signIn.identity(name)).toBeVisible();
    await captureScreen(workstation.page, 'sign-in', [LAPTOP, DESKTOP]);

    await signIn.signIn(DEMO_STAFF.clinician, DEMO_PIN);
    const shell = new ShellPage(workstation.page);
    await shell.expectSignedInAs(DEMO_STAFF.clinician, 'Clinician');
    await expect(shell.screenTitle).toHaveText('Patient records');
    // The status bar is honest about the ledger until the sync engine exists.
    await expect(shell.statusBar).toContainText('Ledger not configured');
  });

  test('a wrong PIN is refused with the number of tries left, and the right PIN still works', async ({
    workstation,
  }) => {
    const signIn = new SignInPage(workstation.page);
    await signIn.signIn(DEMO_STAFF.admissions, '0000');
    await expect(signIn.error('WRONG_PIN')).toContainText('Wrong PIN');
    await expect(signIn.error('WRONG_PIN')).toContainText(/\d+ tries left/);
    await expect(signIn.pin).toHaveValue('');
    await expect(signIn.pin).toBeFocused();
    await captureScreen(workstation.page, 'sign-in-wrong-pin');

    await signIn.pin.fill(DEMO_PIN);
    await signIn.pin.press('Enter');
    await new ShellPage(workstation.page).expectSignedInAs(DEMO_STAFF.admissions, 'Admissions');
  });

  test('an empty PIN is caught on the screen before anything is sent', async ({ workstation }) => {
    const signIn = new SignInPage(workstation.page);
    await signIn.identity(DEMO_STAFF.claims).check();
    await signIn.submit.click();
    await expect(workstation.page.getByRole('alert')).toHaveText('Enter your PIN.');
  });

  test('the sign-in screen works with the keyboard alone', async ({ workstation }) => {
    const { page } = workstation;
    const signIn = new SignInPage(page);
    await signIn.expectVisible();
    // Tab into the list of people, arrow to the second person, Tab to the PIN, Enter submits.
    await page.keyboard.press('Tab');
    await expect(signIn.root.getByRole('radio').first()).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(signIn.root.getByRole('radio').nth(1)).toBeChecked();
    const chosenName = await signIn.root.locator('.identity-option').nth(1).locator('.identity-name').innerText();
    await page.keyboard.press('Tab');
    await expect(signIn.pin).toBeFocused();
    await page.keyboard.type(DEMO_PIN);
    await page.keyboard.press('Enter');
    await expect(new ShellPage(page).signedInAs).toContainText(`Signed in as ${chosenName}`);
  });

  test('signing out returns to the sign-in screen', async ({ workstation }) => {
    const signIn = new SignInPage(workstation.page);
    await signIn.signIn(DEMO_STAFF.claims, DEMO_PIN);
    const shell = new ShellPage(workstation.page);
    await shell.expectSignedInAs(DEMO_STAFF.claims, 'Claims');
    await shell.signOut();
    await signIn.expectVisible();
    await expect(signIn.identity(DEMO_STAFF.claims)).not.toBeChecked();
  });
});
