import { createDevCa, issueIdentity } from '../../ledger/devnet/src/ca';
import { expect, test } from './fixtures';
import { ShellPage } from './pages/ShellPage';
import { CacheUnlockPage, EnrolPage, SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen, DESKTOP, LAPTOP } from './pages/screenshots';

const PASSPHRASE = 'ward seven night shift';
const RECOVERY = 'kept in the IT safe, envelope 12';
const PIN = '4826';

test.describe('first run and cache unlock', () => {
  test('a new workstation is set up, a staff identity enrolled from PEM files, and the cache unlocked after a restart', async ({
    launchWorkstation,
  }) => {
    const first = await launchWorkstation({ demo: false });
    const { page } = first;

    // First run: the encrypted cache does not exist yet.
    const setup = new SetupPage(page);
    await setup.expectVisible();
    await captureScreen(page, 'first-run-setup', [LAPTOP, DESKTOP]);

    // Mistakes are caught on the screen, with the field that is wrong.
    await setup.fill({ passphrase: PASSPHRASE, passphraseAgain: 'something else entirely', recovery: RECOVERY });
    await setup.submit();
    await expect(setup.root.getByText('The two passphrases are not the same.')).toBeVisible();
    await captureScreen(page, 'first-run-setup-mismatch');

    await setup.fill({ passphrase: PASSPHRASE, recovery: RECOVERY });
    await setup.submit();

    // No identities yet: the enrolment form.
    const enrol = new EnrolPage(page);
    await enrol.expectVisible();
    await expect(enrol.root).toContainText('No staff identities are enrolled on this workstation yet');
    await captureScreen(page, 'enrol-identity');

    const ca = await createDevCa({ mspId: 'HospitalBMSP', commonName: 'ca.hospital-b.test' });
    const issued = await issueIdentity(ca, { enrollmentId: 'nurse7', commonName: 'Alex Morgan', role: 'clinician' });
    await enrol.enrol({
      certificatePem: issued.certificatePem,
      privateKeyPem: issued.privateKeyPem,
      mspId: 'HospitalBMSP',
      pin: PIN,
    });

    const signIn = new SignInPage(page);
    await signIn.expectVisible();
    await expect(signIn.root).toContainText('Alex Morgan (Clinician) is enrolled.');
    await signIn.signIn('Alex Morgan', PIN);
    await new ShellPage(page).expectSignedInAs('Alex Morgan', 'Clinician');

    // Restart on the same data: the cache is locked until the passphrase is given.
    await first.stop();
    await launchWorkstation({ demo: false, dataDir: first.dataDir });
    const unlock = new CacheUnlockPage(page);
    await unlock.expectVisible();
    await captureScreen(page, 'cache-unlock');

    await unlock.unlock('not the passphrase');
    await expect(unlock.error('CACHE_WRONG_KEY')).toBeVisible();
    await captureScreen(page, 'cache-unlock-wrong-passphrase');

    await unlock.unlock(PASSPHRASE);
    await signIn.expectVisible();
    // Nothing was lost: the enrolled identity is still there.
    await expect(signIn.identity('Alex Morgan')).toBeVisible();
  });
});
