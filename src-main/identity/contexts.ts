/**
 * JSON-LD contexts bundled with the app (resources/contexts), served to anything that asks
 * for one, and never fetched: a context from the network could change what a credential
 * means after it was signed. JWT verification does not expand JSON-LD, but the credential
 * format check requires the W3C base context, and any JSON-LD processing (display, export)
 * must go through `offlineDocumentLoader`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the bundled contexts live; the packaged app passes its own resources folder. */
export const DEFAULT_CONTEXTS_DIR = fileURLToPath(new URL('../../resources/contexts/', import.meta.url));

export const BUNDLED_CONTEXT_URLS = [
  'https://www.w3.org/2018/credentials/v1',
  'https://careledger.example/contexts/credentials/v1',
] as const;

export class UnknownContextError extends Error {
  override readonly name = 'UnknownContextError';
  readonly code = 'UNKNOWN_CONTEXT';
  constructor(readonly url: string) {
    super(`The credential uses a vocabulary (${url}) that is not bundled with this workstation, and contexts are never fetched. Ask IT to update the workstation.`);
  }
}

const loaded = new Map<string, Record<string, unknown>>();

function fileFor(url: string): string | undefined {
  // index.json maps each URL to a file in the same folder; only those files are ever read.
  return (readManifest() as Record<string, string | undefined>)[url];
}

let manifest: Record<string, string> | undefined;
let manifestDir = DEFAULT_CONTEXTS_DIR;

function readManifest(): Record<string, string> {
  manifest ??= JSON.parse(readFileSync(path.join(manifestDir, 'index.json'), 'utf8')) as Record<string, string>;
  return manifest;
}

/** Use contexts from another folder (the packaged app's resources). */
export function useContextsDir(dir: string): void {
  manifestDir = dir;
  manifest = undefined;
  loaded.clear();
}

/** The bundled context document for a URL, or undefined when it is not bundled. */
export function bundledContext(url: string): Record<string, unknown> | undefined {
  const hit = loaded.get(url);
  if (hit !== undefined) return hit;
  const file = fileFor(url);
  if (file === undefined || file.includes('/') || file.includes('\\')) return undefined;
  const document = JSON.parse(readFileSync(path.join(manifestDir, file), 'utf8')) as Record<string, unknown>;
  loaded.set(url, document);
  return document;
}

/**
 * A JSON-LD document loader that answers from the bundle only.
 * @throws UnknownContextError for any URL not bundled.
 */
export function offlineDocumentLoader(url: string): Promise<{ contextUrl: null; documentUrl: string; document: Record<string, unknown> }> {
  const document = bundledContext(url);
  if (document === undefined) return Promise.reject(new UnknownContextError(url));
  return Promise.resolve({ contextUrl: null, documentUrl: url, document });
}
