import { callFromPage, expect, test } from './fixtures';
import { PrivacyAuditPage } from './pages/ScreensPage';
import { ShellPage } from './pages/ShellPage';
import { SignInPage } from './pages/SignInPage';
import { captureScreen } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

test.describe('refusals happen in the main process, not only in the menu', () => {
  test('a channel outside the role is refused with ROLE_REFUSED and shows up in the audit', async ({ workstation }) => {
    const { page } = workstation;
    await new SignInPage(page).signIn(DEMO_STAFF.claims, DEMO_PIN);
    const shell = new ShellPage(page);
    await shell.expectSignedInAs(DEMO_STAFF.claims, 'Claims');
    expect(await shell.navigationLabels()).not.toContain('Privacy & audit');

    // A script in the page calls the privacy officer's channel anyway.
    const refused = await callFromPage(page, 'audit.signInEvents', { limit: 10 });
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('ROLE_REFUSED');
    expect(refused.error?.message).toMatch(/may not/);

    // The privacy officer sees the refusal, with who tried.
    await shell.signOut();
    await new SignInPage(page).signIn(DEMO_STAFF.privacy, DEMO_PIN);
    const audit = new PrivacyAuditPage(page);
    await audit.showSignIns();
    await expect(audit.events.locator('tbody tr').filter({ hasText: 'Refused for role' }).first()).toContainText(
      DEMO_STAFF.claims,
    );
  });

  test('signed out, a signed-in channel is refused with NOT_SIGNED_IN', async ({ workstation }) => {
    await new SignInPage(workstation.page).expectVisible();
    const refused = await callFromPage(workstation.page, 'sync.state', {});
    expect(refused.error?.code).toBe('NOT_SIGNED_IN');
  });

  test('a malformed request is refused with VALIDATION and a sentence', async ({ workstation }) => {
    await new SignInPage(workstation.page).expectVisible();
    const refused = await callFromPage(workstation.page, 'session.signIn', { identityId: 42 });
    expect(refused.error?.code).toBe('VALIDATION');
    expect(refused.error?.message).toMatch(/not filled in correctly/);
  });

  test('the web host refuses a call without the page token', async ({ workstation, transport }) => {
    test.skip(transport !== 'web', 'The token protects the web host only; Electron checks the sending frame.');
    const result = await workstation.page.evaluate(async () => {
      const response = await fetch('/api/call/session.state', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      return { status: response.status, body: (await response.json()) as { ok: boolean; error?: { code: string } } };
    });
    expect(result.status).toBe(401);
    expect(result.body.error?.code).toBe('FORBIDDEN_SENDER');
  });
});

test.describe('opening the web host without its token', () => {
  test('the page says how to open it properly instead of failing silently', async ({
    workstation,
    transport,
    browser,
  }) => {
    test.skip(transport !== 'web', 'Only the web host uses a token.');
    const origin = new URL(workstation.page.url()).origin;
    // A new browser context: no token in the address and none kept from before.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(origin);
    await expect(page.getByTestId('error-FORBIDDEN_SENDER')).toContainText('opened without its access token');
    await captureScreen(page, 'web-host-without-token');
    await context.close();
  });
});
