/**
 * The app:// protocol: serves the built renderer instead of file:// (file:// pages share an
 * origin with the whole disk). A privileged, standard, secure scheme gives the page a real
 * origin (app://careledger) that the CSP, the permission handler and the IPC sender check key on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from '../ipc/sender';
import { MIME_TYPES, RENDERER_SECURITY_HEADERS } from '../security/csp';
import { resolveRendererFile } from './renderer-files';

/** Must run before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { ...RENDERER_SECURITY_HEADERS, 'Content-Type': 'text/plain' } });
}

/**
 * Serves regular files of `rendererDir` at app://careledger/…; anything else (other hosts or
 * methods, paths outside the folder however encoded, dotfiles, symbolic links) is 404.
 */
export function handleAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return notFound();
    }
    if (url.host !== APP_HOST || request.method !== 'GET') return notFound();
    const file = await resolveRendererFile(rendererDir, url.pathname);
    if (!file) return notFound();
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: { ...RENDERER_SECURITY_HEADERS, 'Content-Type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' },
      });
    } catch {
      return notFound();
    }
  });
}
