/**
 * Each organisation signs in at its own workstation and sees only its own kind's screens: the
 * insurer's staff the claims they receive, the governance body the organisation registry read from
 * the shared demo ledger. The refusals behind the hidden screens are the main process's
 * (tests/security/roles.test.ts); here a page script tries one too.
 */
import { callFromPage, expect, test } from './fixtures';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen } from './pages/screenshots';
import { DEMO_PIN, ORGANISATION_STAFF } from './support/organisations';

const SHARED = ['Sync', 'Workstation settings'];

test.describe('organisation workstations', () => {
  test.skip(({ transport }) => transport === 'electron', "The organisation demo's workstations are web hosts; the chromium project covers them.");

  test('Ines signs in at the insurer workstation and sees only insurer screens', async ({ organisationWorkstation }) => {
    const { page } = await organisationWorkstation('insurer');
    const signIn = new SignInPage(page);
    await signIn.expectVisible();
    // Only the insurer's own staff are enrolled there.
    await expect(signIn.root.getByRole('radio')).toHaveCount(2);
    await expect(signIn.identity(ORGANISATION_STAFF.insurer.claims)).toBeVisible();
    await captureScreen(page, 'insurer-sign-in');
    await signIn.signIn(ORGANISATION_STAFF.insurer.adjudicator, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(ORGANISATION_STAFF.insurer.adjudicator, 'Adjudicator');
    await expect(shell.signedInAs).toContainText('Insurer');
    expect(await shell.navigationLabels()).toEqual(['Claims', ...SHARED]);
    await expect(shell.screenTitle).toHaveText('Claims');
    await captureScreen(page, 'insurer-adjudicator-claims');

    // A hospital desk channel, called by a script in the page: refused by the main process.
    const refused = await callFromPage(page, 'admission.deskOptions', {});
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('ROLE_REFUSED');
    expect(refused.error?.message).toContain("work for a hospital's staff, and this workstation belongs to an insurer");
  });

  test('Grace signs in at the governance workstation and sees the registry from the ledger', async ({ organisationWorkstation }) => {
    const { page } = await organisationWorkstation('governance');
    await new SignInPage(page).signIn(ORGANISATION_STAFF.governance['governance-admin'], DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(ORGANISATION_STAFF.governance['governance-admin'], 'Governance administrator');
    expect(await shell.navigationLabels()).toEqual(['Governance', ...SHARED]);
    await expect(shell.screenTitle).toHaveText('Governance');

    // The mirror fills from the ledger's events; Refresh until it has (sync is seconds).
    const organisations = page.getByTestId('registry-organisations');
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(organisations.locator('tbody tr')).toHaveCount(5, { timeout: 1_000 });
    }).toPass({ timeout: 60_000 });
    const row = (name: string) => organisations.locator('tbody tr', { hasText: name });
    await expect(row('Hospital A')).toContainText('Hospital');
    await expect(row('Hospital A')).toContainText('HospitalAMSP');
    await expect(row('Insurer')).toContainText('InsurerMSP');
    await expect(row('Medical Board')).toContainText('Medical board');
    await expect(row('CareLedger Governance')).toContainText('Governance');

    const issuers = page.getByTestId('registry-issuers');
    await expect(issuers.locator('tbody tr', { hasText: 'did:web:insurer.careledger.example' })).toContainText('InsuranceCoverageCredential');
    await expect(issuers.locator('tbody tr', { hasText: 'did:web:board.careledger.example' })).toContainText('MedicalLicenseCredential');
    await expect(page.getByTestId('registry-freshness')).toContainText('As of');
    await captureScreen(page, 'governance-registry');

    const refused = await callFromPage(page, 'admission.deskOptions', {});
    expect(refused.error?.code).toBe('ROLE_REFUSED');
  });

  test('the medical board officer has no hospital or insurer screens', async ({ organisationWorkstation }) => {
    const { page } = await organisationWorkstation('board');
    await new SignInPage(page).signIn(ORGANISATION_STAFF.board['board-officer'], DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(ORGANISATION_STAFF.board['board-officer'], 'Medical board officer');
    expect(await shell.navigationLabels()).toEqual(SHARED);
  });
});
