/**
 * Time to first render of the sign-in screen in Chromium: the real web host (demo staff) and
 * the built renderer, measured from the start of navigation to the sign-in form being on screen
 * with the staff list loaded (index.html, the bundle, the cache and session state, the identity
 * list: everything a person waits for).
 *
 * Beside it, in the same run and the same browser, alternating: the floor, an empty page
 * (navigation start -> its one paragraph visible), which is what the browser costs before any
 * of our code runs.
 *
 * Needs `npm run build` first (the renderer in out/renderer) and Chromium at /usr/bin/chromium
 * (or CARELEDGER_BENCH_CHROMIUM).
 */
import { startBenchDesk } from '../support/web-host';
import { percentile, type BenchRow, type BenchSuite } from '../types';

// 40: with 15 the p95 was the slowest run of all, and swung 450-530 ms between idle runs.
const WARM_RUNS = 40;

const suite: BenchSuite = async (ctx) => {
  const { host, browser, stop } = await startBenchDesk(ctx);
  const inPage: number[] = [];
  const wall: number[] = [];
  const empty: number[] = [];
  let cold: { inPage: number; wall: number } | null = null;
  try {
    // One context for all runs, like a workstation's browser: the first navigation is cold
    // (nothing cached), the later ones warm.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    for (let run = 0; run <= WARM_RUNS; run++) {
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(host.url, { waitUntil: 'commit' });
      // Sign-in screen with its staff list: the moment a person can pick their name.
      await page.waitForSelector('[data-testid="sign-in-screen"] input[type="radio"]', {
        state: 'visible',
        timeout: 30_000,
      });
      const sinceNavigation = await page.evaluate(() => performance.now());
      const elapsed = performance.now() - started;
      if (run === 0) cold = { inPage: sinceNavigation, wall: elapsed };
      else {
        inPage.push(sinceNavigation);
        wall.push(elapsed);
      }
      await page.close();
      if (run > 0) {
        const blank = await context.newPage();
        await blank.goto('data:text/html,<!doctype html><title>empty</title><p id="empty">empty</p>', { waitUntil: 'commit' });
        await blank.waitForSelector('#empty', { state: 'visible', timeout: 30_000 });
        empty.push(await blank.evaluate(() => performance.now()));
        await blank.close();
      }
    }
    await context.close();
  } finally {
    await stop();
  }
  ctx.log(`cold ${cold?.inPage.toFixed(0)} ms; warm runs: ${inPage.map((v) => v.toFixed(0)).join(', ')} ms`);
  const rows: BenchRow[] = [
    {
      name: 'sign-in first render, cold (navigation start -> staff list visible)',
      value: cold?.inPage ?? Number.NaN,
      unit: 'ms',
      note: 'first navigation, empty HTTP cache',
    },
    {
      name: 'sign-in first render p50',
      value: percentile(inPage, 50),
      unit: 'ms',
      floor: { name: 'an empty page, same browser', value: percentile(empty, 50) },
      note: `${WARM_RUNS} warm navigations, in-page clock`,
    },
    {
      name: 'sign-in first render p95',
      value: percentile(inPage, 95),
      unit: 'ms',
      floor: { name: 'an empty page, same browser', value: percentile(empty, 95) },
      target: 500,
      note: `${WARM_RUNS} warm navigations, in-page clock`,
    },
    {
      name: 'sign-in first render p50, as the test driver sees it',
      value: percentile(wall, 50),
      unit: 'ms',
      note: 'includes Playwright round trips',
    },
  ];
  return rows;
};

export default suite;
