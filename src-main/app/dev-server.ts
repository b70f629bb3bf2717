/**
 * `npm run dev` only: electron-vite serves the renderer with hot reload and names it in
 * ELECTRON_RENDERER_URL. Whatever that variable says becomes a trusted origin (IPC, camera),
 * so it is honoured only in a development build (decided when the main process is bundled,
 * not by anything in the environment at run time) and only for a plain-HTTP loopback address.
 * Kept free of electron so it is unit-tested.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The dev server's origin to trust, or null (always null outside development builds). */
export function trustedDevServerOrigin(rendererUrl: string | undefined, developmentBuild: boolean): string | null {
  if (!developmentBuild || !rendererUrl) return null;
  try {
    const url = new URL(rendererUrl);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}
