/**
 * The sandboxed preload: exposes `window.careledger` with exactly one named function per
 * contract channel plus `onEvent`. Nothing raw crosses (no ipcRenderer, no generic invoke):
 * each function can only reach its own channel. Validation and sender checks happen in main.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_NAMES, type PushEvent } from '../src-shared/ipc/contract';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL } from '../src-shared/ipc/transport';

const api: Record<string, unknown> = {};
for (const channel of CHANNEL_NAMES) {
  const ipcChannel = ELECTRON_CALL_PREFIX + channel;
  api[channel] = (request: unknown): Promise<unknown> => ipcRenderer.invoke(ipcChannel, request);
}
api.onEvent = (listener: (event: PushEvent) => void): (() => void) => {
  // Hand the renderer only the event's data, never the IpcRendererEvent (it carries `sender`).
  const wrapped = (_event: IpcRendererEvent, payload: PushEvent): void => listener(payload);
  ipcRenderer.on(ELECTRON_EVENT_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(ELECTRON_EVENT_CHANNEL, wrapped);
  };
};

contextBridge.exposeInMainWorld('careledger', Object.freeze(api));
