// Adds package-lock entries for optional, platform-specific packages (rollup, unrs
// resolver bindings, ...) that npm left out of the lock file.
//
// Why: the registry these machines reach serves only this platform's native packages, so
// `npm install` drops the other platforms' optional packages from package-lock.json, and
// `npm ci` then refuses the lock as out of sync. An entry that names the package's os/cpu
// lets `npm ci` skip it as "unsupported platform" without fetching anything, exactly as it
// would with a lock written where the whole registry is reachable.
//
// Run after any dependency change: `node tools/deps/lock-foreign-platforms.mjs [dir]`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'sunos', 'aix', 'netbsd'];
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32'];

/** os/cpu/libc of a platform package, read from its name; undefined when the name has no platform. */
function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = CPU.find((c) => tokens.includes(c)) ?? (tokens.includes('universal') ? undefined : undefined);
  if (!os || !cpu) return undefined;
  const libc = tokens.includes('musl') || tokens.includes('musleabihf') ? 'musl' : tokens.includes('gnu') || tokens.includes('gnueabihf') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

const dir = path.resolve(process.argv[2] ?? '.');
const lockPath = path.join(dir, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [loc, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    // Where node would find it: nested under the parent, or hoisted to the top.
    const nested = `${loc ? loc + '/' : ''}node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (packages[nested] || packages[top]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) {
      console.warn(`skipped ${dep}@${range}: not an exact version`);
      continue;
    }
    packages[top] = {
      version: range,
      cpu: [platform.cpu],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      optional: true,
      os: [platform.os],
    };
    added++;
  }
}
// Keep npm's own ordering: keys sorted, the root first.
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} foreign-platform entries added`);
