/**
 * Reading a staff identity from PEM: an enrolment certificate from the organisation's CA
 * (Fabric CA shape: the `role` attribute sits in extension 1.2.3.4.5.6.7.8.1 as
 * `{"attrs":{"role":…}}`) and its private key. Everything a clerk could get wrong is turned
 * into an IDENTITY_INVALID with a sentence saying what to do.
 */
import { createPrivateKey, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import { STAFF_ROLES, StaffRole, type StaffIdentitySummary } from '../../src-shared/ipc/contract';
import type { OrganisationKind } from '../../src-shared/organisations/roles';
import { DomainError } from '../errors';
import { workstationDates } from '../settings/date-time-settings';

/** Fabric CA's attribute extension. */
export const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

export interface ParsedStaffIdentity {
  summary: StaffIdentitySummary;
  certificatePem: string;
  privateKey: KeyObject;
}

function invalid(message: string, cause?: unknown): DomainError {
  return new DomainError('IDENTITY_INVALID', message, undefined, cause === undefined ? undefined : { cause });
}

/** Minimal DER walk to find one extension's value: avoids a second X.509 stack in main. */
function readDerLength(buf: Buffer, offset: number): { length: number; headerLength: number } {
  const first = buf[offset];
  if (first === undefined) throw new Error('truncated DER');
  if (first < 0x80) return { length: first, headerLength: 1 };
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new Error('unsupported DER length');
  let length = 0;
  for (let i = 1; i <= n; i++) length = length * 256 + (buf[offset + i] ?? 0);
  return { length, headerLength: 1 + n };
}

function children(buf: Buffer, start: number, end: number): { tag: number; start: number; end: number; contentStart: number }[] {
  const out: { tag: number; start: number; end: number; contentStart: number }[] = [];
  let p = start;
  while (p < end) {
    const tag = buf[p];
    if (tag === undefined) throw new Error('truncated DER');
    const { length, headerLength } = readDerLength(buf, p + 1);
    const contentStart = p + 1 + headerLength;
    out.push({ tag, start: p, end: contentStart + length, contentStart });
    p = contentStart + length;
  }
  return out;
}

function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map(Number);
  const bytes: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const stack: number[] = [];
    let v = part;
    do {
      stack.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    stack.forEach((b, i) => bytes.push(i < stack.length - 1 ? b | 0x80 : b));
  }
  return Buffer.from(bytes);
}

/** The value octets of extension `oid` in a DER certificate, or null. */
export function findExtension(der: Buffer, oid: string): Buffer | null {
  const wanted = encodeOid(oid);
  const [cert] = children(der, 0, der.length);
  if (!cert) return null;
  const [tbs] = children(der, cert.contentStart, cert.end);
  if (!tbs) return null;
  for (const field of children(der, tbs.contentStart, tbs.end)) {
    if (field.tag !== 0xa3) continue; // [3] extensions
    const [seq] = children(der, field.contentStart, field.end);
    if (!seq) return null;
    for (const ext of children(der, seq.contentStart, seq.end)) {
      const parts = children(der, ext.contentStart, ext.end);
      const id = parts[0];
      const value = parts[parts.length - 1];
      if (id && value && id.tag === 0x06 && der.subarray(id.contentStart, id.end).equals(wanted) && value.tag === 0x04) {
        return der.subarray(value.contentStart, value.end);
      }
    }
  }
  return null;
}

/** Fabric CA attributes of a certificate ({} when it has none). */
export function readFabricAttributes(cert: NodeX509): Record<string, string> {
  const value = findExtension(cert.raw, FABRIC_ATTRS_OID);
  if (!value) return {};
  const parsed = JSON.parse(value.toString('utf8')) as { attrs?: Record<string, string> };
  return parsed.attrs ?? {};
}

function commonName(subject: string): string | null {
  const line = subject.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : null;
}

/**
 * Checks and reads a staff identity.
 * @throws DomainError IDENTITY_INVALID when the certificate or key does not parse, the key is not
 *   the certificate's, the role is missing or unknown, or the certificate is not valid now.
 */
export function parseStaffIdentity(input: { certificatePem: string; privateKeyPem: string; mspId: string; organisationKind?: OrganisationKind }, now: Date): ParsedStaffIdentity {
  let cert: NodeX509;
  try {
    cert = new NodeX509(input.certificatePem);
  } catch (err) {
    throw invalid('The certificate file is not a valid PEM certificate. Ask your organisation for the enrolment certificate (cert.pem).', err);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(input.privateKeyPem);
  } catch (err) {
    throw invalid('The private key file is not a valid PEM private key. Ask your organisation for the key that goes with the certificate.', err);
  }
  if (!cert.checkPrivateKey(privateKey)) {
    throw invalid('The private key does not belong to this certificate. Choose the key file issued together with it.');
  }
  let attrs: Record<string, string>;
  try {
    attrs = readFabricAttributes(cert);
  } catch (err) {
    throw invalid('The certificate carries an unreadable attribute extension. Ask your organisation to re-issue it.', err);
  }
  if (attrs.role === undefined) {
    throw invalid(`This certificate has no staff role. Ask your organisation to issue one with a role (${STAFF_ROLES.join(', ')}).`);
  }
  const role = StaffRole.safeParse(attrs.role);
  if (!role.success) {
    throw invalid(`This certificate's role "${attrs.role}" is not one this workstation knows (${STAFF_ROLES.join(', ')}). Ask your organisation for a staff certificate with one of these roles.`);
  }
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) throw invalid(`This certificate only becomes valid on ${workstationDates().dateTime(notBefore, { zone: true })}. Try again then, or ask for a new one.`);
  if (now > notAfter) throw invalid(`This certificate expired on ${workstationDates().dateTime(notAfter, { zone: true })}. Ask your organisation for a new one.`);
  return {
    summary: {
      id: cert.fingerprint256.replaceAll(':', '').toLowerCase().slice(0, 32),
      displayName: commonName(cert.subject) ?? attrs['hf.EnrollmentID'] ?? 'Unnamed staff member',
      mspId: input.mspId,
      role: role.data,
      organisationKind: input.organisationKind ?? 'hospital',
      notAfter: notAfter.toISOString(),
    },
    certificatePem: cert.toString(),
    privateKey,
  };
}
