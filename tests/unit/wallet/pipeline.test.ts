/**
 * The simulator's output through the workstation's own verification pipeline
 * (src-main/identity): the wallet CLI's QR code, decoded, must be judged valid with the
 * issuers' trust-registry rows, DID documents and status lists the CLI exports; after a
 * revocation, invalid. This is where a disagreement between the wallet's formats and the
 * verifier's would show.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DIDDocument } from 'did-resolver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdentityVerifier,
  MemoryDidWebCache,
  MemoryReplayStore,
  MemoryStatusListMirror,
  MemoryTrustRegistryMirror,
  type TrustRegistryEntry,
} from '../../../src-main/identity';
import { decodeWalletQr } from '../../../src-shared/walletqr';
import { runWalletCli } from '../../../tools/wallet/commands';
import { DEMO_HOSPITAL_DID } from '../../../tools/wallet/credentials';
import type { ExportedStatusList } from '../../../tools/wallet/store';

let home: string;

async function wallet(...args: string[]): Promise<string> {
  let out = '';
  const code = await runWalletCli([...args, '--home', home, '--json'], { out: (l) => (out += l), err: (l) => (out += l) });
  expect(code, out).toBe(0);
  return out;
}

async function verifierFromExports() {
  const now = new Date().toISOString();
  const registry = JSON.parse(await readFile(path.join(home, 'issuers', 'trust-registry.json'), 'utf8')) as TrustRegistryEntry[];
  const docs = JSON.parse(await readFile(path.join(home, 'did-web', 'did-documents.json'), 'utf8')) as Record<string, DIDDocument>;
  const didWebCache = new MemoryDidWebCache();
  for (const [did, doc] of Object.entries(docs)) await didWebCache.put(did, doc);
  const statusLists = new MemoryStatusListMirror();
  const exported = JSON.parse(await wallet('status-list', '--out', path.join(home, 'lists'))) as { lists: Omit<ExportedStatusList, 'credentialJwt'>[] };
  for (const l of exported.lists) statusLists.set(l.listId, { issuerDid: l.issuerDid, purpose: l.purpose, encodedList: l.encodedList, updatedAt: l.updatedAt, fetchedAt: now });
  return createIdentityVerifier({
    hospitalDid: DEMO_HOSPITAL_DID,
    trustRegistry: new MemoryTrustRegistryMirror(registry, { asOf: now }),
    statusLists,
    replayStore: new MemoryReplayStore(),
    didWebCache,
  });
}

async function presentAndDecode(walletName: string): Promise<string> {
  const r = JSON.parse(await wallet('present', '--wallet', walletName, '--out', path.join(home, 'out', `${walletName}.png`))) as { codes: string[] };
  expect(r.codes).toHaveLength(1);
  return decodeWalletQr(r.codes[0] as string).presentation;
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'careledger-wallet-pipeline-'));
  await wallet('init-issuers');
  await wallet('new-patient', '--name', 'Maria Oliveira', '--birth-date', '1984-03-02', '--gender', 'female', '--national-id', 'NID-1', '--address', '1 Main St;Springfield;SP1 2AB;GB');
  await wallet('consent', '--wallet', 'maria-oliveira', '--purpose', 'TREAT,HPAYMT', '--categories', 'demographics,conditions,medications');
  await wallet('new-doctor', '--name', 'Amal Haddad', '--key', 'p256');
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('wallet output through the verification pipeline', () => {
  it('judges the patient\'s admission code valid, every check passing', async () => {
    const verifier = await verifierFromExports();
    const report = await verifier.verifyPresentation(await presentAndDecode('maria-oliveira'));
    const failing = [...report.checks, ...report.credentials.flatMap((c) => c.checks)].filter((c) => c.result !== 'pass' && c.result !== 'not-applicable');
    expect(failing).toEqual([]);
    expect(report.verdict).toBe('valid');
    expect(report.credentials).toHaveLength(3);
  });

  it('judges the doctor\'s code (did:jwk P-256 holder) valid', async () => {
    const verifier = await verifierFromExports();
    const report = await verifier.verifyPresentation(await presentAndDecode('amal-haddad'));
    expect(report.verdict).toBe('valid');
  });

  it('judges the code invalid once the issuer revokes the identity credential', async () => {
    await wallet('revoke', 'identity', '--wallet', 'maria-oliveira');
    const verifier = await verifierFromExports();
    const report = await verifier.verifyPresentation(await presentAndDecode('maria-oliveira'));
    expect(report.verdict).toBe('invalid');
  });
});
