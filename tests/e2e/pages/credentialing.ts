/**
 * The credentialing screen for end-to-end tests, and fresh wallet codes of the demo's locums
 * (src-main/demo/seed-credentialing.ts) made at test time by the wallet simulator in the demo's
 * wallet home (presentations live five minutes, so the codes the demo wrote at start may be old).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, type Locator, type Page } from '@playwright/test';
import { repoRoot } from '../support/web-host';

const run = promisify(execFile);

export interface LocumCode {
  parts: string[];
  /** The PNG files (one per part). */
  pngs: string[];
}

/** A fresh presentation of a demo locum's wallet for Hospital A. */
export async function freshLocumCode(walletHome: string, slug: string, outDir: string): Promise<LocumCode> {
  const png = path.join(outDir, `${slug}-${Date.now()}.png`);
  await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tools/wallet/cli.ts'), '--home', walletHome, 'present', '--wallet', slug, '--out', png], { cwd: repoRoot, timeout: 120_000 });
  const base = png.replace(/\.png$/, '');
  try {
    return { parts: [(await readFile(`${base}.txt`, 'utf8')).trim()], pngs: [png] };
  } catch {
    const parts: string[] = [];
    const pngs: string[] = [];
    for (let i = 1; ; i++) {
      try {
        parts.push((await readFile(`${base}-${i}.txt`, 'utf8')).trim());
        pngs.push(`${base}-${i}.png`);
      } catch {
        break;
      }
    }
    return { parts, pngs };
  }
}

export class CredentialingPage {
  readonly scanner: Locator;
  readonly verdict: Locator;
  readonly elsewhere: Locator;
  readonly grantForm: Locator;
  readonly alerts: Locator;

  constructor(readonly page: Page) {
    this.scanner = page.getByLabel('Handheld scanner');
    this.verdict = page.getByTestId('locum-verdict');
    this.elsewhere = page.getByTestId('elsewhere');
    this.grantForm = page.getByTestId('grant-form');
    this.alerts = page.getByTestId('locum-alerts');
  }

  async tab(name: 'Verify a locum' | 'Privileges and expiry' | 'Policy and disaster'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  /** Types each part of the code as the handheld scanner does (text, then Enter). */
  async scan(code: LocumCode): Promise<void> {
    for (const part of code.parts) {
      await this.scanner.fill(part);
      await this.scanner.press('Enter');
    }
    await expect(this.verdict).toBeVisible({ timeout: 30_000 });
  }

  async openImages(code: LocumCode): Promise<void> {
    await this.page.getByTestId('locum-image-input').setInputFiles(code.pngs);
    await expect(this.verdict).toBeVisible({ timeout: 30_000 });
  }

  check(name: string): Locator {
    return this.page.getByTestId(`check-${name}`);
  }

  async nextDoctor(): Promise<void> {
    await this.page.getByTestId('next-locum').click();
    await expect(this.scanner).toBeVisible();
  }

  async grant(privileges: string[], kind?: 'Standard privileges' | 'Disaster privileges (72 hours)'): Promise<void> {
    if (kind) await this.grantForm.getByLabel(kind).check();
    for (const p of privileges) await this.grantForm.getByLabel(p, { exact: true }).check();
    await this.page.getByTestId('grant-submit').click();
    await expect(this.page.getByTestId('granted')).toBeVisible({ timeout: 30_000 });
  }
}
