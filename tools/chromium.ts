/**
 * How every test and bench starts Debian's Chromium: the Playwright config, the e2e camera
 * spec, the renderer QR integration test and the browser bench suites all read these, so one
 * place decides which binary runs and that it stays offline (no background networking,
 * component updates, first-run pages or sync) on machines without a sandbox or a GPU.
 * Plain data, no Playwright import: the Playwright config, @playwright/test specs and
 * playwright-core users can all take it.
 */

/** Debian's Chromium; Playwright's own browser download is not reachable from our machines. */
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

/** Launch flags for a headless, offline Chromium on CI and developer machines. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface FakeCameraOptions {
  /**
   * Answer the camera permission prompt with "allow" for every page. Specs that grant the
   * permission per origin (as a person would) leave this off.
   */
  acceptPrompt?: boolean;
}

/**
 * Flags that make Chromium's camera play `videoFile` (a Y4M, e.g. the wallet simulator's
 * code video) instead of a real device. They are launch flags, so they need a browser of their own.
 */
export function fakeCameraArgs(videoFile: string, options: FakeCameraOptions = {}): string[] {
  return [
    ...(options.acceptPrompt ? ['--use-fake-ui-for-media-stream'] : []),
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${videoFile}`,
  ];
}
