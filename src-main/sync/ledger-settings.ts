/**
 * Where the workstation's ledger settings come from, in order: an explicit connection file
 * (`CARELEDGER_GATEWAY_CONFIG`, see src-main/ledger/connection-file.ts), else the embedded
 * devnet's bundle (`CARELEDGER_DEVNET_BUNDLE`, written by the devnet at start), else none
 * (the status bar shows "not configured" and writes stay queued).
 */
import { readFile } from 'node:fs/promises';
import { signerFromKey, type LedgerSigner } from '../ledger/connection';
import { readConnectionFile, settingsFromDevnetBundle, type ConnectionSettings, type DevnetBundle } from '../ledger/connection-file';

export interface LedgerOptions {
  connectionFile?: string;
  devnetBundleFile?: string;
  /** This workstation's organisation on the devnet; default the bundle's first hospital org. */
  mspId?: string;
}

export function ledgerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerOptions {
  return {
    ...(env.CARELEDGER_GATEWAY_CONFIG ? { connectionFile: env.CARELEDGER_GATEWAY_CONFIG } : {}),
    ...(env.CARELEDGER_DEVNET_BUNDLE ? { devnetBundleFile: env.CARELEDGER_DEVNET_BUNDLE } : {}),
    ...(env.CARELEDGER_MSP_ID ? { mspId: env.CARELEDGER_MSP_ID } : {}),
  };
}

/** @throws DomainError VALIDATION when a configured file is unusable. */
export async function resolveLedgerSettings(options: LedgerOptions): Promise<ConnectionSettings | null> {
  if (options.connectionFile) return readConnectionFile(options.connectionFile);
  if (!options.devnetBundleFile) return null;
  const bundle = JSON.parse(await readFile(options.devnetBundleFile, 'utf8')) as DevnetBundle & { orgs?: Array<{ mspId: string; kind: string }> };
  const mspId = options.mspId ?? bundle.orgs?.find((o) => o.kind === 'hospital')?.mspId ?? bundle.identities[0]?.mspId ?? '';
  return settingsFromDevnetBundle(bundle, { mspId });
}

/** The connection file's fixed identity, when it has one. */
export function fixedSignerOf(settings: ConnectionSettings | null): LedgerSigner[] {
  if (!settings?.identity) return [];
  return [signerFromKey({ identityId: `connection-file:${settings.mspId}`, mspId: settings.mspId, certificatePem: settings.identity.certificatePem }, settings.identity.privateKeyPem)];
}
