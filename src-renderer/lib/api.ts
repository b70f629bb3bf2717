/**
 * The renderer's only way to reach the main-process services.
 *
 * In Electron the sandboxed preload exposes `window.careledger` (one named function per
 * contract channel). Without it, the renderer is being served by the web host
 * (`npm run start:web`) and talks the same contract over HTTP on our own origin:
 * `POST /api/call/<channel>` with a bearer token, and Server-Sent Events on `/api/events`.
 *
 * No other module may touch `window.careledger`, `fetch('/api/...)` or the token, except the
 * raw transport this module is built on (`lib/wire.ts`, evaluated first so the first screen's
 * call leaves early).
 */
import {
  CHANNEL_NAMES,
  contract,
  IpcError,
  PushEvent,
  type CareLedgerApi,
  type ChannelName,
  type RequestOf,
  type ResponseOf,
  type Result,
  type StartState,
} from '../../src-shared/ipc/contract';
import { WEB_EVENTS_PATH } from '../../src-shared/ipc/transport';
import { bridge, failure, sendCall, takeEarlyStartState, webHostToken } from './wire';

/** Whether the renderer can currently hear the service's pushed events. */
export type TransportStatus = 'connecting' | 'connected' | 'disconnected';

/**
 * Checks a response against the contract. The main process is trusted code, but a
 * mismatch here means the two sides were built from different contracts: better a clear
 * error than a screen that silently shows half a record. It costs microseconds, so it
 * stays on in production builds as well as in development and tests.
 */
const callErrorListeners = new Set<(error: IpcError) => void>();

/**
 * Hears every refusal a call brings back. A refusal can be the first news of a change the
 * pushed events have not delivered yet, or delivered out of order with a call's answer (the web
 * host's events and calls travel on different connections): e.g. CACHE_CORRUPT met by a query
 * while this page still believes the cache is open. Returns an unsubscribe function.
 */
export function onCallError(listener: (error: IpcError) => void): () => void {
  callErrorListeners.add(listener);
  return () => callErrorListeners.delete(listener);
}

function checkResult<C extends ChannelName>(channel: C, raw: unknown): Result<ResponseOf<C>> {
  if (typeof raw === 'object' && raw !== null && 'ok' in raw) {
    const candidate = raw as { ok: unknown; value?: unknown; error?: unknown };
    if (candidate.ok === true) {
      const parsed = contract[channel].response.safeParse(candidate.value);
      if (parsed.success) return { ok: true, value: parsed.data as ResponseOf<C> };
    } else if (candidate.ok === false) {
      const parsed = IpcError.safeParse(candidate.error);
      if (parsed.success) {
        for (const listener of callErrorListeners) listener(parsed.data);
        return { ok: false, error: parsed.data };
      }
    }
  }
  return failure(
    'INTERNAL',
    'The workstation service sent an answer this screen does not understand. Restart the workstation; if it happens again, tell IT support.',
  );
}

function createWebHostApi(token: string | null): CareLedgerApi {
  const listeners = new Set<(event: PushEvent) => void>();
  let source: EventSource | null = null;

  function openEvents(): void {
    if (source !== null || token === null) return;
    source = new EventSource(`${WEB_EVENTS_PATH}?token=${encodeURIComponent(token)}`);
    let everConnected = false;
    source.onopen = () => {
      everConnected = true;
      setTransport('connected');
    };
    // EventSource keeps retrying on its own; once it had a connection, an error means the
    // service went away (stopped, crashed), which the status bar must say.
    source.onerror = () =>
      setTransport(everConnected || source?.readyState === EventSource.CLOSED ? 'disconnected' : 'connecting');
    source.onmessage = (message: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      const parsed = PushEvent.safeParse(data);
      if (!parsed.success) return;
      for (const listener of listeners) listener(parsed.data);
    };
  }

  async function call<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
    return checkResult(channel, await sendCall(channel, request));
  }

  const api: Record<string, unknown> = {
    onEvent(listener: (event: PushEvent) => void): () => void {
      listeners.add(listener);
      openEvents();
      return () => listeners.delete(listener);
    },
  };
  for (const name of CHANNEL_NAMES) {
    api[name] = (request: RequestOf<typeof name>) => call(name, request);
  }
  return api as CareLedgerApi;
}

function createElectronApi(preload: CareLedgerApi): CareLedgerApi {
  const api: Record<string, unknown> = {
    onEvent(listener: (event: PushEvent) => void): () => void {
      setTransport('connected');
      return preload.onEvent((event) => {
        const parsed = PushEvent.safeParse(event);
        if (parsed.success) listener(parsed.data);
      });
    },
  };
  for (const name of CHANNEL_NAMES) {
    api[name] = async (request: RequestOf<typeof name>) => checkResult(name, await sendCall(name, request));
  }
  return api as CareLedgerApi;
}

let transport: TransportStatus = 'connecting';
const transportListeners = new Set<(status: TransportStatus) => void>();

function setTransport(status: TransportStatus): void {
  if (status === transport) return;
  transport = status;
  for (const listener of transportListeners) listener(status);
}

/** The current state of the push channel (for the status bar). */
export function transportStatus(): TransportStatus {
  return transport;
}

/** Subscribe to changes of the push channel's state; returns an unsubscribe function. */
export function onTransportChange(listener: (status: TransportStatus) => void): () => void {
  transportListeners.add(listener);
  return () => transportListeners.delete(listener);
}

/** Which transport this window uses; shown nowhere, useful in bug reports. */
export const transportKind: 'electron' | 'web-host' = bridge ? 'electron' : 'web-host';

/** The typed contract surface. Every call resolves to a `Result`; it never throws. */
export const api: CareLedgerApi = bridge ? createElectronApi(bridge) : createWebHostApi(webHostToken);

/**
 * What the first screen needs, in one call: the first time, the answer to the call the entry
 * sent before the bundle was evaluated (see lib/wire.ts), checked against the contract here;
 * after that, a fresh call.
 */
export async function loadStartState(): Promise<Result<StartState>> {
  const early = takeEarlyStartState();
  if (early === null) return api['workstation.startState']({});
  return checkResult('workstation.startState', await early);
}
