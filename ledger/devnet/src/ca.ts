/**
 * Development certificate authority: one P-256 CA per organisation, enrolment certificates
 * in the shape Fabric CA issues them, so that chaincode's `ctx.clientIdentity` and the
 * workstation's sign-in read them exactly as they would on a real network.
 *
 * Attributes (the staff `role`) go in Fabric CA's attribute extension, OID 1.2.3.4.5.6.7.8.1,
 * whose value is the UTF-8 JSON `{"attrs":{...}}` stored directly as the extension's octets.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Fabric CA's attribute extension OID. */
export const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export interface DevCa {
  mspId: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface IssuedIdentity {
  certificatePem: string;
  privateKeyPem: string;
}

export interface IssueIdentityOptions {
  enrollmentId: string;
  /** Shown as the person's name; defaults to the enrolment id. */
  commonName?: string;
  /** Staff role attribute (admissions, clinician, claims, credentialing, privacy) or any string. */
  role?: string;
  /** Fabric node OU: client for staff (default), peer for peers, admin, orderer; null: none (refused by the devnet, for tests). */
  ou?: 'client' | 'peer' | 'admin' | 'orderer' | null;
  /** Extra Fabric CA attributes. */
  attributes?: Record<string, string>;
  notBefore?: Date;
  notAfter?: Date;
  /** Subject alternative DNS names / IPs, for TLS server certificates. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** A TLS server certificate rather than an enrolment certificate. */
  tlsServer?: boolean;
}

function serial(): string {
  // Positive, non-zero, 16 random bytes.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('The private key PEM holds no key.');
  return webcrypto.subtle.importKey('pkcs8', der, keyAlgorithm, true, ['sign']);
}

/** Creates a self-signed CA for one organisation. */
export async function createDevCa(options: { mspId: string; commonName?: string; validDays?: number }): Promise<DevCa> {
  const keys = await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${options.commonName ?? `ca.${options.mspId.toLowerCase()}`}, O=${options.mspId}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.validDays ?? 3650) * 86_400_000),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    mspId: options.mspId,
    certificatePem: cert.toString('pem'),
    privateKeyPem: await exportKeyPem(keys.privateKey),
  };
}

/** Issues an enrolment (or TLS) certificate signed by `ca`, with a fresh P-256 key. */
export async function issueIdentity(ca: DevCa, options: IssueIdentityOptions): Promise<IssuedIdentity> {
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const caKey = await importKeyPem(ca.privateKeyPem);
  const keys = await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
  const now = new Date();
  const ou = options.ou === undefined ? 'client' : options.ou;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      options.tlsServer
        ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
        : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (options.tlsServer) {
    extensions.push(
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    );
  }
  const san: x509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (san.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(san));
  if (!options.tlsServer) {
    const attrs: Record<string, string> = {
      'hf.Affiliation': '',
      'hf.EnrollmentID': options.enrollmentId,
      'hf.Type': ou ?? 'client',
      ...(options.role !== undefined ? { role: options.role } : {}),
      ...(options.attributes ?? {}),
    };
    const json = new TextEncoder().encode(JSON.stringify({ attrs: attrs }));
    extensions.push(new x509.Extension(FABRIC_ATTRS_OID, false, json));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${options.commonName ?? options.enrollmentId}${ou ? `, OU=${ou}` : ''}, O=${ca.mspId}`,
    issuer: caCert.subject,
    notBefore: options.notBefore ?? new Date(now.getTime() - 60_000),
    notAfter: options.notAfter ?? new Date(now.getTime() + 365 * 86_400_000),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { certificatePem: cert.toString('pem'), privateKeyPem: await exportKeyPem(keys.privateKey) };
}

/** Reads the Fabric CA attributes of a certificate; {} when it has none. */
export function readFabricAttributes(certificatePem: string): Record<string, string> {
  const cert = new x509.X509Certificate(certificatePem);
  const ext = cert.getExtension(FABRIC_ATTRS_OID);
  if (!ext) return {};
  const parsed = JSON.parse(new TextDecoder().decode(ext.value)) as { attrs?: Record<string, string> };
  return parsed.attrs ?? {};
}
