import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** WCAG 2.1 A and AA rules, the level hospitals are held to. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on what the page shows now and fails on serious or critical findings, listing
 * each with the rule, its help text and where it is. Minor and moderate findings are not
 * failures (they are reported by the rule list if a spec wants them).
 *
 * `captureScreen` calls this for every screen a spec pictures, so every screen of the e2e suite
 * is scanned in the state the spec put it in.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ')})` : ''}`).join('; ')}`);
  expect(blocking, `serious or critical accessibility findings on "${screen}"`).toEqual([]);
}
