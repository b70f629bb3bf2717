import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture chaincode package (installed by the root postinstall). */
export const assetChaincodeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../ledger/devnet/fixtures/asset-chaincode');
