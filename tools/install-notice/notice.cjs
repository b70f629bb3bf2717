// Tells the person running `npm ci` why the first install sits behind a spinner for minutes:
// @journeyapps/sqlcipher compiles SQLCipher from source (node-gyp) on every fresh install.
//
// Why a dependency and not the root package's `preinstall`: npm 7+ runs the root's
// `preinstall` after every dependency is installed and built, i.e. after the compile. npm runs
// the `preinstall` scripts of all dependencies before any `install` script (SQLCipher's
// build is its `install` script), and `.npmrc` sets `install-links=true` so this `file:`
// package is installed as a package (a symlink would be built last).
//
// npm hides the output of dependency scripts behind its spinner, so the notice goes straight to
// the terminal; without one (CI), to stderr, which npm keeps in its log. Never fails the install.
'use strict';
const fs = require('node:fs');

const notice =
  '\n' +
  'CareLedger: compiling the encrypted database engine (SQLCipher) for this machine next:\n' +
  'about 5-10 minutes the first time, while npm shows only its spinner. Nothing is stuck.\n\n';

let shown = false;
if (process.platform !== 'win32') {
  try {
    const tty = fs.openSync('/dev/tty', 'w');
    fs.writeSync(tty, notice);
    fs.closeSync(tty);
    shown = true;
  } catch {
    // no controlling terminal (CI, a service): fall back to stderr
  }
}
if (!shown) {
  try {
    process.stderr.write(notice);
  } catch {
    // nothing more to do: a notice must never fail the install
  }
}
