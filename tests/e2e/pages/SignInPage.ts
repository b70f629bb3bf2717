import { expect, type Locator, type Page } from '@playwright/test';

/** The sign-in screen: choose your name, enter your PIN. */
export class SignInPage {
  readonly root: Locator;
  readonly pin: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('sign-in-screen');
    this.pin = this.root.getByLabel('PIN', { exact: true });
    this.submit = this.root.getByRole('button', { name: 'Sign in' });
  }

  async expectVisible(): Promise<void> {
    await expect(this.root.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  }

  identity(displayName: string): Locator {
    return this.root.getByRole('radio', { name: displayName });
  }

  /** Chooses the person, types the PIN and presses Enter (the way people do it). */
  async signIn(displayName: string, pin: string): Promise<void> {
    await this.identity(displayName).check();
    await this.pin.fill(pin);
    await this.pin.press('Enter');
  }

  error(code: string): Locator {
    return this.page.getByTestId(`error-${code}`);
  }

  /** Under the PIN field: tries left for the chosen person, or until when they are locked out. */
  triesLeft(): Locator {
    return this.root.getByTestId('sign-in-pin-tries');
  }

  enrolAnother(): Locator {
    return this.root.getByRole('button', { name: 'Enrol another staff identity' });
  }
}
