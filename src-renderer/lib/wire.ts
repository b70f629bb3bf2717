/**
 * The raw transport under `lib/api.ts`: one call, sent and answered, without the contract.
 *
 * It is a module of its own, imported first by the entry (`main.tsx`), so that the first
 * screen's one call (`workstation.startState`) leaves while the rest of the bundle (React, zod
 * and every schema of the contract) is still being evaluated, instead of after. Its answer is
 * checked against the contract in `lib/api.ts` like any other; nothing here trusts it.
 *
 * Only `lib/api.ts` (and the entry, for the start call) may use this module: it is the part of
 * the api that touches `window.careledger`, `fetch('/api/...')` and the web host's token.
 */
import type { CareLedgerApi, ChannelName, IpcError } from '../../src-shared/ipc/contract';
import { WEB_CALL_PATH, WEB_TOKEN_FRAGMENT } from '../../src-shared/ipc/transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when served by the web host. */
    careledger?: CareLedgerApi;
  }
}

const TOKEN_KEY = 'careledger.webHostToken';

/** A refusal made on this side of the wire, shaped like the service's own refusals. */
export function failure(code: IpcError['code'], message: string): { ok: false; error: IpcError } {
  return { ok: false, error: { code, message } };
}

export const SERVICE_UNREACHABLE =
  'The workstation service is not responding. Check that CareLedger is still running, then try again.';

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

/** The preload's functions in Electron; null when the web host serves this page. */
export const bridge: CareLedgerApi | null = window.careledger ?? null;

/** The web host's token (null in Electron, or when the page was opened without it). */
export const webHostToken: string | null = bridge ? null : takeWebHostToken();

/**
 * Sends one call and resolves to what came back, unchecked (a Result-shaped object or anything
 * else); a transport failure resolves to a refusal with a sentence. Never throws.
 */
export async function sendCall(channel: ChannelName, request: unknown): Promise<unknown> {
  if (bridge) {
    const fn = bridge[channel] as unknown as ((r: unknown) => Promise<unknown>) | undefined;
    if (typeof fn !== 'function') return failure('UNKNOWN_CHANNEL', 'This version of the workstation cannot do that yet.');
    try {
      return await fn(request);
    } catch {
      return failure('UNAVAILABLE', SERVICE_UNREACHABLE);
    }
  }
  if (webHostToken === null) {
    return failure(
      'FORBIDDEN_SENDER',
      'This page was opened without its access token. Open the address printed by "npm run start:web" again.',
    );
  }
  let response: Response;
  try {
    response = await fetch(`${WEB_CALL_PATH}${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${webHostToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(request ?? {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    return failure('UNAVAILABLE', SERVICE_UNREACHABLE);
  }
  try {
    return (await response.json()) as unknown;
  } catch {
    if (response.status === 401 || response.status === 403) {
      return failure(
        'FORBIDDEN_SENDER',
        'The workstation service did not accept this page. Open the address printed by "npm run start:web" again.',
      );
    }
    return failure('UNAVAILABLE', SERVICE_UNREACHABLE);
  }
}

let earlyStartState: Promise<unknown> | null = null;

/** Sends the first screen's call now (the entry does, before the bundle's schemas are built). */
export function sendStartStateEarly(): void {
  earlyStartState ??= sendCall('workstation.startState', {});
}

/** The early start call's answer, once (later callers send a fresh call). */
export function takeEarlyStartState(): Promise<unknown> | null {
  const early = earlyStartState;
  earlyStartState = null;
  return early;
}
