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
import type * as ContractModuleType from '../../src-shared/ipc/contract';
import type { CareLedgerApi, ChannelName, PushEvent, ResponseOf } from '../../src-shared/ipc/contract';
import { IpcError, StartState, type Result } from '../../src-shared/ipc/first-screen';
import { WEB_EVENTS_PATH } from '../../src-shared/ipc/transport';
import { bridge, failure, SERVICE_UNREACHABLE, sendCall, takeEarlyStartState, webHostToken } from './wire';

/** Whether the renderer can currently hear the service's pushed events. */
export type TransportStatus = 'connecting' | 'connected' | 'disconnected';

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

type ContractModule = typeof ContractModuleType;
let contractModule: Promise<ContractModule> | null = null;
let markContractWanted: () => void = () => undefined;
const contractWanted = new Promise<void>((resolve) => (markContractWanted = resolve));

/**
 * The whole contract (every channel's schemas), as its own chunk: the first screen needs only
 * the start state's shapes (first-screen.ts), and building every schema cost it 70-120 ms. Loaded
 * by the first call that needs it, or by `preloadContract` shortly after the first screen is up;
 * a failed load (the service stopped) is tried again by the next call.
 */
function loadContract(): Promise<ContractModule> {
  markContractWanted();
  contractModule ??= import('../../src-shared/ipc/contract').catch((error: unknown) => {
    contractModule = null;
    throw error;
  });
  return contractModule;
}

/** Loads the contract's schemas in the background (the entry calls it once the first screen is drawn). */
export function preloadContract(): void {
  void loadContract().catch(() => undefined);
}

/** A refusal as the contract shapes it, heard by `onCallError`'s listeners; null when it is not one. */
function refusalOf(raw: unknown): { ok: false; error: IpcError } | null {
  if (typeof raw !== 'object' || raw === null || (raw as { ok?: unknown }).ok !== false) return null;
  const parsed = IpcError.safeParse((raw as { error?: unknown }).error);
  if (!parsed.success) return null;
  for (const listener of callErrorListeners) listener(parsed.data);
  return { ok: false, error: parsed.data };
}

const NOT_UNDERSTOOD = failure(
  'INTERNAL',
  'The workstation service sent an answer this screen does not understand. Restart the workstation; if it happens again, tell IT support.',
);

function valueOf(raw: unknown): { found: true; value: unknown } | { found: false } {
  if (typeof raw === 'object' && raw !== null && (raw as { ok?: unknown }).ok === true) return { found: true, value: (raw as { value?: unknown }).value };
  return { found: false };
}

/**
 * Checks a response against the contract. The main process is trusted code, but a
 * mismatch here means the two sides were built from different contracts: better a clear
 * error than a screen that silently shows half a record. It costs microseconds, so it
 * stays on in production builds as well as in development and tests.
 */
async function checkResult<C extends ChannelName>(channel: C, raw: unknown): Promise<Result<ResponseOf<C>>> {
  const refusal = refusalOf(raw);
  if (refusal) return refusal;
  const answer = valueOf(raw);
  if (!answer.found) return NOT_UNDERSTOOD;
  let loaded: ContractModule;
  try {
    loaded = await loadContract();
  } catch {
    return failure('UNAVAILABLE', SERVICE_UNREACHABLE);
  }
  const spec = (loaded.contract as Partial<ContractModule['contract']>)[channel];
  if (!spec) return failure('UNKNOWN_CHANNEL', 'This version of the workstation cannot do that yet.');
  const parsed = spec.response.safeParse(answer.value);
  return parsed.success ? { ok: true, value: parsed.data as ResponseOf<C> } : NOT_UNDERSTOOD;
}

/** The start call's answer, checked with the start state's own schema (no need for the whole contract). */
function checkStartState(raw: unknown): Result<StartState> {
  const refusal = refusalOf(raw);
  if (refusal) return refusal;
  const answer = valueOf(raw);
  if (!answer.found) return NOT_UNDERSTOOD;
  const parsed = StartState.safeParse(answer.value);
  return parsed.success ? { ok: true, value: parsed.data } : NOT_UNDERSTOOD;
}

/**
 * Pushed events are checked against the contract too, in the order they came: they wait for the
 * contract's schemas (at most until the background load shortly after the first screen; the start
 * state already brought what the first screen shows).
 */
function createEventChecker(deliver: (event: PushEvent) => void): (data: unknown) => void {
  let queue: Promise<void> = Promise.resolve();
  return (data) => {
    queue = queue
      .then(() => contractWanted)
      .then(loadContract)
      .then((loaded) => {
        const parsed = loaded.PushEvent.safeParse(data);
        if (parsed.success) deliver(parsed.data);
      })
      .catch(() => undefined);
  };
}

/** The typed surface: `onEvent` plus one function per channel name (made on first use). */
function channelApi(onEvent: CareLedgerApi['onEvent'], call: (channel: ChannelName, request: unknown) => Promise<unknown>): CareLedgerApi {
  const functions = new Map<string, (request: unknown) => Promise<unknown>>();
  const target: Record<string, unknown> = { onEvent };
  return new Proxy(target, {
    get(own, name) {
      if (typeof name !== 'string') return undefined;
      if (name in own) return own[name];
      // Channel names are "group.action"; anything else ('then', 'toJSON') is not a channel.
      if (!name.includes('.')) return undefined;
      let fn = functions.get(name);
      if (!fn) {
        fn = (request: unknown) => call(name as ChannelName, request);
        functions.set(name, fn);
      }
      return fn;
    },
  }) as unknown as CareLedgerApi;
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
    const check = createEventChecker((event) => {
      for (const listener of listeners) listener(event);
    });
    source.onmessage = (message: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      check(data);
    };
  }

  async function call(channel: ChannelName, request: unknown): Promise<unknown> {
    return checkResult(channel, await sendCall(channel, request));
  }

  return channelApi((listener: (event: PushEvent) => void): (() => void) => {
    listeners.add(listener);
    openEvents();
    return () => listeners.delete(listener);
  }, call);
}

function createElectronApi(preload: CareLedgerApi): CareLedgerApi {
  return channelApi(
    (listener: (event: PushEvent) => void): (() => void) => {
      setTransport('connected');
      const check = createEventChecker(listener);
      return preload.onEvent((event) => check(event));
    },
    async (channel, request) => checkResult(channel, await sendCall(channel, request)),
  );
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
  return checkStartState(await (early ?? sendCall('workstation.startState', {})));
}
