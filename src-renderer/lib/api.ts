/**
 * The renderer's only way to reach the main-process services.
 *
 * In Electron the sandboxed preload exposes `window.careledger` (one named function per
 * contract channel). Without it, the renderer is being served by the web host
 * (`npm run start:web`) and talks the same contract over HTTP on our own origin:
 * `POST /api/call/<channel>` with a bearer token, and Server-Sent Events on `/api/events`.
 *
 * No other module may touch `window.careledger`, `fetch('/api/...)` or the token.
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
} from '../../src-shared/ipc/contract';
import { WEB_CALL_PATH, WEB_EVENTS_PATH, WEB_TOKEN_FRAGMENT } from '../../src-shared/ipc/transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when served by the web host. */
    careledger?: CareLedgerApi;
  }
}

const TOKEN_KEY = 'careledger.webHostToken';

/** Whether the renderer can currently hear the service's pushed events. */
export type TransportStatus = 'connecting' | 'connected' | 'disconnected';

/**
 * Reads the web host's per-run token from `#token=...` once, keeps it for this tab only
 * (sessionStorage), and removes it from the address bar so it is not bookmarked, shared
 * in a screenshot or sent as a referrer.
 */
function takeWebHostToken(): string | null {
  const fromFragment = new URLSearchParams(window.location.hash.replace(/^#/, '')).get(WEB_TOKEN_FRAGMENT);
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function failure(code: IpcError['code'], message: string): { ok: false; error: IpcError } {
  return { ok: false, error: { code, message } };
}

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

const SERVICE_UNREACHABLE =
  'The workstation service is not responding. Check that CareLedger is still running, then try again.';

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
    if (token === null) {
      return failure(
        'FORBIDDEN_SENDER',
        'This page was opened without its access token. Open the address printed by "npm run start:web" again.',
      );
    }
    let response: Response;
    try {
      response = await fetch(`${WEB_CALL_PATH}${channel}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(request ?? {}),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      return failure('UNAVAILABLE', SERVICE_UNREACHABLE);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      if (response.status === 401 || response.status === 403) {
        return failure(
          'FORBIDDEN_SENDER',
          'The workstation service did not accept this page. Open the address printed by "npm run start:web" again.',
        );
      }
      return failure('UNAVAILABLE', SERVICE_UNREACHABLE);
    }
    return checkResult(channel, body);
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

function createElectronApi(bridge: CareLedgerApi): CareLedgerApi {
  const api: Record<string, unknown> = {
    onEvent(listener: (event: PushEvent) => void): () => void {
      setTransport('connected');
      return bridge.onEvent((event) => {
        const parsed = PushEvent.safeParse(event);
        if (parsed.success) listener(parsed.data);
      });
    },
  };
  for (const name of CHANNEL_NAMES) {
    api[name] = async (request: RequestOf<typeof name>) => {
      const fn = bridge[name] as unknown as ((r: unknown) => Promise<unknown>) | undefined;
      if (typeof fn !== 'function')
        return failure('UNKNOWN_CHANNEL', 'This version of the workstation cannot do that yet.');
      try {
        return checkResult(name, await fn(request));
      } catch {
        return failure('UNAVAILABLE', SERVICE_UNREACHABLE);
      }
    };
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
export const transportKind: 'electron' | 'web-host' = window.careledger ? 'electron' : 'web-host';

/** The typed contract surface. Every call resolves to a `Result`; it never throws. */
export const api: CareLedgerApi = window.careledger
  ? createElectronApi(window.careledger)
  : createWebHostApi(takeWebHostToken());
