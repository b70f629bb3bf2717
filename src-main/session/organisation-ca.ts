/**
 * Who may be a staff member on this workstation: only holders of a certificate issued by a
 * certificate authority of the workstation's own organisation, as a Fabric peer with NodeOUs
 * would judge it. The organisation's MSP definition (root and intermediate CA certificates,
 * CRLs) comes with the workstation's ledger configuration (a connection file from IT, or the
 * devnet's bundle in the demo), never from the person enrolling.
 *
 * Checked here: the certificate chains to one of the MSP's root certificates (through its
 * intermediates), every signature on the way verifies, every CA on the way is a CA (basic
 * constraints) allowed to sign certificates (key usage) and valid now, the staff certificate
 * itself is valid now, is not a CA, carries the node OU `client` (not `peer`, `orderer`,
 * `admin` or none), and neither it nor an intermediate is on a CRL of the MSP.
 */
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { OrganisationKind } from '../../src-shared/organisations/roles';
import { DomainError } from '../errors';
import { workstationDates } from '../settings/date-time-settings';
import { findExtension } from './staff-certificate';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The organisation's MSP definition, as the workstation's configuration gives it. */
export interface OrganisationCa {
  mspId: string;
  /** The organisation's name in the hospital's words ("Hospital A"); the MSP ID when unknown. */
  organisationName: string;
  rootCertificatesPem: string[];
  intermediateCertificatesPem: string[];
  /** Certificate revocation lists (PEM) of the MSP definition, where it has them. */
  crlsPem: string[];
  /**
   * The organisation's kind as configured (connection file `organisationKind`, devnet bundle);
   * absent = a hospital. The Governance registry mirror, once synced, overrides it.
   */
  organisationKind?: OrganisationKind;
}

const KEY_USAGE_OID = '2.5.29.15';
/** Bits of the first KeyUsage byte (RFC 5280: digitalSignature is bit 0, the most significant). */
const DIGITAL_SIGNATURE = 0x80;
const KEY_CERT_SIGN = 0x04;

/** Why the check runs: enrolling a certificate, or signing in with one enrolled earlier. */
export type CertificateUse = 'enrol' | 'sign-in';

function cannotUse(use: CertificateUse): string {
  return use === 'enrol' ? 'so it cannot be enrolled on this workstation' : 'so it can no longer be used to sign in on this workstation';
}

function untrusted(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError('IDENTITY_UNTRUSTED', message, details);
}

/** The KeyUsage bits of a certificate (first byte), or null when it has no KeyUsage extension. */
export function keyUsageBits(cert: NodeX509): number | null {
  const value = findExtension(cert.raw, KEY_USAGE_OID);
  if (!value) return null;
  // BIT STRING: 03 <length> <unused bits> <bits...>
  if (value[0] !== 0x03 || value.length < 3) return 0;
  return value[3] ?? 0;
}

/** The node OUs of a certificate's subject (`OU=client` → ['client']). */
export function nodeOus(cert: NodeX509): string[] {
  return cert.subject
    .split('\n')
    .filter((line) => line.startsWith('OU='))
    .map((line) => line.slice(3).trim().toLowerCase());
}

function parseAll(pems: readonly string[], what: string, org: OrganisationCa, use: CertificateUse): NodeX509[] {
  return pems.map((pem) => {
    try {
      return new NodeX509(pem);
    } catch (err) {
      throw new DomainError(
        'IDENTITY_UNTRUSTED',
        `The workstation's configuration holds ${what} of ${org.organisationName} that cannot be read, so no staff can ${use === 'enrol' ? 'be enrolled' : 'sign in'}. Ask IT support to check the ledger connection file.`,
        undefined,
        { cause: err },
      );
    }
  });
}

function issuedBy(issuer: NodeX509, cert: NodeX509): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validAt(cert: NodeX509, now: Date): boolean {
  return now >= new Date(cert.validFrom) && now <= new Date(cert.validTo);
}

function serialOf(cert: NodeX509): string {
  return cert.serialNumber.toLowerCase().replace(/^0+/, '');
}

/**
 * The chain from `cert` up to one of the organisation's roots (cert first, root last).
 * @throws DomainError IDENTITY_UNTRUSTED when no chain exists.
 */
function chainToRoot(cert: NodeX509, roots: NodeX509[], intermediates: NodeX509[], org: OrganisationCa, use: CertificateUse): NodeX509[] {
  const chain = [cert];
  const seen = new Set([cert.fingerprint256]);
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    const root = roots.find((r) => issuedBy(r, current));
    if (root) return [...chain, root];
    const next = intermediates.find((i) => !seen.has(i.fingerprint256) && issuedBy(i, current));
    if (!next) break;
    chain.push(next);
    seen.add(next.fingerprint256);
    current = next;
  }
  throw untrusted(
    `This certificate was not issued by ${org.organisationName}'s certificate authority, ${cannotUse(use)}. Ask your administrator for a staff certificate from ${org.organisationName} (${org.mspId}).`,
    { mspId: org.mspId, organisation: org.organisationName },
  );
}

/** The CRLs of the MSP definition, each checked against the CA that signed it. */
async function loadCrls(org: OrganisationCa, cas: NodeX509[], use: CertificateUse): Promise<Array<{ crl: x509.X509Crl; issuer: NodeX509 }>> {
  const out: Array<{ crl: x509.X509Crl; issuer: NodeX509 }> = [];
  for (const pem of org.crlsPem) {
    const unreadable = (cause?: unknown): DomainError =>
      new DomainError(
        'IDENTITY_UNTRUSTED',
        `A revocation list (CRL) in the workstation's configuration for ${org.organisationName} cannot be read or was not signed by its certificate authority, so no staff can ${use === 'enrol' ? 'be enrolled' : 'sign in'} until it is fixed. Ask IT support to check the ledger connection file.`,
        undefined,
        cause === undefined ? undefined : { cause },
      );
    let crl: x509.X509Crl;
    try {
      crl = new x509.X509Crl(pem);
    } catch (err) {
      throw unreadable(err);
    }
    let issuer: NodeX509 | undefined;
    for (const ca of cas) {
      const caCert = new x509.X509Certificate(ca.raw);
      if (caCert.subject !== crl.issuer) continue;
      if (await crl.verify({ publicKey: caCert })) {
        issuer = ca;
        break;
      }
    }
    if (!issuer) throw unreadable();
    out.push({ crl, issuer });
  }
  return out;
}

/**
 * Checks that a staff certificate belongs to the workstation's organisation (see the top of this file).
 * @throws DomainError IDENTITY_UNTRUSTED with a sentence saying why and what to do.
 */
export async function checkIssuedByOrganisation(cert: NodeX509, org: OrganisationCa, now: Date, use: CertificateUse = 'enrol'): Promise<void> {
  const roots = parseAll(org.rootCertificatesPem, 'a root certificate', org, use);
  const intermediates = parseAll(org.intermediateCertificatesPem, 'an intermediate certificate', org, use);
  if (roots.length === 0) {
    throw untrusted(
      `This workstation does not know ${org.organisationName}'s certificate authority yet, so no staff can ${use === 'enrol' ? 'be enrolled' : 'sign in'}. Ask IT support to add the organisation's MSP certificates to the ledger connection file.`,
    );
  }
  const chain = chainToRoot(cert, roots, intermediates, org, use);
  const cas = chain.slice(1);
  for (const ca of cas) {
    const usage = keyUsageBits(ca);
    if (!ca.ca || (usage !== null && (usage & KEY_CERT_SIGN) === 0)) {
      throw untrusted(
        `This certificate was signed by a certificate of ${org.organisationName} that is not allowed to issue certificates, ${cannotUse(use)}. Ask your administrator for a staff certificate from ${org.organisationName}'s certificate authority.`,
      );
    }
    if (!validAt(ca, now)) {
      throw untrusted(
        `The certificate authority that issued this certificate is not valid now (valid ${workstationDates().dateTime(new Date(ca.validFrom), { zone: true })} to ${workstationDates().dateTime(new Date(ca.validTo), { zone: true })}). Ask IT support for an up-to-date configuration or a new certificate.`,
      );
    }
  }
  if (cert.ca) {
    throw untrusted('This is a certificate authority\'s certificate, not a staff member\'s. Choose your own staff certificate (cert.pem).');
  }
  const usage = keyUsageBits(cert);
  if (usage !== null && (usage & DIGITAL_SIGNATURE) === 0) {
    throw untrusted(`This certificate may not be used for signing, so it cannot sign ledger transactions. Ask your administrator for a staff (client) certificate from ${org.organisationName}.`);
  }
  const ous = nodeOus(cert);
  if (!ous.includes('client') || ous.some((ou) => ou === 'peer' || ou === 'orderer')) {
    const found = ous.length === 0 ? 'no node type (OU)' : `node type ${ous.map((o) => `OU=${o}`).join(', ')}`;
    throw untrusted(
      `This certificate has ${found}; staff certificates must be issued as clients (OU=client). Ask your administrator for a staff (client) certificate from ${org.organisationName}.`,
      { ous },
    );
  }
  for (const { crl, issuer } of await loadCrls(org, cas, use)) {
    for (const checked of chain.slice(0, -1)) {
      const parent = chain[chain.indexOf(checked) + 1];
      if (parent?.fingerprint256 !== issuer.fingerprint256) continue;
      const entry = crl.entries.find((e) => e.serialNumber.toLowerCase().replace(/^0+/, '') === serialOf(checked));
      if (!entry) continue;
      const whose = checked === cert ? 'This certificate' : 'The certificate authority that issued this certificate';
      throw untrusted(
        `${whose} was revoked by ${org.organisationName} on ${workstationDates().dateTime(entry.revocationDate, { zone: true })}, ${cannotUse(use)}. Ask your administrator for a new staff certificate.`,
        { revokedAt: entry.revocationDate.toISOString() },
      );
    }
  }
}
