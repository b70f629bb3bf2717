import type { Gateway } from '@hyperledger/fabric-gateway';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { connectAs } from '../../../tools/wallet/register';

/** A gateway connection as one of the bundle's named identities. */
export function connectAsName(bundle: NetworkBundle, name: string): { gateway: Gateway; close(): void } {
  const who = bundle.identities.find((i) => i.name === name);
  if (!who) throw new Error(`no identity ${name} in the devnet bundle`);
  const { gateway, client } = connectAs(bundle, who);
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
