/**
 * `npm run start:web [-- --port N] [--data-dir DIR] [--demo]`: the real services and the built
 * renderer over HTTP on 127.0.0.1. Prints one line when ready:
 *   CareLedger web host ready: http://127.0.0.1:<port>/#token=<token>
 *
 * Defaults: port 5174 (0 = any free port), data dir `.data/web` (relative to the current
 * folder). `--demo` opens the cache with the demo passphrase and enrols one staff identity per
 * role (PIN 1234), taken from the devnet's network material in `--devnet-dir` (default
 * `.data/devnet`); see src-main/demo/demo-staff.ts.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PIN, prepareDemo } from '../demo/demo-staff';
import { createWorkstation } from '../services';
import { startWebHost } from './host';

export const DEFAULT_WEB_PORT = 5174;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_WEB_PORT) },
      'data-dir': { type: 'string', default: '.data/web' },
      'renderer-dir': { type: 'string', default: path.join(repoRoot, 'out/renderer') },
      demo: { type: 'boolean', default: false },
      'devnet-dir': { type: 'string', default: '.data/devnet' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${values.port}"`);
  const rendererDir = path.resolve(values['renderer-dir']);
  try {
    await access(path.join(rendererDir, 'index.html'));
  } catch {
    throw new Error(`No built renderer in ${rendererDir}. Run "npm run build" first (npm run start:web does it for you).`);
  }

  const workstation = createWorkstation({ dataDir: path.resolve(values['data-dir']), keychain: null, validateResponses: true });
  await workstation.start();
  if (values.demo) {
    const source = await prepareDemo(workstation, { devnetDir: path.resolve(values['devnet-dir']), log: (l) => process.stderr.write(`${l}\n`) });
    process.stderr.write(`Demo mode (${source}): one staff identity per role is enrolled; the PIN of each is ${DEMO_PIN}.\n`);
  }
  const host = await startWebHost({ workstation, rendererDir, port });
  process.stdout.write(`CareLedger web host ready: ${host.url}\n`);

  const stop = (): void => {
    void host
      .close()
      .then(() => workstation.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`CareLedger web host could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
