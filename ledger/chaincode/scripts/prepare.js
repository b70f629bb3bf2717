// Runs on `npm ci` / `npm install` in this folder. In development (typescript installed) it
// compiles src to dist, so the devnet and `npm start` find `main`. On a Fabric peer the
// package is installed with --production from a package that already contains dist/, and
// typescript is absent: then there is nothing to do.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  tsc = undefined;
}
if (tsc) {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
} else if (!existsSync(path.join(root, 'dist', 'src', 'index.js'))) {
  console.error('careledger-chaincode: dist/ is missing and typescript is not installed; build the package (npm ci && npm run build) before packaging it.');
  process.exit(1);
}
