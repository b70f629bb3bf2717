/**
 * A devnet in its own process, for the high-volume sync test and the sync benchmark: the
 * workstation's event loop is then measured without the devnet's work on it, and the two use
 * both cores. Prints `READY <bundle.json path>` once serving; stops cleanly on SIGTERM.
 *
 * argv: <dataDir> <port> <runtime: double | shim> [blockTimeoutMs] [blockMaxTx]
 */
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { createAssetDouble } from './ledger-double';
import { ASSET_CHAINCODE_DIR } from './support';

const [dataDir = '', port = '0', runtime = 'double', blockTimeoutMs = '250', blockMaxTx = '100'] = process.argv.slice(2);
const devnet: RunningDevnet = await startDevnet({
  dataDir,
  port: Number(port),
  reset: true,
  blockTimeoutMs: Number(blockTimeoutMs),
  blockMaxTx: Number(blockMaxTx),
  chaincodes: [{ name: 'asset', packageDir: ASSET_CHAINCODE_DIR }],
  ...(runtime === 'double' ? { runtimeFactory: (c: { name: string }) => createAssetDouble(c.name) } : {}),
});
process.stdout.write(`READY ${devnet.bundlePath}\n`);
process.on('SIGTERM', () => {
  void devnet.stop().finally(() => process.exit(0));
});
