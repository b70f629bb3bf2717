// Runs after the root install: chaincode packages deploy on their own (a Fabric peer
// installs them from their own package.json), so they keep their own node_modules.
// Skips a package whose node_modules is already newer than its lock file.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packages = ['ledger/chaincode', 'ledger/devnet/fixtures/asset-chaincode'];

for (const rel of packages) {
  const dir = path.join(root, rel);
  if (!existsSync(path.join(dir, 'package.json'))) continue;
  const lock = path.join(dir, 'package-lock.json');
  const installed = path.join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(lock) && existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) continue;
  console.log(`installing chaincode dependencies in ${rel}`);
  execFileSync('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
}
