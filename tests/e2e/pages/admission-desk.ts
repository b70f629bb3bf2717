import { expect, type Locator, type Page } from '@playwright/test';

/** The admission desk screen: scan, verification, patient choice, admission, wristband. */
export class AdmissionDeskPage {
  readonly root: Locator;
  readonly scannerInput: Locator;
  readonly imageInput: Locator;
  readonly useCamera: Locator;
  readonly camera: Locator;
  readonly codeOutline: Locator;
  readonly progress: Locator;
  readonly verdict: Locator;
  readonly checks: Locator;
  readonly patientMatch: Locator;
  readonly duplicateWarning: Locator;
  readonly consent: Locator;
  readonly eligibility: Locator;
  readonly admitForm: Locator;
  readonly admitButton: Locator;
  readonly admitted: Locator;
  readonly nextPatient: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('admission-desk');
    this.scannerInput = this.root.getByLabel('Handheld scanner');
    this.imageInput = this.root.getByTestId('image-input');
    this.useCamera = this.root.getByRole('button', { name: 'Use camera' });
    this.camera = this.root.getByTestId('camera');
    this.codeOutline = this.root.getByTestId('code-outline');
    this.progress = this.root.getByTestId('scan-progress');
    this.verdict = this.root.getByTestId('verdict');
    this.checks = this.root.getByTestId('check');
    this.patientMatch = this.root.getByTestId('patient-match');
    this.duplicateWarning = this.root.getByTestId('duplicate-warning');
    this.consent = this.root.getByTestId('consent');
    this.eligibility = this.root.getByTestId('eligibility');
    this.admitForm = this.root.getByTestId('admit-form');
    this.admitButton = this.root.getByTestId('admit-button');
    this.admitted = this.root.getByTestId('admitted');
    this.nextPatient = this.root.getByTestId('next-patient');
  }

  async expectReady(): Promise<void> {
    await expect(this.scannerInput).toBeVisible();
    // Keyboard first: a handheld scanner types into whatever has the focus.
    await expect(this.scannerInput).toBeFocused();
  }

  /** What a keyboard-wedge scanner does: type the code's characters, then Enter. */
  async scanWithHandheld(text: string): Promise<void> {
    await this.scannerInput.focus();
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press('Enter');
  }

  async openImages(...files: string[]): Promise<void> {
    await this.imageInput.setInputFiles(files);
  }

  tab(name: string): Locator {
    return this.root.getByRole('tab', { name });
  }

  check(id: string): Locator {
    return this.root.locator(`[data-testid="check"][data-check="${id}"]`);
  }

  async expectVerdict(verdict: 'valid' | 'invalid' | 'cannot-determine', title: string): Promise<void> {
    await expect(this.verdict).toHaveAttribute('data-verdict', verdict);
    await expect(this.verdict.getByRole('heading')).toHaveText(title);
  }

  /** Fills the admission form (ward code, bed, clinician, reason) and admits with Enter. */
  async admit(options: { wardCode: string; bed: string; clinician: string; reason: string }): Promise<void> {
    await this.admitForm.getByLabel('Ward').selectOption(options.wardCode);
    await this.admitForm.getByLabel('Bed').selectOption(options.bed);
    await this.admitForm.getByLabel('Attending clinician').selectOption({ label: options.clinician });
    const reason = this.admitForm.getByLabel('Reason for admission');
    await reason.fill(options.reason);
    await reason.press('Enter');
    await expect(this.admitted).toBeVisible();
  }
}
