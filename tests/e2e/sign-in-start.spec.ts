/**
 * The sign-in screen's first render waits for one service call, not a chain (issue 14): the page
 * asks for the start state once, before the rest of the bundle is evaluated, and the staff list
 * comes with it. A regression to the old waterfall (cache state, then session and staff list,
 * then the list again from the screen) shows here as extra calls, whatever the machine's speed.
 */
import { expect, test } from './fixtures';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

test.describe('sign-in start', () => {
  test('a new page load asks the service once for everything the sign-in screen shows', async ({ workstation, transport }) => {
    test.skip(transport !== 'web', 'Counts the web host\'s HTTP calls; Electron calls through its preload.');
    const page = workstation.page;
    const calls: string[] = [];
    page.on('request', (request) => {
      const match = /\/api\/call\/([^?]+)/.exec(request.url());
      if (match?.[1]) calls.push(match[1]);
    });
    await page.reload();
    const signIn = new SignInPage(page);
    await expect(signIn.identity(DEMO_STAFF.admissions)).toBeVisible();
    for (const name of Object.values(DEMO_STAFF)) await expect(signIn.identity(name)).toBeVisible();
    expect(calls).toEqual(['workstation.startState']);
  });

  test('after signing out, the sign-in screen asks for the staff list again (tries left are current)', async ({ workstation, transport }) => {
    test.skip(transport !== 'web', 'Counts the web host\'s HTTP calls; Electron calls through its preload.');
    const page = workstation.page;
    const signIn = new SignInPage(page);
    // A wrong PIN first, so the list the start state brought is out of date after it.
    await signIn.signIn(DEMO_STAFF.claims, '0000');
    await expect(signIn.error('WRONG_PIN')).toBeVisible();
    await signIn.pin.fill(DEMO_PIN);
    await signIn.pin.press('Enter');
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(DEMO_STAFF.claims, 'Claims');

    const calls: string[] = [];
    page.on('request', (request) => {
      const match = /\/api\/call\/([^?]+)/.exec(request.url());
      if (match?.[1]) calls.push(match[1]);
    });
    await shell.signOut();
    await expect(signIn.identity(DEMO_STAFF.claims)).toBeVisible();
    await expect.poll(() => calls).toContain('session.listIdentities');
    // The right PIN reset the count: choosing the same person shows every try again.
    await signIn.identity(DEMO_STAFF.claims).check();
    await expect(signIn.triesLeft()).toHaveText('5 tries left before a lockout.');
  });
});
