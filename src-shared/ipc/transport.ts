/**
 * Names both transports agree on, so the preload, the Electron main process, the web host and
 * the renderer's api module cannot drift apart. Plain strings only.
 *
 * Web host protocol (127.0.0.1 only):
 * - `POST /api/call/<channel>` with `Authorization: Bearer <token>`, JSON body = request,
 *   answers 200 with a JSON `Result` (401 with a `FORBIDDEN_SENDER` Result without the token).
 * - `GET /api/events?token=<token>` answers `text/event-stream`; each event is
 *   `data: <PushEvent JSON>`.
 * - The token reaches the page in the URL fragment: `http://127.0.0.1:<port>/#token=<token>`.
 */

/** Electron: the ipcMain.handle channel of a contract channel is this prefix + its name. */
export const ELECTRON_CALL_PREFIX = 'careledger:call:';
/** Electron: the webContents channel on which PushEvents arrive. */
export const ELECTRON_EVENT_CHANNEL = 'careledger:event';

/** Web host: calls go to `${WEB_CALL_PATH}<channel>`. */
export const WEB_CALL_PATH = '/api/call/';
/** Web host: Server-Sent Events stream of PushEvents; token in the `token` query parameter. */
export const WEB_EVENTS_PATH = '/api/events';
/** Web host: the fragment parameter carrying the per-run token. */
export const WEB_TOKEN_FRAGMENT = 'token';
