/**
 * The wallet and issuer simulator's commands, callable in-process (tests, benchmarks) or from
 * `npm run wallet -- <command> …` (tools/wallet/cli.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import QRCode from 'qrcode';
import { PURPOSES_OF_USE, RECORD_CATEGORIES } from '../../src-shared/identity/credential-subjects';
import { encodeWalletQr, V30_M_ALPHANUMERIC_CHARS } from '../../src-shared/walletqr';
import { DEMO_HOSPITAL_DID, DEMO_HOSPITAL_NAME, issueConsentGrant, signConsentRevocation, signPresentation, type CredentialType } from './credentials';
import type { Identifier } from './keys';
import { postConsentAction } from './gatekeeper';
import { qrVersionOf, writeQrPng, writeY4m } from './qr-image';
import { publishStatusLists, readBundle, registerOnLedger } from './register';
import {
  createWallet,
  exportStatusLists,
  findCredential,
  initIssuers,
  issueToWallet,
  listCredentials,
  loadIssuers,
  loadWallet,
  OPERATOR_MSP,
  setCredentialStatus,
  slugOf,
  storeCredential,
  TYPE_WORDS,
  WalletCliError,
  walletDir,
  type StatusChoice,
} from './store';

export const HELP = `CareLedger wallet and issuer simulator

Make demo issuers, patient and doctor wallets, credentials, consent grants and the QR codes
their wallets show at the hospital desk. Everything is written under a home folder
(--home, default ./.data/wallet, which git ignores).

Quick start (a patient and a doctor with their QR codes, in one go):
  npm run wallet -- demo
  -> prints where the QR PNGs and fake-camera videos are written

Step by step:
  npm run wallet -- init-issuers                        identity authority, insurer, medical board
  npm run wallet -- new-patient --name "Maria Oliveira" --birth-date 1984-03-02
                                                        patient wallet + identity + coverage credentials
  npm run wallet -- consent --wallet maria-oliveira --purpose TREAT,HPAYMT \\
                      --categories demographics,conditions,medications
  npm run wallet -- present --wallet maria-oliveira --out maria.png --video maria.y4m
  npm run wallet -- new-doctor --name "Amal Haddad"      doctor wallet + licence, specialty, board cert
  npm run wallet -- present --wallet amal-haddad --out amal.png

Commands:
  demo                       issuers (if missing), a patient and a doctor, their QR codes and videos
  init-issuers [--alg EdDSA|ES256] [--force]
                             did:web issuers with keys, status lists, did.json documents
                             (<home>/did-web/did-documents.json is what the workstation's DID cache imports)
  new-patient --name N --birth-date YYYY-MM-DD [--gender female|male|other|unknown]
              [--national-id X] [--address "line;city;postal code;country"] [--key ed25519|p256]
              [--bare]        (--bare: no identity/coverage credentials)
  new-doctor --name N [--license-number X] [--jurisdiction X] [--npi 10-digits] [--profession P] [--specialty-code C]
              [--specialty-display D] [--board B] [--key ed25519|p256] [--bare]
  issue identity|coverage|licence|specialty|board-cert --wallet W [--status revocation|suspension|both|none]
              [--days N] [--not-before YYYY-MM-DD]
              (default status: revocation for identity/coverage, both for doctors' credentials)
              [claim options as for new-patient/new-doctor,
              --member-id, --plan, --group, --coverage-start, --coverage-end]
  consent --wallet W [--grantee did:web:…] [--grantee-name N] --purpose TREAT,ETREAT,HPAYMT,HOPERAT,HRESCH
              --categories demographics,encounters,conditions,medications,allergies,observations,
                           procedures,immunizations,documents,imaging [--days N]
                             a ConsentGrantCredential signed by the patient's own DID
  revoke-consent --wallet W [--consent ID] [--gatekeeper URL]
                             a ConsentRevocation JWT signed by the patient; with --gatekeeper, posted
                             to that hospital's record gatekeeper, which records it on the ledger
  grant --wallet W --gatekeeper URL [--consent ID]
                             posts the patient's consent (the newest, or ID) to a hospital's gatekeeper
  revoke consent --wallet W --gatekeeper URL [--consent ID]   (same as revoke-consent --gatekeeper)
  revoke <credential> --wallet W                set the credential's revocation bit (final)
  suspend <credential> --wallet W               set its suspension bit
  reinstate <credential> --wallet W             clear its suspension bit
              <credential> is a type word (identity, coverage, licence, …: the newest one) or its id
  list --wallet W                               the wallet's DID and credentials
  present --wallet W [--audience did:web:…] [--nonce X] [--credentials identity,coverage,consent]
              [--out qr.png] [--video qr.y4m] [--max-code-chars N] [--terminal]
                             a presentation (VP-JWT, valid 5 minutes) and its wallet QR code(s);
                             a bundle too big for one code becomes qr-1.png, qr-2.png, …
  status-list [--out DIR]    every issuer's status lists (encodedList + signed list credential)
  register --bundle FILE     on the ledger (devnet: <data-dir>/bundle.json), as governance: initialise
                             the ledger if new, register the insurer and board orgs, trust each issuer
                             for its credential types; then publish the status lists
  publish-status --bundle FILE   publish the status lists again (after revoke/suspend/reinstate)

Global options: --home DIR (default ./.data/wallet), --json (machine-readable output)
The demo hospital is ${DEMO_HOSPITAL_DID}.
`;

type Opts = Record<string, string | true>;

const FLAGS = new Set(['force', 'bare', 'json', 'terminal', 'help']);

function parse(argv: string[]): { positionals: string[]; opts: Opts } {
  const positionals: string[] = [];
  const opts: Opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-h') opts['help'] = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) opts[a.slice(2, eq)] = a.slice(eq + 1);
      else {
        const key = a.slice(2);
        const next = argv[i + 1];
        if (FLAGS.has(key) || next === undefined || next.startsWith('--')) opts[key] = true;
        else {
          opts[key] = next;
          i++;
        }
      }
    } else positionals.push(a);
  }
  return { positionals, opts };
}

function str(opts: Opts, key: string, fallback?: string): string {
  const v = opts[key];
  if (typeof v === 'string') return v;
  if (fallback !== undefined) return fallback;
  throw new WalletCliError(`Missing --${key}. Run "npm run wallet -- --help" for the options.`);
}

function optional(opts: Opts, key: string): string | undefined {
  const v = opts[key];
  return typeof v === 'string' ? v : undefined;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Checks every item against the agreed code list (src-shared/identity), without duplicates. */
function oneOfEach(items: string[], allowed: readonly string[], what: string): string[] {
  const bad = items.filter((i) => !allowed.includes(i));
  if (bad.length > 0 || items.length === 0) throw new WalletCliError(`${what} takes one or more of ${allowed.join(', ')} (got "${bad.join(', ') || 'nothing'}").`);
  return [...new Set(items)];
}

function date(value: string, what: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new WalletCliError(`${what} must be a date like 1984-03-02 (got "${value}").`);
  return value;
}

function isoToday(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: CliIo = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };

/** Runs one command; returns the process exit code. Never throws for user mistakes. */
export async function runWalletCli(argv: string[], io: CliIo = defaultIo, cwd = process.cwd()): Promise<number> {
  const { positionals, opts } = parse(argv);
  const command = positionals[0];
  if (!command || opts['help'] || command === 'help') {
    io.out(HELP);
    return 0;
  }
  const home = path.resolve(cwd, optional(opts, 'home') ?? process.env['CARELEDGER_WALLET_HOME'] ?? path.join('.data', 'wallet'));
  const json = opts['json'] === true;
  const report = (human: string, data: unknown): void => io.out(json ? JSON.stringify(data, null, 2) : human);
  try {
    switch (command) {
      case 'init-issuers': {
        const alg = str(opts, 'alg', 'EdDSA');
        if (alg !== 'EdDSA' && alg !== 'ES256') throw new WalletCliError('--alg must be EdDSA or ES256.');
        const file = await initIssuers(home, { alg, force: opts['force'] === true });
        const rows = Object.values(file.issuers).map((i) => `  ${i.name.padEnd(28)} ${i.did}  (${i.credentialTypes.join(', ')})`);
        report(`Issuers created in ${path.join(home, 'issuers')}:\n${rows.join('\n')}\nDID documents: ${path.join(home, 'did-web', 'did-documents.json')}`, {
          issuers: Object.values(file.issuers).map((i) => ({ role: i.role, did: i.did, name: i.name, credentialTypes: i.credentialTypes, statusLists: i.statusLists })),
          didDocuments: path.join(home, 'did-web', 'did-documents.json'),
        });
        return 0;
      }
      case 'new-patient':
        return await newPatient(home, opts, report);
      case 'new-doctor':
        return await newDoctor(home, opts, report);
      case 'issue': {
        const word = positionals[1] ?? '';
        const type = TYPE_WORDS[word];
        if (!type || type === 'ConsentGrantCredential') {
          throw new WalletCliError('Say what to issue: identity, coverage, licence, specialty or board-cert (a consent is made with "consent").');
        }
        const dir = walletDir(home, str(opts, 'wallet'));
        const wallet = await loadWallet(dir);
        const stored = await issueFromOptions(home, dir, type, claimsFor(type, opts, wallet.name, wallet.profile), opts);
        report(`Issued ${stored.type} ${stored.id} to ${wallet.name}`, stored);
        return 0;
      }
      case 'consent': {
        const dir = walletDir(home, str(opts, 'wallet'));
        const wallet = await loadWallet(dir);
        if (wallet.kind !== 'patient') throw new WalletCliError('Only a patient wallet gives consent.');
        const grantee = str(opts, 'grantee', DEMO_HOSPITAL_DID);
        if (!/^did:web:[A-Za-z0-9._:%-]+$/.test(grantee)) throw new WalletCliError(`--grantee must be a hospital's did:web (got "${grantee}").`);
        const purposeOfUse = oneOfEach(list(str(opts, 'purpose', 'TREAT')), PURPOSES_OF_USE, '--purpose');
        const categories = oneOfEach(list(str(opts, 'categories', 'demographics,encounters,conditions,medications,allergies')), RECORD_CATEGORIES, '--categories');
        const days = Number(str(opts, 'days', '90'));
        if (!Number.isInteger(days) || days < 1 || days > 3650) throw new WalletCliError('--days must be a whole number of days between 1 and 3650.');
        const jwt = issueConsentGrant({ patient: wallet, grantee, granteeName: str(opts, 'grantee-name', DEMO_HOSPITAL_NAME), purposeOfUse, categories, validForDays: days });
        const stored = await storeCredential(dir, jwt);
        report(`Consent ${stored.id} signed by ${wallet.name} (${wallet.did})`, stored);
        return 0;
      }
      case 'revoke-consent': {
        const dir = walletDir(home, str(opts, 'wallet'));
        const wallet = await loadWallet(dir);
        const consentId = optional(opts, 'consent') ?? (await findCredential(dir, 'consent')).id;
        const jwt = signConsentRevocation(wallet, consentId);
        const file = path.join(dir, 'consent-revocations', `${consentId.slice(-8)}.jwt`);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, jwt + '\n');
        report(`Consent ${consentId} revoked by the patient; revocation JWT written to ${file}\n${jwt}`, { consentId, jwt, file });
        const gatekeeper = optional(opts, 'gatekeeper');
        if (gatekeeper === undefined) return 0;
        const answer = await postConsentAction(gatekeeper, 'revoke', jwt);
        if (answer.ok) io.out(answer.message);
        else io.err(answer.message);
        return answer.ok ? 0 : 1;
      }
      case 'grant': {
        // `grant` posts a consent the wallet already signed (`consent`) to a hospital's gatekeeper.
        const dir = walletDir(home, str(opts, 'wallet'));
        const id = optional(opts, 'consent');
        const credential = await findCredential(dir, id ?? 'consent');
        const answer = await postConsentAction(str(opts, 'gatekeeper'), 'grant', credential.jwt);
        if (answer.ok) io.out(answer.message);
        else io.err(answer.message);
        return answer.ok ? 0 : 1;
      }
      case 'revoke':
      case 'suspend':
      case 'reinstate': {
        const ref = positionals[1];
        if (!ref) throw new WalletCliError(`Say which credential to ${command}: a type word (identity, coverage, licence, …) or its id.`);
        // `revoke consent --gatekeeper URL`: the patient revokes a consent from home (a signed revocation, posted).
        if (command === 'revoke' && ref === 'consent' && optional(opts, 'gatekeeper') !== undefined) return runWalletCli(['revoke-consent', ...argv.filter((a) => a !== 'revoke' && a !== 'consent')], io, cwd);
        const dir = walletDir(home, str(opts, 'wallet'));
        const credential = await findCredential(dir, ref);
        const purpose = command === 'revoke' ? 'revocation' : 'suspension';
        const state = await setCredentialStatus(home, credential, purpose, command !== 'reinstate');
        report(
          `${credential.type} ${credential.id}: ${command === 'reinstate' ? 'reinstated' : command === 'revoke' ? 'revoked' : 'suspended'} in status list ${state.listId}. Run "status-list" to export the updated lists.`,
          { credential: credential.id, listId: state.listId, set: command !== 'reinstate' },
        );
        return 0;
      }
      case 'list': {
        const dir = walletDir(home, str(opts, 'wallet'));
        const wallet = await loadWallet(dir);
        const creds = await listCredentials(dir);
        const rows = creds.map((c) => `  ${c.type.padEnd(30)} ${c.id}  from ${c.issuer}`);
        report(`${wallet.name} (${wallet.kind})\n  DID ${wallet.did}\n${rows.join('\n') || '  no credentials'}`, {
          name: wallet.name,
          kind: wallet.kind,
          did: wallet.did,
          credentials: creds.map(({ jwt: _jwt, ...c }) => c),
        });
        return 0;
      }
      case 'present':
        return await present(home, opts, report, io);
      case 'status-list': {
        const lists = await exportStatusLists(home);
        const outDir = path.resolve(cwd, str(opts, 'out', path.join(home, 'status-lists')));
        await mkdir(outDir, { recursive: true });
        for (const l of lists) await writeFile(path.join(outDir, `${l.listId}.json`), JSON.stringify(l, null, 2) + '\n');
        report(`${lists.length} status lists written to ${outDir}`, { outDir, lists: lists.map(({ credentialJwt: _c, ...l }) => l) });
        return 0;
      }
      case 'register': {
        const bundle = path.resolve(cwd, str(opts, 'bundle'));
        const outcome = await registerOnLedger(home, bundle, json ? () => undefined : (l) => io.out(`  ${l}`));
        const skipped = outcome.statusLists.filter((l) => l.outcome === 'skipped');
        report(
          `Issuers registered on the ledger (${bundle}).` +
            (skipped.length > 0 ? `
Not published: ${skipped.map((l) => l.listId).join(', ')}: ${skipped[0]?.reason ?? ''}.` : ''),
          outcome,
        );
        return 0;
      }
      case 'publish-status': {
        const bundlePath = path.resolve(cwd, str(opts, 'bundle'));
        const bundle = await readBundle(bundlePath);
        const governance = bundle.identities.find((i) => i.role === 'governance-admin');
        const lists = await publishStatusLists(home, bundle, (role) => (role === 'identity' ? (governance?.mspId ?? OPERATOR_MSP.identity) : OPERATOR_MSP[role]), json ? () => undefined : (l) => io.out(`  ${l}`));
        report(`Status lists sent to the ledger (${bundlePath}).`, { statusLists: lists });
        return 0;
      }
      case 'demo':
        return await demo(home, opts, report, io);
      default:
        throw new WalletCliError(`Unknown command "${command}". Run "npm run wallet -- --help".`);
    }
  } catch (err) {
    if (err instanceof WalletCliError) {
      io.err(`wallet: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

type Report = (human: string, data: unknown) => void;

function claimsFor(type: Exclude<CredentialType, 'ConsentGrantCredential'>, opts: Opts, name: string, profile: Record<string, unknown>): Record<string, unknown> {
  const p = (k: string): string | undefined => optional(opts, k) ?? (typeof profile[k] === 'string' ? profile[k] : undefined);
  switch (type) {
    case 'PatientIdentityCredential': {
      const [givenName, ...rest] = name.split(/\s+/);
      const claims: Record<string, unknown> = {
        givenName: p('given-name') ?? givenName,
        familyName: p('family-name') ?? (rest.join(' ') || givenName),
        birthDate: date(p('birth-date') ?? '', '--birth-date'),
        gender: p('gender') ?? 'unknown',
      };
      const nid = p('national-id');
      if (nid) claims['nationalId'] = nid;
      const address = p('address');
      if (address) {
        const [line, city, postalCode, country] = address.split(';').map((s) => s.trim());
        if (!line || !city || !postalCode || !country) throw new WalletCliError('--address must be "line;city;postal code;country".');
        claims['address'] = { line, city, postalCode, country };
      }
      return claims;
    }
    case 'InsuranceCoverageCredential':
      return {
        insurerName: 'Northwind Health Insurance',
        insurerDid: 'did:web:insurer.careledger.example',
        memberId: p('member-id') ?? `NWH-${Math.floor(1e6 + Math.random() * 9e6)}`,
        planName: p('plan') ?? 'Northwind Family Care Plus',
        ...(p('group') ? { groupNumber: p('group') } : {}),
        coverageStart: date(p('coverage-start') ?? `${isoToday().slice(0, 4)}-01-01`, '--coverage-start'),
        coverageEnd: date(p('coverage-end') ?? `${isoToday().slice(0, 4)}-12-31`, '--coverage-end'),
      };
    case 'MedicalLicenseCredential':
      return {
        name,
        licenseNumber: p('license-number') ?? `MD-${Math.floor(1e5 + Math.random() * 9e5)}`,
        jurisdiction: p('jurisdiction') ?? 'GB',
        ...(p('license-class') ? { licenseClass: p('license-class') } : { licenseClass: 'Full registration' }),
        profession: p('profession') ?? 'physician',
        status: 'active',
        ...(p('npi') ? { npi: p('npi') } : {}),
      };
    case 'SpecialtyCredential':
      return { name, specialtyCode: p('specialty-code') ?? '394579002', specialtyDisplay: p('specialty-display') ?? 'Cardiology' };
    case 'BoardCertificationCredential':
      return {
        name,
        board: p('board') ?? 'Royal College of Physicians',
        specialtyCode: p('specialty-code') ?? '394579002',
        specialtyDisplay: p('specialty-display') ?? 'Cardiology',
        certifiedSince: date(p('certified-since') ?? '2015-06-01', '--certified-since'),
        recertifyBy: date(p('recertify-by') ?? `${Number(isoToday().slice(0, 4)) + 3}-06-01`, '--recertify-by'),
      };
  }
}

async function issueFromOptions(home: string, dir: string, type: Exclude<CredentialType, 'ConsentGrantCredential'>, claims: Record<string, unknown>, opts: Opts) {
  // Doctors' credentials can be suspended by the board; a patient's identity and coverage
  // only revoked, which also keeps the admission QR code small.
  const fallback = type === 'PatientIdentityCredential' || type === 'InsuranceCoverageCredential' ? 'revocation' : 'both';
  const status = str(opts, 'status', fallback) as StatusChoice;
  if (!['revocation', 'suspension', 'both', 'none'].includes(status)) throw new WalletCliError('--status must be revocation, suspension, both or none.');
  const notBefore = optional(opts, 'not-before');
  return issueToWallet(home, dir, type, claims, {
    status,
    ...(optional(opts, 'days') ? { validForDays: Number(optional(opts, 'days')) } : {}),
    ...(notBefore ? { notBefore: Math.floor(Date.parse(date(notBefore, '--not-before')) / 1000) } : {}),
  });
}

async function ensureIssuers(home: string): Promise<void> {
  try {
    await loadIssuers(home);
  } catch {
    await initIssuers(home);
  }
}

async function newPatient(home: string, opts: Opts, report: Report): Promise<number> {
  const name = str(opts, 'name');
  const birthDate = date(str(opts, 'birth-date'), '--birth-date');
  const gender = str(opts, 'gender', 'unknown');
  if (!['female', 'male', 'other', 'unknown'].includes(gender)) throw new WalletCliError('--gender must be female, male, other or unknown.');
  const profile: Record<string, unknown> = { 'birth-date': birthDate, gender };
  for (const k of ['national-id', 'address', 'given-name', 'family-name']) if (optional(opts, k)) profile[k] = optional(opts, k);
  const keyType = str(opts, 'key', 'ed25519');
  if (keyType !== 'ed25519' && keyType !== 'p256') throw new WalletCliError('--key must be ed25519 (did:key) or p256 (did:jwk).');
  if (opts['bare'] !== true) await loadIssuers(home);
  const { dir, wallet } = await createWallet(home, 'patient', name, profile, keyType, optional(opts, 'slug'));
  const issued = [];
  if (opts['bare'] !== true) {
    issued.push(await issueFromOptions(home, dir, 'PatientIdentityCredential', claimsFor('PatientIdentityCredential', opts, name, profile), opts));
    issued.push(await issueFromOptions(home, dir, 'InsuranceCoverageCredential', claimsFor('InsuranceCoverageCredential', opts, name, profile), opts));
  }
  report(
    `Patient wallet ${dir}\n  DID ${wallet.did}\n${issued.map((c) => `  ${c.type} ${c.id}`).join('\n')}\nNext: "consent --wallet ${path.basename(dir)} …" then "present --wallet ${path.basename(dir)} --out qr.png"`,
    { dir, did: wallet.did, credentials: issued.map((c) => ({ id: c.id, type: c.type })) },
  );
  return 0;
}

async function newDoctor(home: string, opts: Opts, report: Report): Promise<number> {
  const name = str(opts, 'name');
  const keyType = str(opts, 'key', 'ed25519');
  if (keyType !== 'ed25519' && keyType !== 'p256') throw new WalletCliError('--key must be ed25519 (did:key) or p256 (did:jwk).');
  if (opts['bare'] !== true) await loadIssuers(home);
  const { dir, wallet } = await createWallet(home, 'doctor', name, {}, keyType, optional(opts, 'slug'));
  const issued = [];
  if (opts['bare'] !== true) {
    for (const type of ['MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential'] as const) {
      issued.push(await issueFromOptions(home, dir, type, claimsFor(type, opts, name, {}), opts));
    }
  }
  report(
    `Doctor wallet ${dir}\n  DID ${wallet.did}\n${issued.map((c) => `  ${c.type} ${c.id}`).join('\n')}\nNext: "present --wallet ${path.basename(dir)} --out qr.png"`,
    { dir, did: wallet.did, credentials: issued.map((c) => ({ id: c.id, type: c.type })) },
  );
  return 0;
}

const PATIENT_DEFAULT = ['identity', 'coverage', 'consent'];
const DOCTOR_DEFAULT = ['licence', 'specialty', 'board-cert'];

export interface PresentResult {
  presentation: string;
  codes: string[];
  qrVersions: number[];
  pngFiles: string[];
  videoFile?: string;
  jwtFile: string;
}

async function present(home: string, opts: Opts, report: Report, io: CliIo): Promise<number> {
  const dir = walletDir(home, str(opts, 'wallet'));
  const wallet = await loadWallet(dir);
  const result = await presentWallet(dir, wallet, {
    audience: str(opts, 'audience', DEMO_HOSPITAL_DID),
    nonce: optional(opts, 'nonce'),
    credentials: optional(opts, 'credentials') ? list(str(opts, 'credentials')) : undefined,
    out: path.resolve(str(opts, 'out', path.join(dir, 'presentations', 'qr.png'))),
    video: optional(opts, 'video') ? path.resolve(str(opts, 'video')) : undefined,
    maxCodeChars: Number(str(opts, 'max-code-chars', String(V30_M_ALPHANUMERIC_CHARS))),
  });
  if (opts['terminal'] === true) for (const c of result.codes) io.out(await QRCode.toString(c, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }));
  report(
    `Presentation by ${wallet.name} for ${str(opts, 'audience', DEMO_HOSPITAL_DID)} (valid 5 minutes)\n` +
      `  ${result.codes.length === 1 ? 'one QR code' : `${result.codes.length} QR codes (multi-part)`}, version ${result.qrVersions.join(', ')} at error correction M, ${result.codes.map((c) => c.length).join(' + ')} characters\n` +
      `  PNG: ${result.pngFiles.join(', ')}\n  JWT: ${result.jwtFile}` +
      (result.videoFile ? `\n  fake camera: chromium --use-fake-device-for-media-stream --use-file-for-fake-video-capture=${result.videoFile}` : ''),
    result,
  );
  return 0;
}

/** Signs a presentation of the wallet's credentials and writes its QR PNG(s) (and video). */
export async function presentWallet(
  dir: string,
  wallet: Identifier & { kind: string },
  options: { audience?: string; nonce?: string | undefined; credentials?: string[] | undefined; out: string; video?: string | undefined; maxCodeChars?: number },
): Promise<PresentResult> {
  const words = options.credentials ?? (wallet.kind === 'doctor' ? DOCTOR_DEFAULT : PATIENT_DEFAULT);
  const all = await listCredentials(dir);
  const chosen: string[] = [];
  for (const w of words) {
    const type = TYPE_WORDS[w];
    const found = type ? all.filter((c) => c.type === type).pop() : all.find((c) => c.id === w || c.id.endsWith(w));
    // Default bundles skip what the wallet does not hold (a patient without consent yet).
    if (found) chosen.push(found.jwt);
    else if (options.credentials) throw new WalletCliError(`The wallet holds no "${w}" credential.`);
  }
  if (chosen.length === 0) throw new WalletCliError('The wallet holds none of the credentials to present. Issue some first.');
  // The desk refuses a presentation that names no hospital (docs/formats/credentials.md), so the
  // simulator never makes one: an empty --audience is a mistake, not a way to leave it out.
  const audience = options.audience ?? DEMO_HOSPITAL_DID;
  if (!audience.startsWith('did:')) {
    throw new WalletCliError(`--audience must be the DID of the hospital the code is for (for example ${DEMO_HOSPITAL_DID}), not "${audience}": a code without one is refused at the desk.`);
  }
  const presentation = signPresentation({
    holder: wallet,
    credentials: chosen,
    audience,
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
  const codes = encodeWalletQr(presentation, { maxCodeChars: options.maxCodeChars ?? V30_M_ALPHANUMERIC_CHARS });
  await mkdir(path.dirname(options.out), { recursive: true });
  const pngFiles = codes.length === 1 ? [options.out] : codes.map((_, i) => options.out.replace(/(\.png)?$/i, `-${i + 1}.png`));
  for (const [i, c] of codes.entries()) await writeQrPng(c, pngFiles[i] as string);
  const jwtFile = options.out.replace(/(\.png)?$/i, '.jwt');
  await writeFile(jwtFile, presentation + '\n');
  await writeFile(options.out.replace(/(\.png)?$/i, '.txt'), codes.join('\n') + '\n');
  if (options.video) {
    await mkdir(path.dirname(options.video), { recursive: true });
    await writeY4m(codes, options.video);
  }
  return { presentation, codes, qrVersions: codes.map(qrVersionOf), pngFiles, jwtFile, ...(options.video ? { videoFile: options.video } : {}) };
}

async function demo(home: string, opts: Opts, report: Report, io: CliIo): Promise<number> {
  await ensureIssuers(home);
  const quiet: CliIo = { out: () => undefined, err: (l) => io.err(l) };
  const run = async (args: string[]): Promise<void> => {
    const code = await runWalletCli([...args, '--home', home], quiet);
    if (code !== 0) throw new WalletCliError(`demo step "${args.join(' ')}" failed.`);
  };
  const patient = str(opts, 'patient', 'Maria Oliveira');
  const doctor = str(opts, 'doctor', 'Amal Haddad');
  const p = path.basename(walletDir(home, slugOf(patient)));
  const d = path.basename(walletDir(home, slugOf(doctor)));
  try {
    await loadWallet(walletDir(home, p));
  } catch {
    await run(['new-patient', '--name', patient, '--birth-date', '1984-03-02', '--gender', 'female', '--national-id', 'NID-4471-9320-15', '--address', '27 Harbour View Road;Port Elsinore;PE3 7RX;GB']);
    await run(['consent', '--wallet', p, '--purpose', 'TREAT,ETREAT,HPAYMT', '--categories', 'demographics,encounters,conditions,medications,allergies,observations']);
  }
  try {
    await loadWallet(walletDir(home, d));
  } catch {
    await run(['new-doctor', '--name', doctor]);
  }
  const out = path.join(home, 'qr');
  const pr = await presentWallet(walletDir(home, p), await loadWallet(walletDir(home, p)), { out: path.join(out, `${p}.png`), video: path.join(out, `${p}.y4m`) });
  const dr = await presentWallet(walletDir(home, d), await loadWallet(walletDir(home, d)), { out: path.join(out, `${d}.png`), video: path.join(out, `${d}.y4m`) });
  report(
    `Demo ready in ${home}\n` +
      `  patient ${patient}: ${pr.pngFiles.join(', ')} (QR version ${pr.qrVersions.join(', ')}), video ${pr.videoFile}\n` +
      `  doctor  ${doctor}: ${dr.pngFiles.join(', ')} (QR version ${dr.qrVersions.join(', ')}), video ${dr.videoFile}\n` +
      `  issuers' DID documents for the workstation's offline cache: ${path.join(home, 'did-web', 'did-documents.json')}\n` +
      `Presentations expire after 5 minutes: run "present --wallet ${p}" again for a fresh code.`,
    { home, patient: pr, doctor: dr },
  );
  return 0;
}
