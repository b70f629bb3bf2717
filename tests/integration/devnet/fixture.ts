import { fileURLToPath } from 'node:url';
import type { ChaincodeConfig } from '../../../ledger/devnet/src/index';

export const assetChaincodeDir = fileURLToPath(
  new URL('../../../ledger/devnet/fixtures/asset-chaincode', import.meta.url),
);
export const collectionsConfigPath = fileURLToPath(new URL('./fixtures/collections_config.json', import.meta.url));

/** The asset test chaincode, run by the real shim runtime. */
export function assetChaincode(name = 'asset', endorsementPolicy?: string): ChaincodeConfig {
  return {
    name,
    packageDir: assetChaincodeDir,
    collectionsConfigPath,
    ...(endorsementPolicy ? { endorsementPolicy } : {}),
  };
}
