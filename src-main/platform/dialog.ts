/** Thin wrapper over Electron's file dialog: picking PEM files to enrol a staff identity. */
import { readFile } from 'node:fs/promises';
import { dialog, type BrowserWindow } from 'electron';

/** Asks the user for one PEM file; returns its text, or null when they cancel. */
export async function choosePemFile(window: BrowserWindow, title: string): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    title,
    properties: ['openFile'],
    filters: [{ name: 'PEM files', extensions: ['pem', 'crt', 'key'] }],
  });
  const file = result.canceled ? undefined : result.filePaths[0];
  if (file === undefined) return null;
  return readFile(file, 'utf8');
}
