/**
 * Helpers for the chaincode's devnet tests: a devnet config naming the staff the tests act as,
 * gateway connections per identity, and patient keys that sign real consent JWTs.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { type Gateway, connect, hash, signers } from '@hyperledger/fabric-gateway';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { base58btc } from '../../../tools/wallet/keys';

export const chaincodeDir = fileURLToPath(new URL('../../../ledger/chaincode', import.meta.url));

const identities: Record<string, Array<[string, string]>> = {
  GovernanceMSP: [['gov-admin', 'governance-admin']],
  HospitalAMSP: [
    ['a-admissions', 'admissions'],
    ['a-clinician', 'clinician'],
    ['a-claims', 'claims'],
    ['a-privacy', 'privacy'],
    ['a-credentialing', 'credentialing'],
  ],
  HospitalBMSP: [['b-clinician', 'clinician']],
  InsurerMSP: [['insurer-adjudicator', 'adjudicator']],
  MedicalBoardMSP: [['board-officer', 'board-officer']],
};

/** The careledger chaincode's endorsement policy in the devnet config, which is the deployment guide's. */
export function productionPolicy(): string {
  const config = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../../ledger/devnet/devnet.config.json', import.meta.url)), 'utf8'),
  ) as { chaincodes: Array<{ name: string; endorsementPolicy?: string }> };
  const policy = config.chaincodes.find((c) => c.name === 'careledger')?.endorsementPolicy;
  if (!policy) throw new Error('the devnet config names no endorsement policy for careledger');
  return policy;
}

/** Writes a devnet config running this chaincode with its collections, in a fresh temp folder. */
export function writeDevnetConfig(): { dir: string; dataDir: string; configPath: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'careledger-cc-'));
  const kinds: Record<string, string> = {
    GovernanceMSP: 'governance',
    HospitalAMSP: 'hospital',
    HospitalBMSP: 'hospital',
    InsurerMSP: 'insurer',
    MedicalBoardMSP: 'medical-board',
  };
  const config = {
    channel: 'careledger',
    bundleChaincode: 'careledger',
    orgs: Object.entries(identities).map(([mspId, list]) => ({
      mspId,
      kind: kinds[mspId],
      displayName: mspId,
      identities: list.map(([name, role]) => ({ name, displayName: name, role })),
    })),
    chaincodes: [
      {
        name: 'careledger',
        packageDir: chaincodeDir,
        collectionsConfigPath: path.join(chaincodeDir, 'collections_config.json'),
        // The production policy (the deployment guide's OutOf(2, …), as the devnet's own config):
        // every write is endorsed by two organisations, so a non-deterministic contract fails here.
        endorsementPolicy: productionPolicy(),
      },
    ],
    blockMaxTx: 20,
    blockTimeoutMs: 20,
  };
  const configPath = path.join(dir, 'devnet.config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return { dir, dataDir: path.join(dir, 'data'), configPath };
}

export interface Connection {
  gateway: Gateway;
  close(): void;
}

export function connectAs(bundle: NetworkBundle, name: string): Connection {
  const who = bundle.identities.find((i) => i.name === name);
  if (!who) throw new Error(`no identity ${name} in the devnet bundle`);
  const client = new grpc.Client(
    bundle.endpoint,
    bundle.tlsCaCertificatePem
      ? grpc.credentials.createSsl(Buffer.from(bundle.tlsCaCertificatePem))
      : grpc.credentials.createInsecure(),
    bundle.hostnameOverride ? { 'grpc.ssl_target_name_override': bundle.hostnameOverride } : {},
  );
  const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
  const gateway = connect({
    client,
    identity: { mspId: who.mspId, credentials: Buffer.from(who.certificatePem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(who.privateKeyPem)),
    hash: hash.sha256,
    evaluateOptions: deadline(10_000),
    endorseOptions: deadline(20_000),
    submitOptions: deadline(10_000),
    commitStatusOptions: deadline(30_000),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

export interface Patient {
  did: string;
  kid: string;
  privateKey: KeyObject;
}

/** A patient with an Ed25519 did:key (multicodec 0xed01, base58btc). */
export function newPatient(): Patient {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const multibase = `z${base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;
  return { did: `did:key:${multibase}`, kid: `did:key:${multibase}#${multibase}`, privateKey };
}

export function signJwt(patient: Patient, payload: object): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: patient.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input), patient.privateKey).toString('base64url')}`;
}

export function consentGrant(patient: Patient, grantee: string, categories: string[]): { jwt: string; jti: string } {
  const now = Math.floor(Date.now() / 1000);
  const jti = `urn:uuid:${randomUUID()}`;
  const jwt = signJwt(patient, {
    iss: patient.did,
    sub: patient.did,
    jti,
    iat: now,
    nbf: now - 60,
    exp: now + 86_400,
    vc: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential', 'ConsentGrantCredential'],
      credentialSubject: { id: patient.did, grantee, granteeName: 'Hospital A', purposeOfUse: ['TREAT'], categories },
    },
  });
  return { jwt, jti };
}

export const json = (bytes: Uint8Array): Record<string, unknown> =>
  JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
