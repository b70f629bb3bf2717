import path from 'node:path';
import type { Page } from '@playwright/test';
import { repoRoot } from '../support/web-host';
import { expectAccessible } from './accessibility';

export const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'screenshots');

export const LAPTOP = { width: 1366, height: 768 } as const;
export const DESKTOP = { width: 1920, height: 1080 } as const;

/**
 * Saves what the user sees now, at each given size, under test-results/screenshots/ as
 * `<name>-<width>x<height>.png`. These are looked at by people, not compared by machine.
 * Every screen pictured is also scanned by axe-core first (serious or critical findings fail
 * the test): the accessibility check stands wherever a spec shows a screen.
 */
export async function captureScreen(
  page: Page,
  name: string,
  sizes: readonly { width: number; height: number }[] = [LAPTOP],
): Promise<void> {
  await expectAccessible(page, name);
  const original = page.viewportSize();
  for (const size of sizes) {
    await page.setViewportSize(size);
    // Let layout settle and the caret stop blinking into the picture.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await page.screenshot({
      path: path.join(SCREENSHOT_DIR, `${name}-${size.width}x${size.height}.png`),
      caret: 'hide',
      animations: 'disabled',
    });
  }
  if (original) await page.setViewportSize(original);
}
