/**
 * A credentialing world for the integration tests and the bench: a real SQLCipher cache with
 * every migration, mirrors filled as the inbox fills them (trust registry with the medical
 * board, the board's revocation and suspension lists, freshness), the issuers' did:web
 * documents offline, and locums' credentials made by the wallet simulator's own functions.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DIDDocument } from 'did-resolver';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { createCredentialing, type CredentialingService } from '../../../src-main/credentialing';
import { FileDidWebCache } from '../../../src-main/identity';
import { queueLedgerWrite } from '../../../src-main/ledger/outbox';
import type { LocumVerification } from '../../../src-shared/credentialing/schemas';
import { createStatusList, encodeStatusList } from '../../../src-shared/identity/status-list';
import { encodeWalletQr } from '../../../src-shared/walletqr';
import { issueCredential, signPresentation, statusEntry } from '../../../tools/wallet/credentials';
import { issuerDidDocuments, makeDemoIssuers, type DemoIssuers } from '../../../tools/wallet/fixtures';
import { newDidKey, type Identifier } from '../../../tools/wallet/keys';
import { openCache } from '../admission/support';

export const OFFICER = { id: 'hospital-a-credentialing', displayName: 'Cora Credentialing', mspId: 'HospitalAMSP' };
export const DAY = 86_400_000;
export const LISTS = { rev: 'board-revocation-1', sus: 'board-suspension-1' };

export interface World {
  dir: string;
  db: CacheDatabase;
  issuers: DemoIssuers;
  service: CredentialingService;
  bits: { rev: Uint8Array; sus: Uint8Array };
  publishBoardLists(): Promise<void>;
  close(): Promise<void>;
}

export async function makeWorld(): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'careledger-cred-'));
  const db = await openCache(dir);
  const issuers = makeDemoIssuers('EdDSA');
  const didWebDir = path.join(dir, 'did-web');
  const didCache = new FileDidWebCache(didWebDir);
  for (const [did, doc] of Object.entries(issuerDidDocuments(issuers))) await didCache.put(did, doc as unknown as DIDDocument);
  const now = new Date().toISOString();
  const bits = { rev: createStatusList(), sus: createStatusList() };
  const publishBoardLists = async (): Promise<void> => {
    await db.write(async (w) => {
      for (const [purpose, listId] of [['revocation', LISTS.rev], ['suspension', LISTS.sus]] as const) {
        const record = { listId, issuerDid: issuers.board.did, statusPurpose: purpose, encodedList: encodeStatusList(purpose === 'revocation' ? bits.rev : bits.sus), updatedAt: new Date().toISOString() };
        await w.run(sql`INSERT OR REPLACE INTO mirror_status_list (list_id, issuer_did, record, block_number, fetched_at) VALUES (${listId}, ${issuers.board.did}, ${JSON.stringify(record)}, 1, ${new Date().toISOString()})`);
      }
    });
  };
  await db.write(async (w) => {
    const trusted = [
      { issuerDid: issuers.identity.did, operatorMspId: 'GovernanceMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2020-01-01T00:00:00.000Z' },
      { issuerDid: issuers.board.did, operatorMspId: 'MedicalBoardMSP', credentialTypes: ['MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential'], validFrom: '2020-01-01T00:00:00.000Z' },
    ];
    for (const t of trusted) await w.run(sql`INSERT OR REPLACE INTO mirror_trusted_issuer (issuer_did, record, block_number) VALUES (${t.issuerDid}, ${JSON.stringify(t)}, 1)`);
    for (const mirror of ['trust-registry', 'status-lists', 'sanctions', 'credential-checks']) {
      await w.run(sql`INSERT OR REPLACE INTO mirror_freshness (mirror, through_block, as_of) VALUES (${mirror}, 1, ${now})`);
    }
  });
  await publishBoardLists();
  const author = { identityId: OFFICER.id, mspId: OFFICER.mspId, certificatePem: '-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n' };
  const service = createCredentialing({
    db,
    ledger: { transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))) },
    dataDir: dir,
    settings: { hospitalDid: DEMO_HOSPITAL_DID, didWebCacheDir: didWebDir },
  });
  return {
    dir,
    db,
    issuers,
    service,
    bits,
    publishBoardLists,
    async close() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let nextIndex = 100;
export interface Locum {
  doctor: Identifier;
  licence: string;
  specialty: string;
  boardCert: string;
  index: number;
}

export function locum(issuers: DemoIssuers, o: { name?: string; npi?: string; specialtyCode?: string; licenceNumber?: string } = {}): Locum {
  const doctor = newDidKey();
  const index = nextIndex++;
  const status = [statusEntry(LISTS.rev, index, 'revocation'), statusEntry(LISTS.sus, index, 'suspension')];
  const name = o.name ?? 'Dr Amal Haddad';
  const licence = issueCredential({
    issuer: issuers.board,
    subjectDid: doctor.did,
    type: 'MedicalLicenseCredential',
    claims: { name, licenseNumber: o.licenceNumber ?? `GMC-${index}`, jurisdiction: 'GB', profession: 'physician', status: 'active', ...(o.npi ? { npi: o.npi } : {}) },
    status,
    validForDays: 400,
  });
  const specialty = issueCredential({
    issuer: issuers.board,
    subjectDid: doctor.did,
    type: 'SpecialtyCredential',
    claims: { name, specialtyCode: o.specialtyCode ?? '394577000', specialtyDisplay: 'Anaesthetics' },
    status: [statusEntry(LISTS.rev, index + 9000, 'revocation'), statusEntry(LISTS.sus, index + 9000, 'suspension')],
    validForDays: 700,
  });
  const boardCert = issueCredential({
    issuer: issuers.board,
    subjectDid: doctor.did,
    type: 'BoardCertificationCredential',
    claims: { name, board: 'Royal College of Anaesthetists', specialtyCode: o.specialtyCode ?? '394577000', specialtyDisplay: 'Anaesthetics', certifiedSince: '2015-06-01', recertifyBy: '2029-06-01' },
    status: [statusEntry(LISTS.rev, index + 5000, 'revocation'), statusEntry(LISTS.sus, index + 5000, 'suspension')],
    validForDays: 700,
  });
  return { doctor, licence, specialty, boardCert, index };
}

/** The locum's wallet code(s): licence and board certification, or all three with `withSpecialty`. */
export function locumCode(l: Locum, withSpecialty = false): string[] {
  const vp = signPresentation({ holder: l.doctor, credentials: withSpecialty ? [l.licence, l.specialty, l.boardCert] : [l.licence, l.boardCert], audience: DEMO_HOSPITAL_DID });
  return encodeWalletQr(vp);
}

export async function scan(w: World, l: Locum, withSpecialty = false): Promise<LocumVerification> {
  const vp = signPresentation({ holder: l.doctor, credentials: withSpecialty ? [l.licence, l.specialty, l.boardCert] : [l.licence, l.boardCert], audience: DEMO_HOSPITAL_DID });
  let result;
  for (const part of encodeWalletQr(vp)) result = await w.service.scan(OFFICER, part, 'scanner');
  if (result?.status !== 'verified') throw new Error('scan did not complete');
  return result.verification;
}

export async function outbox(db: CacheDatabase): Promise<{ seq: number; operation: string; order_key: string; payload: string; state: string }[]> {
  return db.read((r) => r.all(sql`SELECT seq, operation, order_key, payload, state FROM outbox ORDER BY seq`));
}


/** The first chaincode argument of an outbox row's payload. */
export function firstArg(payload: string): string {
  return (JSON.parse(payload) as { args?: string[] }).args?.[0] ?? '';
}
