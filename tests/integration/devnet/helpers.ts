/** Connects the real Fabric Gateway client to a devnet, as an identity from its bundle. */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type Gateway, type Identity, type Signer, connect, hash, signers } from '@hyperledger/fabric-gateway';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';

export function tempDataDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `devnet-${prefix}-`));
}

export interface Connection {
  gateway: Gateway;
  client: grpc.Client;
  identity: Identity;
  signer: Signer;
  close(): void;
}

export function grpcClient(bundle: NetworkBundle): grpc.Client {
  const credentials = bundle.tlsCaCertificatePem
    ? grpc.credentials.createSsl(Buffer.from(bundle.tlsCaCertificatePem))
    : grpc.credentials.createInsecure();
  return new grpc.Client(
    bundle.endpoint,
    credentials,
    bundle.hostnameOverride ? { 'grpc.ssl_target_name_override': bundle.hostnameOverride } : {},
  );
}

export function identityOf(
  bundle: NetworkBundle,
  name: string,
): { identity: Identity; signer: Signer; certificatePem: string; privateKeyPem: string; mspId: string } {
  const who = bundle.identities.find((i) => i.name === name);
  if (!who) throw new Error(`no identity ${name} in the bundle`);
  return {
    identity: { mspId: who.mspId, credentials: Buffer.from(who.certificatePem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(who.privateKeyPem)),
    certificatePem: who.certificatePem,
    privateKeyPem: who.privateKeyPem,
    mspId: who.mspId,
  };
}

export function connectAs(
  bundle: NetworkBundle,
  name: string,
  override?: { identity?: Identity; signer?: Signer },
): Connection {
  const client = grpcClient(bundle);
  const who = identityOf(bundle, name);
  const identity = override?.identity ?? who.identity;
  const signer = override?.signer ?? who.signer;
  const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
  const gateway = connect({
    client,
    identity,
    signer,
    hash: hash.sha256,
    evaluateOptions: deadline(10_000),
    endorseOptions: deadline(15_000),
    submitOptions: deadline(10_000),
    commitStatusOptions: deadline(30_000),
  });
  return {
    gateway,
    client,
    identity,
    signer,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

export const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
