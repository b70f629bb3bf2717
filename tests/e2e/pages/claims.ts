import { expect, type Locator, type Page } from '@playwright/test';

/** The Claims screen: work list, claim form with its checklist, claim detail and the insurer's adjudication. */
export class ClaimsPage {
  readonly worklist: Locator;
  readonly editor: Locator;
  readonly checklist: Locator;
  readonly detail: Locator;
  readonly status: Locator;
  readonly timeline: Locator;

  constructor(readonly page: Page) {
    this.worklist = page.getByTestId('claims-worklist');
    this.editor = page.getByTestId('claim-editor');
    this.checklist = page.getByTestId('claim-checklist');
    this.detail = page.getByTestId('claim-detail');
    this.status = page.getByTestId('detail-status');
    this.timeline = page.getByTestId('claim-timeline');
  }

  /** Starts a claim from the "Ready to bill" row of a patient. */
  async newClaimFor(patientName: string): Promise<void> {
    await this.page.getByRole('button', { name: `New claim for ${patientName}` }).click();
    await expect(this.editor).toBeVisible();
  }

  async setDiagnosis(index: number, code: string): Promise<void> {
    await this.editor.getByLabel(index === 0 ? 'Principal diagnosis' : `Diagnosis ${index + 1}`, { exact: true }).fill(code);
  }

  /** Adds a service line and fills it. */
  async addLine(line: { code: string; revenue: string; price: string; units?: string }): Promise<void> {
    const before = await this.editor.getByTestId('line-row').count();
    await this.editor.getByRole('button', { name: '+ Add service line' }).click();
    const n = before + 1;
    await this.editor.getByLabel(`Line ${n} procedure code`).fill(line.code);
    await this.editor.getByLabel(`Line ${n} revenue code`).fill(line.revenue);
    await this.editor.getByLabel(`Line ${n} units`).fill(line.units ?? '1');
    await this.editor.getByLabel(`Line ${n} unit price`).fill(line.price);
  }

  /** Opens a claim of the list by its patient. */
  async openClaimOf(patientName: string): Promise<void> {
    await this.worklist.getByTestId('claim-row').filter({ hasText: patientName }).first().getByRole('button').first().click();
    await expect(this.detail).toBeVisible();
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: '← All claims' }).click();
    await expect(this.worklist).toBeVisible();
  }

  /** Insurer: decides each line; `deny` maps a line number to a CARC reason. */
  async adjudicate(deny: Record<number, string> = {}): Promise<void> {
    await this.detail.getByRole('button', { name: 'Adjudicate lines' }).click();
    const panel = this.page.getByTestId('adjudication-panel');
    for (const [line, reason] of Object.entries(deny)) {
      await panel.getByLabel(`Decision on line ${line}`).selectOption('deny');
      await panel.getByLabel(`Reason for line ${line}`).selectOption(reason);
    }
    await panel.getByRole('button', { name: 'Record decision' }).click();
    await expect(this.page.getByTestId('claim-message')).toContainText('decision is queued');
  }

  async pay(reference: string): Promise<void> {
    await this.detail.getByRole('button', { name: 'Record payment' }).click();
    const panel = this.page.getByTestId('pay-panel');
    await panel.getByLabel('Payment reference').fill(reference);
    await panel.getByRole('button', { name: 'Record payment' }).click();
    await expect(this.page.getByTestId('claim-message')).toContainText('payment is queued');
  }
}
