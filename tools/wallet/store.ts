/**
 * The simulator's files. A "home" folder holds the demo issuers, their status lists, the
 * did:web documents and the wallets:
 *
 *   <home>/issuers/issuers.json                  issuer DIDs and (demo) private keys
 *   <home>/issuers/status-lists/<listId>.json    which indexes are allocated and set
 *   <home>/did-web/<domain>/did.json             did:web documents, as a web server would serve them
 *   <home>/did-web/did-documents.json            the same, one map { did: document } for the offline DID cache
 *   <home>/wallets/<name>/wallet.json            a patient's or doctor's DID, key and profile
 *   <home>/wallets/<name>/credentials/*.json     one file per credential { id, type, issuer, jwt, status }
 */
import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createStatusList, encodeStatusList, MIN_STATUS_LIST_BITS, setStatusBit } from '../../src-shared/identity/status-list';
import { issueCredential, nowSeconds, statusEntry, type CredentialType, type StatusEntry, type StatusPurpose } from './credentials';
import { ISSUER_DOMAINS, ISSUER_NAMES } from './fixtures';
import { decodeJwtPayload, didWebDocument, newDidJwk, newDidKey, newDidWeb, signJwt, type Identifier, type SigningAlg } from './keys';

export type IssuerRole = keyof typeof ISSUER_DOMAINS;
export const ISSUER_ROLES: readonly IssuerRole[] = ['identity', 'insurer', 'board'];

/** Which issuer role issues which credential type. */
export const ISSUER_FOR_TYPE: Record<Exclude<CredentialType, 'ConsentGrantCredential'>, IssuerRole> = {
  PatientIdentityCredential: 'identity',
  InsuranceCoverageCredential: 'insurer',
  MedicalLicenseCredential: 'board',
  SpecialtyCredential: 'board',
  BoardCertificationCredential: 'board',
};

export interface IssuerRecord extends Identifier {
  role: IssuerRole;
  name: string;
  domain: string;
  /** Credential types this issuer should be registered for in the trust registry. */
  credentialTypes: CredentialType[];
  statusLists: Record<StatusPurpose, string>;
}

export interface IssuersFile {
  version: 1;
  issuers: Record<IssuerRole, IssuerRecord>;
}

export interface StatusListState {
  listId: string;
  issuer: string;
  statusPurpose: StatusPurpose;
  bits: number;
  /** Indexes handed out to credentials (random, so an index says nothing about issue order). */
  allocated: number[];
  /** Indexes whose bit is set (revoked or suspended). */
  set: number[];
}

export type WalletKind = 'patient' | 'doctor';

export interface WalletFile extends Identifier {
  version: 1;
  kind: WalletKind;
  name: string;
  profile: Record<string, unknown>;
}

export interface StoredCredential {
  id: string;
  type: CredentialType;
  issuer: string;
  issuedAt: string;
  jwt: string;
  status: StatusEntry[];
}

/** A mistake the person at the keyboard can fix; the CLI prints only the message. */
export class WalletCliError extends Error {
  override readonly name = 'WalletCliError';
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

export function slugOf(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'wallet'
  );
}

// ---------------------------------------------------------------------------------------
// Issuers

const issuersFile = (home: string): string => path.join(home, 'issuers', 'issuers.json');
const statusFile = (home: string, listId: string): string => path.join(home, 'issuers', 'status-lists', `${listId}.json`);

const TYPES_OF: Record<IssuerRole, CredentialType[]> = {
  identity: ['PatientIdentityCredential'],
  insurer: ['InsuranceCoverageCredential'],
  board: ['MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential'],
};

/** Creates the three demo issuers, their status lists and did:web documents. */
export async function initIssuers(home: string, options: { alg?: SigningAlg; force?: boolean } = {}): Promise<IssuersFile> {
  if (existsSync(issuersFile(home)) && !options.force) {
    throw new WalletCliError(`Issuers already exist in ${path.join(home, 'issuers')}. Use --force to replace them (credentials issued so far will no longer verify).`);
  }
  const alg = options.alg ?? 'EdDSA';
  const issuers = {} as Record<IssuerRole, IssuerRecord>;
  for (const role of ISSUER_ROLES) {
    const id = newDidWeb(ISSUER_DOMAINS[role], alg);
    const statusLists = { revocation: `${role}-revocation-1`, suspension: `${role}-suspension-1` };
    issuers[role] = { ...id, role, name: ISSUER_NAMES[role], domain: ISSUER_DOMAINS[role], credentialTypes: TYPES_OF[role], statusLists };
    for (const purpose of ['revocation', 'suspension'] as const) {
      const state: StatusListState = { listId: statusLists[purpose], issuer: id.did, statusPurpose: purpose, bits: MIN_STATUS_LIST_BITS, allocated: [], set: [] };
      await writeJson(statusFile(home, state.listId), state);
    }
  }
  const file: IssuersFile = { version: 1, issuers };
  await writeJson(issuersFile(home), file);
  await writeDidDocuments(home, file);
  return file;
}

export async function loadIssuers(home: string): Promise<IssuersFile> {
  if (!existsSync(issuersFile(home))) {
    throw new WalletCliError(`No issuers in ${home}. Run "npm run wallet -- init-issuers" first (or "npm run wallet -- demo").`);
  }
  return readJson<IssuersFile>(issuersFile(home));
}

/**
 * did:web documents three ways: as a web server would serve them (<domain>/did.json), as one
 * map { did: document }, and in the layout of the workstation's FileDidWebCache (one file per
 * DID named by its URI-encoded DID), so that folder can be used as the offline cache as is.
 * Also the trust registry rows the governance org would register for these issuers.
 */
async function writeDidDocuments(home: string, file: IssuersFile): Promise<void> {
  const all: Record<string, unknown> = {};
  for (const issuer of Object.values(file.issuers)) {
    const doc = didWebDocument(issuer);
    all[issuer.did] = doc;
    await writeJson(path.join(home, 'did-web', issuer.domain, 'did.json'), doc);
    await writeJson(path.join(home, 'did-web', 'cache', `${encodeURIComponent(issuer.did)}.json`), doc);
  }
  await writeJson(path.join(home, 'did-web', 'did-documents.json'), all);
  await writeJson(path.join(home, 'issuers', 'trust-registry.json'), trustRegistryEntries(file));
}

/** The issuers as TrustRegistryEntry rows (src-main/identity/mirrors.ts), for fixtures and `register`. */
export function trustRegistryEntries(file: IssuersFile, validFrom = '2020-01-01T00:00:00.000Z'): { issuerDid: string; operatorMspId: string; credentialTypes: string[]; validFrom: string }[] {
  return Object.values(file.issuers).map((i) => ({ issuerDid: i.did, operatorMspId: OPERATOR_MSP[i.role], credentialTypes: i.credentialTypes, validFrom }));
}

/** Demo MSP IDs of the organisations operating each issuer (data, overridable by `register`). */
export const OPERATOR_MSP: Record<IssuerRole, string> = { identity: 'GovernanceMSP', insurer: 'InsurerMSP', board: 'MedicalBoardMSP' };

async function allocateStatus(home: string, listId: string, purpose: StatusPurpose): Promise<StatusEntry> {
  const state = await readJson<StatusListState>(statusFile(home, listId));
  const taken = new Set(state.allocated);
  if (taken.size >= state.bits) throw new WalletCliError(`Status list ${listId} is full.`);
  let index: number;
  do index = crypto.randomInt(state.bits);
  while (taken.has(index));
  state.allocated.push(index);
  await writeJson(statusFile(home, listId), state);
  return statusEntry(listId, index, purpose);
}

/**
 * Sets or clears a credential's status bit (revoke, suspend, reinstate).
 * @throws WalletCliError when the credential has no entry for that purpose.
 */
export async function setCredentialStatus(home: string, credential: StoredCredential, purpose: StatusPurpose, value: boolean): Promise<StatusListState> {
  const entry = credential.status.find((s) => s.statusPurpose === purpose);
  if (!entry) {
    const has = credential.status.map((s) => s.statusPurpose).join(', ') || 'none';
    throw new WalletCliError(`This ${credential.type} has no ${purpose} status entry (it has: ${has}). Issue it with --status ${purpose} or --status both.`);
  }
  const listId = entry.statusListCredential.replace(/^urn:careledger:statuslist:/, '');
  if (purpose === 'revocation' && !value) throw new WalletCliError('A revocation is final; issue a new credential instead.');
  const state = await readJson<StatusListState>(statusFile(home, listId));
  const index = Number(entry.statusListIndex);
  const set = new Set(state.set);
  if (value) set.add(index);
  else set.delete(index);
  state.set = [...set].sort((a, b) => a - b);
  await writeJson(statusFile(home, listId), state);
  return state;
}

/** Field names follow the workstation's StatusListRecord (src-main/identity/mirrors.ts). */
export interface ExportedStatusList {
  listId: string;
  statusListCredential: string;
  issuerDid: string;
  purpose: StatusPurpose;
  /** GZIP, base64url, multibase 'u' (the shared codec). */
  encodedList: string;
  /** The same list as a BitstringStatusListCredential VC-JWT signed by the issuer. */
  credentialJwt: string;
  updatedAt: string;
}

/** Every issuer's status lists in their published form. */
export async function exportStatusLists(home: string): Promise<ExportedStatusList[]> {
  const issuers = await loadIssuers(home);
  const out: ExportedStatusList[] = [];
  for (const issuer of Object.values(issuers.issuers)) {
    for (const purpose of ['revocation', 'suspension'] as const) {
      const state = await readJson<StatusListState>(statusFile(home, issuer.statusLists[purpose]));
      const bits = createStatusList(state.bits);
      for (const i of state.set) setStatusBit(bits, i, true);
      const encodedList = encodeStatusList(bits);
      const urn = `urn:careledger:statuslist:${state.listId}`;
      const now = nowSeconds();
      const credentialJwt = signJwt(
        {
          iss: issuer.did,
          jti: urn,
          nbf: now,
          iat: now,
          vc: {
            '@context': ['https://www.w3.org/2018/credentials/v1'],
            type: ['VerifiableCredential', 'BitstringStatusListCredential'],
            credentialSubject: { id: `${urn}#list`, type: 'BitstringStatusList', statusPurpose: purpose, encodedList },
          },
        },
        issuer.key,
      );
      out.push({ listId: state.listId, statusListCredential: urn, issuerDid: issuer.did, purpose, encodedList, credentialJwt, updatedAt: new Date(now * 1000).toISOString() });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Wallets

export function walletDir(home: string, nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.includes(path.sep)) return path.resolve(nameOrPath);
  return path.join(home, 'wallets', nameOrPath);
}

export async function createWallet(
  home: string,
  kind: WalletKind,
  name: string,
  profile: Record<string, unknown>,
  keyType: 'ed25519' | 'p256' = 'ed25519',
  slug = slugOf(name),
): Promise<{ dir: string; wallet: WalletFile }> {
  const dir = walletDir(home, slug);
  if (existsSync(path.join(dir, 'wallet.json'))) throw new WalletCliError(`A wallet named "${slug}" already exists in ${dir}. Choose another --name or --slug.`);
  const id = keyType === 'p256' ? newDidJwk('ES256') : newDidKey();
  const wallet: WalletFile = { version: 1, kind, name, profile, ...id };
  await writeJson(path.join(dir, 'wallet.json'), wallet);
  await mkdir(path.join(dir, 'credentials'), { recursive: true });
  return { dir, wallet };
}

export async function loadWallet(dir: string): Promise<WalletFile> {
  const file = path.join(dir, 'wallet.json');
  if (!existsSync(file)) throw new WalletCliError(`No wallet in ${dir}. Create one with "new-patient" or "new-doctor", or check --wallet.`);
  return readJson<WalletFile>(file);
}

export async function listCredentials(dir: string): Promise<StoredCredential[]> {
  const folder = path.join(dir, 'credentials');
  if (!existsSync(folder)) return [];
  const files = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map((f) => readJson<StoredCredential>(path.join(folder, f))));
}

export async function storeCredential(dir: string, jwt: string): Promise<StoredCredential> {
  const payload = decodeJwtPayload(jwt);
  const vc = payload['vc'] as { type: string[]; credentialStatus?: StatusEntry | StatusEntry[] };
  const type = vc.type.find((t) => t !== 'VerifiableCredential') as CredentialType;
  const status = vc.credentialStatus === undefined ? [] : Array.isArray(vc.credentialStatus) ? vc.credentialStatus : [vc.credentialStatus];
  const stored: StoredCredential = {
    id: payload['jti'] as string,
    type,
    issuer: payload['iss'] as string,
    issuedAt: new Date((payload['iat'] as number) * 1000).toISOString(),
    jwt,
    status,
  };
  const stamp = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  await writeJson(path.join(dir, 'credentials', `${stamp}-${type}-${stored.id.slice(-8)}.json`), stored);
  return stored;
}

/**
 * Finds a credential by id (urn:uuid:…, or its last characters) or by type word
 * (identity, coverage, consent, licence, specialty, board-cert: the newest of that type).
 */
export async function findCredential(dir: string, ref: string): Promise<StoredCredential> {
  const all = await listCredentials(dir);
  const type = TYPE_WORDS[ref];
  const matches = type ? all.filter((c) => c.type === type) : all.filter((c) => c.id === ref || c.id.endsWith(ref));
  const found = matches[matches.length - 1];
  if (!found) throw new WalletCliError(`No credential "${ref}" in ${dir}. Run "npm run wallet -- list --wallet …" to see them.`);
  return found;
}

export const TYPE_WORDS: Record<string, CredentialType> = {
  identity: 'PatientIdentityCredential',
  coverage: 'InsuranceCoverageCredential',
  consent: 'ConsentGrantCredential',
  licence: 'MedicalLicenseCredential',
  license: 'MedicalLicenseCredential',
  specialty: 'SpecialtyCredential',
  'board-cert': 'BoardCertificationCredential',
};

export type StatusChoice = 'revocation' | 'suspension' | 'both' | 'none';

/** Issues a credential of an issuer type to a wallet, allocating status list entries. */
export async function issueToWallet(
  home: string,
  dir: string,
  type: Exclude<CredentialType, 'ConsentGrantCredential'>,
  claims: Record<string, unknown>,
  options: { status?: StatusChoice; validForDays?: number; notBefore?: number } = {},
): Promise<StoredCredential> {
  const issuers = await loadIssuers(home);
  const wallet = await loadWallet(dir);
  const issuer = issuers.issuers[ISSUER_FOR_TYPE[type]];
  const choice = options.status ?? 'revocation';
  const purposes: StatusPurpose[] = choice === 'both' ? ['revocation', 'suspension'] : choice === 'none' ? [] : [choice];
  const status: StatusEntry[] = [];
  for (const p of purposes) status.push(await allocateStatus(home, issuer.statusLists[p], p));
  const jwt = issueCredential({
    issuer,
    subjectDid: wallet.did,
    type,
    claims,
    status,
    ...(options.validForDays !== undefined ? { validForDays: options.validForDays } : {}),
    ...(options.notBefore !== undefined ? { notBefore: options.notBefore } : {}),
  });
  return storeCredential(dir, jwt);
}

