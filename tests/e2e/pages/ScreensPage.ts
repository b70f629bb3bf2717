import { expect, type Locator, type Page } from '@playwright/test';

/** Privacy & audit: the workstation's sign-in events (its own tab of the privacy office). */
export class PrivacyAuditPage {
  readonly events: Locator;

  constructor(readonly page: Page) {
    this.events = page.getByTestId('audit-events');
  }

  async showSignIns(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Workstation sign-ins' }).click();
  }

  /** The "Event" column, newest first. */
  async eventKinds(): Promise<string[]> {
    await this.showSignIns();
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

/** Workstation settings: the date and time style (order, clock, zone, language). */
export class DateTimeSettingsPage {
  readonly card: Locator;
  readonly preview: Locator;

  constructor(readonly page: Page) {
    this.card = page.getByTestId('datetime-settings');
    this.preview = this.card.getByTestId('datetime-preview');
  }

  /** Chooses and saves; `timeZone` is an IANA name such as "Europe/London". */
  async choose(style: {
    dateOrder: 'dmy' | 'mdy' | 'ymd';
    hourCycle: 'h23' | 'h12';
    timeZone: string;
    locale: string;
  }): Promise<void> {
    await this.card.getByLabel('Date order').selectOption(style.dateOrder);
    await this.card.getByLabel('Clock').selectOption(style.hourCycle);
    await this.card.getByLabel('Time zone of this hospital').selectOption(style.timeZone);
    await this.card.getByLabel('Language of month names').selectOption(style.locale);
    const save = this.card.getByRole('button', { name: 'Save date and time' });
    if (await save.isEnabled()) {
      await save.click();
      await expect(this.card.getByRole('status').filter({ hasText: 'Saved. Dates now read like' })).toBeVisible();
    }
  }
}
