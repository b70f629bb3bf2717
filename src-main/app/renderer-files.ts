/**
 * Which file of the built renderer an app://careledger/... URL may read. Kept free of electron
 * so it is unit-tested (tests/unit/app/renderer-files.test.ts); protocol.ts calls it.
 *
 * Refused, whatever the encoding: anything outside the renderer folder (`..`, `%2e%2e`),
 * encoded separators (`%2f`, `%5c`) and backslashes, NUL, empty or `.` segments, dotfiles and
 * dot-folders (`.env`, `.git/`), symbolic links anywhere on the way (the real path must be
 * exactly the folder plus the requested names), and anything that is not a regular file.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

/** The file served for the bare origin (app://careledger/). */
export const RENDERER_INDEX = 'index.html';

/** The requested names, decoded, or null when the path is not one we serve. */
export function rendererPathSegments(urlPathname: string): string[] | null {
  // Separators must be real ones: an encoded slash or backslash would smuggle a path through
  // a check made on the decoded segments.
  if (/%2f|%5c|\\/i.test(urlPathname)) return null;
  const raw = urlPathname.replace(/^\/+/, '');
  if (raw === '') return [RENDERER_INDEX];
  const segments: string[] = [];
  for (const part of raw.split('/')) {
    let name: string;
    try {
      name = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (name === '' || name.startsWith('.') || name.includes('\0') || name.includes('/') || name.includes('\\')) return null;
    segments.push(name);
  }
  return segments;
}

/**
 * The real path of the file to serve for `urlPathname`, or null (answer 404).
 * @param rendererDir the built renderer folder (out/renderer, or inside app.asar when packaged)
 */
export async function resolveRendererFile(rendererDir: string, urlPathname: string): Promise<string | null> {
  const segments = rendererPathSegments(urlPathname);
  if (!segments) return null;
  try {
    const base = await realpath(rendererDir);
    const expected = path.join(base, ...segments);
    if (!expected.startsWith(base + path.sep)) return null;
    // lstat: a symbolic link as the last name is refused, not followed.
    const info = await lstat(expected);
    if (!info.isFile()) return null;
    // Any link on the way (a linked folder) makes the real path differ from the expected one.
    if ((await realpath(expected)) !== expected) return null;
    return expected;
  } catch {
    return null;
  }
}
