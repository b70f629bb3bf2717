/**
 * How the workstation finds its ledger gateway: a connection file (production Fabric peer) or,
 * by default, the devnet's network bundle.
 *
 * Connection file (JSON, format `careledger-connection/1`); `…File` paths are relative to the
 * connection file, the inline `…Pem` forms win when both are given:
 *
 * ```json
 * {
 *   "format": "careledger-connection/1",
 *   "endpoint": "peer0.hospital-a.example.org:7051",
 *   "tlsCaCertificateFile": "tls-ca.pem",
 *   "hostnameOverride": "peer0.hospital-a.example.org",
 *   "channel": "careledger",
 *   "chaincode": "careledger",
 *   "mspId": "HospitalAMSP",
 *   "deadlinesMs": { "evaluate": 5000, "endorse": 15000, "submit": 10000, "commitStatus": 30000 },
 *   "identity": { "certificateFile": "staff-cert.pem", "privateKeyFile": "staff-key.pem" },
 *   "organisationKind": "hospital",
 *   "msp": { "organisationName": "Hospital A", "directory": "msp" }
 * }
 * ```
 * - `tlsCaCertificatePem|File`: omit both only for a plaintext gateway (development).
 * - `hostnameOverride`: the name in the peer's TLS certificate when it differs from the endpoint.
 * - `mspId`: this workstation's organisation (whose consents and claims are mirrored).
 * - `organisationKind` (optional): `hospital` (the default), `insurer`, `governance` or
 *   `medical-board`: which staff roles the workstation enrols (src-shared/organisations/roles.ts)
 *   until it has read the Governance registry from the ledger, whose word then wins.
 * - `deadlinesMs`: per-call deadlines; each is optional (defaults above).
 * - `identity` (optional): a fixed certificate and key to sign with. Without it the sync engine
 *   signs as the signed-in staff member (their certificate and key enrolled on this
 *   workstation), which is the normal case: every ledger write carries who made it.
 * - `msp`: the organisation's MSP definition, the only certificate authorities whose staff
 *   certificates this workstation enrols (src-main/session/organisation-ca.ts). Either
 *   `directory`, a Fabric MSP folder (`cacerts/`, `intermediatecerts/`, `crls/`, PEM files), or
 *   lists: `rootCertificatesPem|Files`, `intermediateCertificatesPem|Files`, `crlsPem|Files`.
 *   `organisationName` is how staff know the organisation. Without `msp` no staff can be enrolled.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { OrganisationCa } from '../session/organisation-ca';
import { OrganisationKind } from '../../src-shared/organisations/roles';

export const CONNECTION_FILE_FORMAT = 'careledger-connection/1';

export interface Deadlines {
  evaluateMs: number;
  endorseMs: number;
  submitMs: number;
  commitStatusMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { evaluateMs: 5_000, endorseMs: 15_000, submitMs: 10_000, commitStatusMs: 30_000 };

/** Everything needed to reach a gateway peer, whatever the source. */
export interface ConnectionSettings {
  endpoint: string;
  /** PEM of the TLS CA; absent = plaintext. */
  tlsCaCertificatePem?: string;
  hostnameOverride?: string;
  channel: string;
  chaincode: string;
  /** This workstation's organisation. */
  mspId: string;
  deadlines: Deadlines;
  /** A fixed signing identity; absent = sign as the signed-in staff member. */
  identity?: { certificatePem: string; privateKeyPem: string };
  /** This organisation's MSP definition (whose staff may enrol); absent = nobody can enrol. */
  organisationCa?: OrganisationCa;
}

const Pem = z.string().min(1).max(100_000);
const ConnectionFile = z
  .object({
    format: z.literal(CONNECTION_FILE_FORMAT),
    endpoint: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port'),
    tlsCaCertificatePem: Pem.optional(),
    tlsCaCertificateFile: z.string().min(1).optional(),
    hostnameOverride: z.string().min(1).max(255).optional(),
    channel: z.string().min(1).max(250),
    chaincode: z.string().min(1).max(250),
    mspId: z.string().min(1).max(250),
    organisationKind: OrganisationKind.optional(),
    deadlinesMs: z
      .object({
        evaluate: z.number().int().positive().optional(),
        endorse: z.number().int().positive().optional(),
        submit: z.number().int().positive().optional(),
        commitStatus: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    identity: z
      .object({
        certificatePem: Pem.optional(),
        certificateFile: z.string().min(1).optional(),
        privateKeyPem: Pem.optional(),
        privateKeyFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    msp: z
      .object({
        organisationName: z.string().min(1).max(200).optional(),
        directory: z.string().min(1).optional(),
        rootCertificatesPem: z.array(Pem).max(20).optional(),
        rootCertificateFiles: z.array(z.string().min(1)).max(20).optional(),
        intermediateCertificatesPem: z.array(Pem).max(20).optional(),
        intermediateCertificateFiles: z.array(z.string().min(1)).max(20).optional(),
        crlsPem: z.array(Pem).max(50).optional(),
        crlFiles: z.array(z.string().min(1)).max(50).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

type MspSection = NonNullable<z.infer<typeof ConnectionFile>['msp']>;

/** The PEM files of one folder of a Fabric MSP directory ([] when the folder is absent). */
async function pemsInFolder(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => /\.(pem|crt|crl)$/i.test(n)).sort();
  } catch {
    return [];
  }
  return Promise.all(names.map((n) => readFile(path.join(folder, n), 'utf8')));
}

async function organisationCaFrom(msp: MspSection, mspId: string, baseDir: string, kind: OrganisationKind | undefined): Promise<OrganisationCa> {
  const listed = async (inline: string[] | undefined, files: string[] | undefined, what: string): Promise<string[]> => [
    ...(inline ?? []),
    ...(await Promise.all((files ?? []).map(async (f) => (await pemFrom(undefined, f, baseDir, what)) ?? ''))),
  ];
  const dir = msp.directory === undefined ? undefined : path.resolve(baseDir, msp.directory);
  const fromDir = async (sub: string): Promise<string[]> => (dir === undefined ? [] : pemsInFolder(path.join(dir, sub)));
  const roots = [...(await fromDir('cacerts')), ...(await listed(msp.rootCertificatesPem, msp.rootCertificateFiles, 'an MSP root certificate'))];
  if (roots.length === 0) {
    throw new DomainError('VALIDATION', 'The ledger connection file has an "msp" section without any root certificate of the organisation. Ask IT support for a new one.');
  }
  return {
    mspId,
    organisationName: msp.organisationName ?? mspId,
    rootCertificatesPem: roots,
    intermediateCertificatesPem: [...(await fromDir('intermediatecerts')), ...(await listed(msp.intermediateCertificatesPem, msp.intermediateCertificateFiles, 'an MSP intermediate certificate'))],
    crlsPem: [...(await fromDir('crls')), ...(await listed(msp.crlsPem, msp.crlFiles, 'a revocation list (CRL)'))],
    ...(kind ? { organisationKind: kind } : {}),
  };
}

async function pemFrom(inline: string | undefined, file: string | undefined, base: string, what: string): Promise<string | undefined> {
  if (inline !== undefined) return inline;
  if (file === undefined) return undefined;
  try {
    return await readFile(path.resolve(base, file), 'utf8');
  } catch {
    throw new DomainError('VALIDATION', `The ledger connection file names ${what} "${file}", which cannot be read. Check the path, or call IT support.`);
  }
}

/**
 * Parses a connection file's text. `baseDir` resolves the `…File` paths.
 * @throws DomainError VALIDATION with what is wrong in the file.
 */
export async function parseConnectionFile(text: string, baseDir: string): Promise<ConnectionSettings> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DomainError('VALIDATION', 'The ledger connection file is not valid JSON. Ask IT support for a new one.');
  }
  const parsed = ConnectionFile.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.join('.') || '(top level)' : '';
    throw new DomainError('VALIDATION', `The ledger connection file is not usable: ${where}: ${first?.message ?? 'invalid'}. Ask IT support for a new one.`);
  }
  const f = parsed.data;
  const tlsCa = await pemFrom(f.tlsCaCertificatePem, f.tlsCaCertificateFile, baseDir, 'the TLS CA certificate');
  let identity: ConnectionSettings['identity'];
  if (f.identity) {
    const certificatePem = await pemFrom(f.identity.certificatePem, f.identity.certificateFile, baseDir, 'the certificate');
    const privateKeyPem = await pemFrom(f.identity.privateKeyPem, f.identity.privateKeyFile, baseDir, 'the private key');
    if (!certificatePem || !privateKeyPem) throw new DomainError('VALIDATION', 'The ledger connection file gives an identity without both its certificate and its private key.');
    identity = { certificatePem, privateKeyPem };
  }
  const d = f.deadlinesMs ?? {};
  const organisationCa = f.msp ? await organisationCaFrom(f.msp, f.mspId, baseDir, f.organisationKind) : undefined;
  return {
    endpoint: f.endpoint,
    ...(tlsCa ? { tlsCaCertificatePem: tlsCa } : {}),
    ...(f.hostnameOverride ? { hostnameOverride: f.hostnameOverride } : {}),
    channel: f.channel,
    chaincode: f.chaincode,
    mspId: f.mspId,
    deadlines: {
      evaluateMs: d.evaluate ?? DEFAULT_DEADLINES.evaluateMs,
      endorseMs: d.endorse ?? DEFAULT_DEADLINES.endorseMs,
      submitMs: d.submit ?? DEFAULT_DEADLINES.submitMs,
      commitStatusMs: d.commitStatus ?? DEFAULT_DEADLINES.commitStatusMs,
    },
    ...(identity ? { identity } : {}),
    ...(organisationCa ? { organisationCa } : {}),
  };
}

/** Reads and parses a connection file. @throws DomainError VALIDATION */
export async function readConnectionFile(file: string): Promise<ConnectionSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DomainError('VALIDATION', `The ledger connection file ${path.basename(file)} cannot be read. Check that it exists, or call IT support.`);
  }
  return parseConnectionFile(text, path.dirname(file));
}

/** The part of the devnet's network bundle (`<devnet dataDir>/bundle.json`) the workstation reads. */
export interface DevnetBundle {
  endpoint: string;
  tlsCaCertificatePem?: string;
  hostnameOverride?: string;
  channel: string;
  chaincode: string;
  identities: Array<{ name: string; mspId: string; certificatePem: string; privateKeyPem: string }>;
  /**
   * The channel's organisations with their CA certificates (the devnet's MSP definitions) and
   * the gateway endpoint of each organisation's own peer.
   */
  orgs?: Array<{ mspId: string; kind?: string; displayName?: string; caCertificatePem?: string; endpoint?: string }>;
}

/**
 * Settings for the devnet. `identityName` picks a fixed bundle identity (tests, tools); without
 * it the workstation signs as the signed-in staff member of `mspId`.
 * @throws DomainError VALIDATION when the named identity is not in the bundle.
 */
export function settingsFromDevnetBundle(bundle: DevnetBundle, options: { mspId: string; identityName?: string; deadlines?: Partial<Deadlines> }): ConnectionSettings {
  let identity: ConnectionSettings['identity'];
  if (options.identityName !== undefined) {
    const who = bundle.identities.find((i) => i.name === options.identityName);
    if (!who) throw new DomainError('VALIDATION', `The devnet bundle has no identity named ${options.identityName}.`);
    identity = { certificatePem: who.certificatePem, privateKeyPem: who.privateKeyPem };
  }
  return {
    // The gateway of the workstation's own organisation's peer, as in production: it evaluates and
    // endorses first on that peer (private data only its organisation holds is readable there).
    endpoint: bundle.orgs?.find((o) => o.mspId === options.mspId)?.endpoint ?? bundle.endpoint,
    ...(bundle.tlsCaCertificatePem ? { tlsCaCertificatePem: bundle.tlsCaCertificatePem } : {}),
    ...(bundle.hostnameOverride ? { hostnameOverride: bundle.hostnameOverride } : {}),
    channel: bundle.channel,
    chaincode: bundle.chaincode,
    mspId: options.mspId,
    deadlines: { ...DEFAULT_DEADLINES, ...options.deadlines },
    ...(identity ? { identity } : {}),
    ...organisationCaOfBundle(bundle, options.mspId),
  };
}

/** The MSP definition of `mspId` in a devnet bundle, as a spread (empty when the bundle lacks it). */
function organisationCaOfBundle(bundle: DevnetBundle, mspId: string): { organisationCa?: OrganisationCa } {
  const org = bundle.orgs?.find((o) => o.mspId === mspId);
  if (!org?.caCertificatePem) return {};
  return {
    organisationCa: {
      mspId,
      organisationName: org.displayName ?? mspId,
      rootCertificatesPem: [org.caCertificatePem],
      intermediateCertificatesPem: [],
      crlsPem: [],
      ...(kindOf(org.kind) ? { organisationKind: kindOf(org.kind) } : {}),
    },
  };
}

function kindOf(kind: string | undefined): OrganisationKind | undefined {
  const parsed = OrganisationKind.safeParse(kind);
  return parsed.success ? parsed.data : undefined;
}
