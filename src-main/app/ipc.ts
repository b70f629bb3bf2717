/**
 * The Electron transport of the dispatcher: one ipcMain handler per contract channel, each
 * telling the dispatcher whether the sending frame is the main frame of our window on our
 * app:// origin. Pushed events go to that window only.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES } from '../../src-shared/ipc/contract';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL } from '../../src-shared/ipc/transport';
import { isTrustedSender } from '../ipc/sender';
import type { Workstation } from '../services';

export function registerIpc(workstation: Workstation, getWindow: () => BrowserWindow | null, devServerOrigin: string | null): () => void {
  const callerOf = (event: IpcMainInvokeEvent): { trusted: boolean; origin: string } => {
    const win = getWindow();
    const frame = event.senderFrame;
    const frameUrl = frame?.url ?? '';
    const trusted = isTrustedSender({
      fromOurWindow: win !== null && !win.isDestroyed() && event.sender === win.webContents,
      isMainFrame: frame !== null && win !== null && !win.isDestroyed() && frame === win.webContents.mainFrame,
      frameUrl,
    }, devServerOrigin);
    return { trusted, origin: frameUrl || 'unknown frame' };
  };

  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(ELECTRON_CALL_PREFIX + channel, (event, payload: unknown) =>
      workstation.dispatcher.dispatch(channel, payload, { transport: 'electron', ...callerOf(event) }),
    );
  }
  const unsubscribe = workstation.events.subscribe((event) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(ELECTRON_EVENT_CHANNEL, event);
  });
  return () => {
    unsubscribe();
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(ELECTRON_CALL_PREFIX + channel);
  };
}
