import { expect, type Locator, type Page } from '@playwright/test';

/** Patient records: the ward list and the chart (issue 11). */
export class ChartPage {
  readonly wardList: Locator;
  readonly chart: Locator;
  readonly banners: Locator;
  readonly withheld: Locator;
  /** The entries of the summary or of the open tab. */
  readonly entries: Locator;

  constructor(readonly page: Page) {
    this.wardList = page.getByTestId('ward-list');
    this.chart = page.getByTestId('chart');
    this.banners = page.getByTestId('consent-banner');
    this.withheld = page.getByTestId('withheld');
    this.entries = page.getByTestId('chart-entry');
  }

  /** Finds patients by name or MRN (the ward list shows only open admissions). */
  async search(query: string): Promise<void> {
    await this.page.getByRole('search').getByLabel('Name or MRN').fill(query);
    await this.page.getByRole('search').getByRole('button', { name: 'Search' }).click();
  }

  async openChartOf(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open chart of ${name}` }).click();
    await expect(this.chart).toBeVisible();
    await expect(this.banners.first()).toBeVisible();
  }

  async tab(label: string): Promise<void> {
    await this.chart.getByRole('tab', { name: label }).click();
  }

  /** Opens the emergency access form and submits it (a missing reason is left for the caller to see refused). */
  async breakTheGlass(reason: string | null, note: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Emergency access…' }).click();
    const form = this.page.getByTestId('break-glass-form');
    if (reason) await form.getByLabel('Reason').selectOption({ label: reason });
    await form.getByLabel('What is the emergency?').fill(note);
    await form.getByTestId('break-glass-submit').click();
  }
}

/** Privacy & audit: the privacy office's tabs (review queue, access report, consents). */
export class PrivacyOfficePage {
  constructor(readonly page: Page) {}

  async showTab(
    label: 'Break-glass review' | 'Patient access report' | 'Consents' | 'Emergency access' | 'Workstation sign-ins',
  ): Promise<void> {
    await this.page.getByRole('tab', { name: label }).click();
  }

  async accessReportFor(query: string, name: string): Promise<Locator> {
    await this.showTab('Patient access report');
    await this.page.getByLabel('Patient name or MRN').fill(query);
    await this.page.getByRole('button', { name: 'Find', exact: true }).click();
    await this.page
      .getByRole('listitem')
      .filter({ hasText: name })
      .getByRole('button', { name: 'Show access report' })
      .click();
    const report = this.page.getByTestId('access-report');
    await expect(report).toBeVisible();
    return report;
  }
}
