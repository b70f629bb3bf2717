import { expect, test } from './fixtures';
import { PrivacyAuditPage } from './pages/ScreensPage';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen, DESKTOP, LAPTOP } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF, type HospitalRole } from './support/demo';

const SHARED = ['Sync', 'Workstation settings'];

/** What each role must see in the navigation, in order, and nothing else. */
const EXPECTED: Record<HospitalRole, { roleLabel: string; screens: string[] }> = {
  admissions: { roleLabel: 'Admissions', screens: ['Admissions desk', ...SHARED] },
  clinician: { roleLabel: 'Clinician', screens: ['Patient records', ...SHARED] },
  claims: { roleLabel: 'Claims', screens: ['Claims', ...SHARED] },
  credentialing: { roleLabel: 'Credentialing', screens: ['Credentialing', ...SHARED] },
  privacy: { roleLabel: 'Privacy officer', screens: ['Privacy & audit', ...SHARED] },
};

/** The screens worth a look at full HD too. */
const MAIN_SCREENS = new Set(['Admissions desk', 'Patient records', 'Privacy & audit']);

function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-');
}

test.describe('role-based navigation', () => {
  for (const [role, expected] of Object.entries(EXPECTED) as [HospitalRole, (typeof EXPECTED)[HospitalRole]][]) {
    test(`${expected.roleLabel} sees exactly the screens of the role`, async ({ workstation }) => {
      const { page } = workstation;
      await new SignInPage(page).signIn(DEMO_STAFF[role], DEMO_PIN);
      const shell = new ShellPage(page);
      await shell.expectSignedInAs(DEMO_STAFF[role], expected.roleLabel);
      expect(await shell.navigationLabels()).toEqual(expected.screens);
      // The role's own screen opens first.
      await expect(shell.screenTitle).toHaveText(expected.screens[0] ?? '');

      for (const label of expected.screens) {
        if (SHARED.includes(label) && role !== 'privacy') continue; // shared screens: pictured once
        await shell.open(label);
        await expect(
          page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: label, exact: true }),
        ).toHaveAttribute('aria-current', 'page');
        await captureScreen(page, `${role}-${slug(label)}`, MAIN_SCREENS.has(label) ? [LAPTOP, DESKTOP] : [LAPTOP]);
      }
    });
  }

  test('the privacy officer sees the real sign-in events of this workstation', async ({ workstation }) => {
    const { page } = workstation;
    const signIn = new SignInPage(page);
    await signIn.signIn(DEMO_STAFF.privacy, DEMO_PIN);
    const audit = new PrivacyAuditPage(page);
    const kinds = await audit.eventKinds();
    // Newest first: this very sign-in.
    expect(kinds[0]).toBe('Signed in');
    await expect(audit.events.locator('tbody tr').first()).toContainText(DEMO_STAFF.privacy);
  });
});
