/**
 * One shared demo workstation for the specs that only sign in and look around. Specs that
 * need a pristine workstation (first run, cache unlock, lockout) start their own.
 *
 * The renderer is rebuilt first when any renderer or shared source is newer than the build,
 * so `npm run test:e2e` never tests a stale page.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { rendererDir, repoRoot, startWebHost } from './support/web-host';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  let built: number;
  try {
    built = statSync(path.join(rendererDir(), 'index.html')).mtimeMs;
  } catch {
    return true;
  }
  const sources = Math.max(
    newestMtime(path.join(repoRoot, 'src-renderer')),
    newestMtime(path.join(repoRoot, 'src-shared')),
  );
  return sources > built;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.CARELEDGER_E2E_RENDERER_DIR === undefined && buildIsStale()) {
    process.stderr.write('e2e: the renderer build is missing or older than its sources; running "npm run build"...\n');
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  }

  const host = await startWebHost({ demo: true });
  // Workers read the shared host from the environment (set before they start).
  process.env.CARELEDGER_E2E_URL = host.url;
  return async () => {
    await host.stop({ removeData: true });
  };
}
