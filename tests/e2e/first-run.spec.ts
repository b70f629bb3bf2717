import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDevCa, issueIdentity } from '../../ledger/devnet/src/ca';
import { expect, test } from './fixtures';
import { ShellPage } from './pages/ShellPage';
import { CacheUnlockPage, EnrolPage, SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen, DESKTOP, LAPTOP } from './pages/screenshots';

const PASSPHRASE = 'ward seven night shift';
const RECOVERY = 'kept in the IT safe, envelope 12';
const PIN = '4826';

/**
 * What IT installs with the workstation: a ledger connection file naming the organisation and
 * its MSP root certificate (the only CA whose staff may enrol). The peer is not running here:
 * the workstation simply works offline.
 */
async function connectionFileFor(caCertificatePem: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-connection-'));
  await writeFile(path.join(dir, 'ca.pem'), caCertificatePem);
  const file = path.join(dir, 'connection.json');
  await writeFile(
    file,
    JSON.stringify({
      format: 'careledger-connection/1',
      endpoint: '127.0.0.1:9',
      channel: 'careledger',
      chaincode: 'careledger',
      mspId: 'HospitalBMSP',
      msp: { organisationName: 'Hospital B', rootCertificateFiles: ['ca.pem'] },
    }),
  );
  return file;
}

test.describe('first run and cache unlock', () => {
  test('a new workstation is set up, a staff identity enrolled from PEM files, and the cache unlocked after a restart', async ({
    launchWorkstation,
  }) => {
    const ca = await createDevCa({ mspId: 'HospitalBMSP', commonName: 'ca.hospital-b.test' });
    const env = { CARELEDGER_GATEWAY_CONFIG: await connectionFileFor(ca.certificatePem) };
    const first = await launchWorkstation({ demo: false, env });
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
    // The form says up front whose certificates it takes (the connection file's organisation).
    await expect(enrol.root.getByTestId('enrol-organisation')).toHaveText(
      "This workstation enrols staff of Hospital B only: the certificate must come from Hospital B's certificate authority, with a role of a hospital (Admissions, Clinician, Claims, Credentialing or Privacy officer).",
    );
    await captureScreen(page, 'enrol-identity');

    // A certificate from another organisation's CA is refused, saying whose CA it must come from.
    const elsewhere = await createDevCa({ mspId: 'HospitalBMSP', commonName: 'ca.somewhere-else.test' });
    const foreign = await issueIdentity(elsewhere, { enrollmentId: 'intruder', commonName: 'Ivy Intruder', role: 'admissions' });
    await enrol.enrol({ ...foreign, setupPassphrase: RECOVERY, pin: PIN });
    await expect(enrol.refusal('IDENTITY_UNTRUSTED')).toContainText(
      "This certificate was not issued by Hospital B's certificate authority",
    );
    await expect(enrol.refusal('IDENTITY_UNTRUSTED')).toContainText('Ask your administrator for a staff certificate from Hospital B');
    await captureScreen(page, 'enrol-identity-foreign-ca', [LAPTOP, DESKTOP]);

    // Enrolment is IT's act: the everyday passphrase is not the setup passphrase.
    const issued = await issueIdentity(ca, { enrollmentId: 'nurse7', commonName: 'Alex Morgan', role: 'clinician' });
    await enrol.enrol({ ...issued, setupPassphrase: PASSPHRASE, pin: PIN });
    await expect(enrol.refusal('SETUP_PASSPHRASE_WRONG')).toContainText("That is not this workstation's setup passphrase.");

    await enrol.enrol({ ...issued, setupPassphrase: RECOVERY, pin: PIN });

    const signIn = new SignInPage(page);
    await signIn.expectVisible();
    await expect(signIn.root).toContainText('Alex Morgan (Clinician) is enrolled.');
    await signIn.signIn('Alex Morgan', PIN);
    await new ShellPage(page).expectSignedInAs('Alex Morgan', 'Clinician');

    // Restart on the same data: the cache is locked until the passphrase is given.
    await first.stop();
    await launchWorkstation({ demo: false, dataDir: first.dataDir, env });
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
