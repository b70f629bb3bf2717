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

export function isOurOrigin(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

export function isTrustedSender(facts: SenderFacts): boolean {
  return facts.fromOurWindow && facts.isMainFrame && isOurOrigin(facts.frameUrl);
}
