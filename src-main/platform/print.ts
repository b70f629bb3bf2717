/** Thin wrapper over Electron printing (verification reports): to PDF bytes, never to a URL. */
import type { BrowserWindow } from 'electron';

export async function printToPdf(window: BrowserWindow): Promise<Buffer> {
  return window.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
}
