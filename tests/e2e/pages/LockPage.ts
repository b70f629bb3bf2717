import { expect, type Locator, type Page } from '@playwright/test';

/** The lock screen: the signed-in person resumes with their PIN, anyone else switches user. */
export class LockPage {
  readonly root: Locator;
  readonly pin: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('lock-screen');
    this.pin = this.root.getByLabel(/^PIN for /);
  }

  async expectLockedFor(displayName: string): Promise<void> {
    await expect(this.root.getByRole('heading', { name: 'Workstation locked' })).toBeVisible();
    await expect(this.root.getByTestId('locked-identity')).toContainText(displayName);
  }

  async unlock(pin: string): Promise<void> {
    await this.pin.fill(pin);
    await this.pin.press('Enter');
  }

  async switchUser(): Promise<void> {
    await this.root.getByRole('button', { name: 'Switch user' }).click();
  }

  error(code: string): Locator {
    return this.page.getByTestId(`error-${code}`);
  }
}
