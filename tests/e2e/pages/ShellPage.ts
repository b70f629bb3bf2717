import { expect, type Locator, type Page } from '@playwright/test';

/** The signed-in workstation: header, role-filtered navigation, screen, sync status bar. */
export class ShellPage {
  readonly header: Locator;
  readonly signedInAs: Locator;
  readonly nav: Locator;
  readonly statusBar: Locator;
  readonly screenTitle: Locator;

  constructor(readonly page: Page) {
    this.header = page.locator('header.shell-header');
    this.signedInAs = page.getByTestId('signed-in-as');
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.statusBar = page.getByTestId('status-bar');
    this.screenTitle = page.locator('#screen-title');
  }

  async expectSignedInAs(displayName: string, roleLabel: string): Promise<void> {
    await expect(this.signedInAs).toContainText(`Signed in as ${displayName} · ${roleLabel}`);
  }

  /** The labels of the navigation entries, in order. */
  async navigationLabels(): Promise<string[]> {
    await expect(this.nav).toBeVisible();
    return (await this.nav.getByRole('button').allInnerTexts()).map((t) => t.trim());
  }

  async open(label: string): Promise<void> {
    await this.nav.getByRole('button', { name: label, exact: true }).click();
    await expect(this.screenTitle).toHaveText(label);
  }

  async lock(): Promise<void> {
    await this.header.getByRole('button', { name: 'Lock' }).click();
  }

  async signOut(): Promise<void> {
    await this.header.getByRole('button', { name: 'Sign out' }).click();
  }
}
