/**
 * `npm run devnet` — start a development network; `npm run devnet -- verify` — check the
 * hash chain of the stored blocks; `npm run devnet -- repair` — cut a damaged ledger back to its
 * last good block, explicitly and logged.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type LogLevel, repairDevnet, startDevnet, verifyBlockFile } from './index';

const usage = `Usage:
  npm run devnet -- [--data-dir DIR] [--port N] [--log-level error|warn|info|debug] [--reset] [--no-tls] [--config FILE]
  npm run devnet -- verify [--data-dir DIR]
  npm run devnet -- repair [--data-dir DIR]   (when the devnet refuses to start: STORAGE_CORRUPT or BLOCKS_LOST)

Defaults: --data-dir .data/devnet, --port 7051, --log-level info. Each organisation's own gateway
listens on the ports after --port (organisation i of the config on port + 1 + i). The network bundle
(endpoints, TLS CA, orgs, demo identities) is written to <data-dir>/bundle.json.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: '.data/devnet' },
      port: { type: 'string', default: '7051' },
      'log-level': { type: 'string', default: 'info' },
      reset: { type: 'boolean', default: false },
      'no-tls': { type: 'boolean', default: false },
      config: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const dataDir = path.resolve(values['data-dir']);
  if (positionals[0] === 'verify') {
    const report = verifyBlockFile(path.join(dataDir, 'ledger'));
    if (report.ok) {
      console.log(`OK: ${report.blocks} blocks, hash chain intact (${dataDir}).`);
      return 0;
    }
    console.error(
      `BAD: block ${report.firstBad?.number}: ${report.firstBad?.reason} (${report.blocks} good blocks before it; ${dataDir}).`,
    );
    return 1;
  }
  if (positionals[0] === 'repair' && positionals.length === 1) {
    const report = repairDevnet(dataDir, (line) => console.log(`repair: ${line}`));
    if (report.changed)
      console.log(`A record of this repair was appended to ${path.join(dataDir, 'ledger', 'repair.log')}.`);
    return 0;
  }
  if (positionals.length > 0) {
    console.error(`Unknown command ${positionals.join(' ')}.\n${usage}`);
    return 2;
  }
  const level = values['log-level'] as LogLevel;
  if (!['error', 'warn', 'info', 'debug'].includes(level)) {
    console.error(`Unknown log level ${level}.\n${usage}`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a number 0..65535.\n${usage}`);
    return 2;
  }
  const devnet = await startDevnet({
    dataDir,
    port,
    tls: !values['no-tls'],
    reset: values.reset,
    logLevel: level,
    log: (line) => console.log(line),
    ...(values.config ? { configPath: path.resolve(values.config) } : {}),
  });
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await devnet.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`devnet: ${(err as Error).message}`);
    process.exit(1);
  },
);
