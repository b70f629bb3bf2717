import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';

/** A gateway connection as one of the bundle's named identities. */
export function connectAsName(bundle: NetworkBundle, name: string): { gateway: Gateway; close(): void } {
  const who = bundle.identities.find((i) => i.name === name);
  if (!who) throw new Error(`no identity ${name} in the devnet bundle`);
  const client = new grpc.Client(
    bundle.endpoint,
    bundle.tlsCaCertificatePem ? grpc.credentials.createSsl(Buffer.from(bundle.tlsCaCertificatePem)) : grpc.credentials.createInsecure(),
    bundle.hostnameOverride ? { 'grpc.ssl_target_name_override': bundle.hostnameOverride } : {},
  );
  const gateway = connect({
    client,
    identity: { mspId: who.mspId, credentials: Buffer.from(who.certificatePem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(who.privateKeyPem)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
