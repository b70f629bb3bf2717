import { expect, test } from './fixtures';
import { SignInPage } from './pages/SignInPage';
import { captureScreen } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

test.describe('lockout', () => {
  test('too many wrong PINs lock the identity until a stated time, even for the right PIN', async ({
    launchWorkstation,
  }) => {
    // A workstation of its own: the lockout must not leak into other tests.
    const { page } = await launchWorkstation({ demo: true });
    const signIn = new SignInPage(page);
    await signIn.expectVisible();

    const name = DEMO_STAFF.credentialing;
    // The screen says how many tries there are before anyone types a PIN (issue 17 item 10).
    await signIn.identity(name).check();
    await expect(signIn.triesLeft()).toHaveText('5 tries left before a lockout.');
    await signIn.signIn(name, '9990');
    const wrong = signIn.error('WRONG_PIN');
    await expect(wrong).toBeVisible();
    const triesLeft = Number(/(\d+) (?:try|tries) left/.exec(await wrong.innerText())?.[1]);
    expect(triesLeft).toBeGreaterThan(0);
    // Each further wrong PIN counts down, and the screen says so.
    for (let left = triesLeft - 1; left >= 1; left--) {
      await signIn.signIn(name, `999${left}`);
      await expect(wrong).toContainText(`${left} ${left === 1 ? 'try' : 'tries'} left`);
      await expect(signIn.triesLeft()).toHaveText(`${left} ${left === 1 ? 'try' : 'tries'} left before a lockout.`);
    }
    await signIn.signIn(name, '9999');
    const lockedOut = signIn.error('LOCKED_OUT');
    await expect(lockedOut).toContainText('Too many wrong PINs');
    await expect(lockedOut).toContainText(/Try again after \d{1,2}:\d{2}/);
    await expect(signIn.triesLeft()).toContainText(/Locked after too many wrong PINs: try again after \d{1,2}:\d{2}/);
    await captureScreen(page, 'sign-in-locked-out');

    // The count is the service's, not the page's: a fresh page still says so.
    await page.reload();
    await signIn.identity(name).check();
    await expect(signIn.triesLeft()).toContainText('Locked after too many wrong PINs');

    // The right PIN does not help while the lockout lasts.
    await signIn.signIn(name, DEMO_PIN);
    await expect(signIn.error('LOCKED_OUT')).toBeVisible();
    await expect(page.getByTestId('signed-in-as')).toHaveCount(0);

    // Other people can still sign in at the same workstation.
    await signIn.signIn(DEMO_STAFF.admissions, DEMO_PIN);
    await expect(page.getByTestId('signed-in-as')).toContainText(DEMO_STAFF.admissions);
  });
});
