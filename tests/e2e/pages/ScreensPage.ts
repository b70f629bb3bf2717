import { expect, type Locator, type Page } from '@playwright/test';

/** Privacy & audit: the workstation's sign-in events. */
export class PrivacyAuditPage {
  readonly events: Locator;

  constructor(readonly page: Page) {
    this.events = page.getByTestId('audit-events');
  }

  /** The "Event" column, newest first. */
  async eventKinds(): Promise<string[]> {
    await expect(this.events).toBeVisible();
    return (await this.events.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((t) => t.trim());
  }

  async refresh(): Promise<void> {
    await this.page.getByRole('button', { name: /^Refresh/ }).click();
  }
}

/** Workstation settings: auto-lock. */
export class SettingsPage {
  constructor(readonly page: Page) {}

  async setAutoLockMinutes(minutes: number): Promise<void> {
    await this.page.getByLabel('Lock after').selectOption(String(minutes));
    await this.page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'Saved. The workstation now locks' })).toBeVisible();
  }
}
