import { expect, type Locator, type Page } from '@playwright/test';

/** First run: create the encrypted cache with a passphrase and a recovery passphrase. */
export class SetupPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('setup-screen');
  }

  async expectVisible(): Promise<void> {
    await expect(this.root.getByRole('heading', { name: 'Set up this workstation' })).toBeVisible();
  }

  async fill(values: {
    passphrase: string;
    passphraseAgain?: string;
    recovery: string;
    recoveryAgain?: string;
  }): Promise<void> {
    await this.root.getByLabel('Passphrase', { exact: true }).fill(values.passphrase);
    await this.root.getByLabel('Passphrase again', { exact: true }).fill(values.passphraseAgain ?? values.passphrase);
    await this.root.getByLabel('Recovery passphrase', { exact: true }).fill(values.recovery);
    await this.root
      .getByLabel('Recovery passphrase again', { exact: true })
      .fill(values.recoveryAgain ?? values.recovery);
  }

  async submit(): Promise<void> {
    await this.root.getByRole('button', { name: 'Create encrypted storage' }).click();
  }
}

/** Later runs: open the encrypted cache with its passphrase (or the recovery passphrase). */
export class CacheUnlockPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('cache-unlock-screen');
  }

  async expectVisible(): Promise<void> {
    await expect(this.root.getByRole('heading', { name: /(Unlock|Recover) local data/ })).toBeVisible();
  }

  async unlock(passphrase: string): Promise<void> {
    const field = this.root.getByLabel('Workstation passphrase');
    await field.fill(passphrase);
    await field.press('Enter');
  }

  error(code: string): Locator {
    return this.page.getByTestId(`error-${code}`);
  }
}

/** Enrol a staff identity from PEM files. */
export class EnrolPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('enrol-screen');
  }

  async expectVisible(): Promise<void> {
    await expect(this.root.getByRole('heading', { name: 'Enrol a staff identity' })).toBeVisible();
  }

  async enrol(values: { certificatePem: string; privateKeyPem: string; setupPassphrase: string; pin: string }): Promise<void> {
    await this.root.getByLabel('Certificate file').setInputFiles({
      name: 'cert.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.from(values.certificatePem),
    });
    await this.root.getByLabel('Private key file').setInputFiles({
      name: 'key.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.from(values.privateKeyPem),
    });
    await this.root.getByLabel('Workstation setup passphrase').fill(values.setupPassphrase);
    await this.root.getByLabel('New PIN').fill(values.pin);
    await this.root.getByLabel('Type the PIN again').fill(values.pin);
    await this.root.getByRole('button', { name: 'Enrol identity' }).click();
  }

  /** The refusal shown after a failed enrolment (heading and sentence), by error code. */
  refusal(code: string): Locator {
    return this.root.getByTestId(`error-${code}`);
  }
}
