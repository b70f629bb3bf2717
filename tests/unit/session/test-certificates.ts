/**
 * Certificates for the enrolment tests, made with @peculiar/x509: CA hierarchies (root,
 * intermediate), staff certificates with any node OU or none, self-signed ones, and CRLs. The
 * devnet's ca.ts makes well-formed ones only; an attacker does not.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY = 86_400_000;

export interface TestCa {
  name: string;
  certificatePem: string;
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

export interface TestIdentity {
  certificatePem: string;
  privateKeyPem: string;
  serialNumber: string;
}

let serialCounter = 0x1000;
function nextSerial(): string {
  serialCounter += 1;
  return serialCounter.toString(16).padStart(8, '0');
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']));
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export interface CaOptions {
  /** KeyUsage flags; default keyCertSign | cRLSign | digitalSignature. */
  keyUsage?: number;
  /** Basic constraints cA (default true). */
  isCa?: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

async function caExtensions(keys: webcrypto.CryptoKeyPair, options: CaOptions): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(options.isCa ?? true, undefined, true),
    new x509.KeyUsagesExtension(options.keyUsage ?? (x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature), true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
}

/** A self-signed root CA. */
export async function makeRootCa(name: string, options: CaOptions = {}): Promise<TestCa> {
  const keys = await keyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}, O=${name}`,
    notBefore: options.notBefore ?? new Date(now - DAY),
    notAfter: options.notAfter ?? new Date(now + 3650 * DAY),
    signingAlgorithm,
    keys,
    extensions: await caExtensions(keys, options),
  });
  return { name, certificatePem: cert.toString('pem'), cert, keys };
}

/** An intermediate CA signed by `parent`. */
export async function makeIntermediateCa(parent: TestCa, name: string, options: CaOptions = {}): Promise<TestCa> {
  const keys = await keyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${name}, O=${parent.name}`,
    issuer: parent.cert.subject,
    notBefore: options.notBefore ?? new Date(now - DAY),
    notAfter: options.notAfter ?? new Date(now + 1825 * DAY),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: parent.keys.privateKey,
    extensions: [...(await caExtensions(keys, options)), await x509.AuthorityKeyIdentifierExtension.create(parent.cert)],
  });
  return { name, certificatePem: cert.toString('pem'), cert, keys };
}

export interface StaffOptions {
  commonName?: string;
  /** Node OU(s) in the subject; null = none. Default 'client'. */
  ou?: string | string[] | null;
  role?: string;
  notBefore?: Date;
  notAfter?: Date;
}

/** A staff certificate in Fabric CA's shape, issued by `issuer`, or self-signed when `issuer` is null. */
export async function makeStaff(issuer: TestCa | null, options: StaffOptions = {}): Promise<TestIdentity> {
  const keys = await keyPair();
  const now = Date.now();
  const ous = options.ou === null ? [] : Array.isArray(options.ou) ? options.ou : [options.ou ?? 'client'];
  const cn = options.commonName ?? 'Test Staff';
  const subject = [`CN=${cn}`, ...ous.map((o) => `OU=${o}`), `O=${issuer?.name ?? 'Self'}`].join(', ');
  const attrs = { attrs: { 'hf.EnrollmentID': cn, 'hf.Type': ous[0] ?? '', role: options.role ?? 'admissions' } };
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.Extension('1.2.3.4.5.6.7.8.1', false, new TextEncoder().encode(JSON.stringify(attrs))),
  ];
  const serialNumber = nextSerial();
  const notBefore = options.notBefore ?? new Date(now - DAY);
  const notAfter = options.notAfter ?? new Date(now + 365 * DAY);
  const cert = issuer
    ? await x509.X509CertificateGenerator.create({
        serialNumber,
        subject,
        issuer: issuer.cert.subject,
        notBefore,
        notAfter,
        signingAlgorithm,
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
        extensions,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ serialNumber, name: subject, notBefore, notAfter, signingAlgorithm, keys, extensions });
  return { certificatePem: cert.toString('pem'), privateKeyPem: await pkcs8Pem(keys.privateKey), serialNumber };
}

/** A CRL of `ca` revoking the given serial numbers. */
export async function makeCrl(ca: TestCa, serialNumbers: string[], revokedAt = new Date(Date.now() - 3_600_000)): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + 7 * DAY),
    signingAlgorithm,
    signingKey: ca.keys.privateKey,
    entries: serialNumbers.map((serialNumber) => ({ serialNumber, revocationDate: revokedAt })),
  });
  return crl.toString('pem');
}
