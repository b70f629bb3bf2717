/**
 * Whether an Electron IPC call came from our own renderer: the main frame (not an iframe) of
 * our window, showing a page of our app:// origin. Kept free of electron so it is testable;
 * src-main/app/ipc.ts feeds it from `event.senderFrame`.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'careledger';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface SenderFacts {
  /** The sending webContents is the one of our main window. */
  fromOurWindow: boolean;
  /** The sending frame is that window's main frame (null when the frame is gone). */
  isMainFrame: boolean;
  /** The URL of the sending frame ('' when unknown). */
  frameUrl: string;
}

/**
 * Whether `url` is a page of ours: app://careledger, or, only in `npm run dev` (unpackaged,
 * electron-vite's renderer dev server), exactly the dev server's origin.
 */
export function isOurOrigin(url: string, devServerOrigin: string | null = null): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return true;
    return devServerOrigin !== null && u.origin === devServerOrigin;
  } catch {
    return false;
  }
}

export function isTrustedSender(facts: SenderFacts, devServerOrigin: string | null = null): boolean {
  return facts.fromOurWindow && facts.isMainFrame && isOurOrigin(facts.frameUrl, devServerOrigin);
}
