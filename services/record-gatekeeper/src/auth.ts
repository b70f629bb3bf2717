/**
 * Who is asking (docs/formats/record-exchange.md §4): an RFC 9421 signature by a staff member's
 * Fabric identity, fresh and not replayed, whose certificate chains to the CA of an
 * organisation in the channel configuration (read from the ledger, never from a local file),
 * unexpired and unrevoked, of an organisation registered as a hospital in the Governance registry.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the metadata polyfill loaded first.
import 'reflect-metadata';
import { X509Certificate as NodeX509, createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { HEADERS, REPLAY_WINDOW_SECONDS, SIGNATURE_MAX_AGE_SECONDS, contentDigest, parseSignatureHeaders, signatureBase, signatureFresh, verifySignatureBase } from '../../../src-shared/records';
import { type ChannelMsp } from '../../../src-main/ledger/channel-msp';
import { GatekeeperRefusal } from './outcome';

/** Fabric CA's attribute extension, `{"attrs":{"role":…}}`. */
const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

export interface Requester {
  mspId: string;
  /** Fabric's way of naming a certificate holder: x509::<subject>::<issuer>. */
  id: string;
  role: string;
  /** The organisation's did:web. */
  organisationDid: string;
}

/** Remembers (keyid, nonce) pairs for the replay window. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  /** False when the pair was already seen within the window; records it otherwise. */
  remember(keyid: string, nonce: string, nowMs: number): boolean {
    if (this.seen.size > 10_000) for (const [k, until] of this.seen) if (until < nowMs) this.seen.delete(k);
    const key = `${keyid} ${nonce}`;
    const until = this.seen.get(key);
    if (until !== undefined && until >= nowMs) return false;
    this.seen.set(key, nowMs + REPLAY_WINDOW_SECONDS * 1000);
    return true;
  }
}

/** What the authenticator needs from the ledger. */
export interface TrustSource {
  /** The channel configuration's application organisations and their MSP definitions. */
  channelMsps(): Promise<Map<string, ChannelMsp>>;
  organisation(mspId: string): Promise<{ kind: string; did: string } | undefined>;
}

function issuedBy(child: NodeX509, parent: NodeX509): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

function within(cert: NodeX509, now: Date): boolean {
  return Date.parse(cert.validFrom) <= now.getTime() && now.getTime() <= Date.parse(cert.validTo);
}

/** The MSP whose root (directly or through one of its intermediates) issued the certificate. */
function chainOf(leaf: NodeX509, msps: Map<string, ChannelMsp>): { mspId: string; issuer: NodeX509; chain: NodeX509[] } | undefined {
  for (const [mspId, msp] of msps) {
    const roots = msp.rootCertificatesPem.map((p) => new NodeX509(p));
    const intermediates = msp.intermediateCertificatesPem.map((p) => new NodeX509(p));
    for (const root of roots) if (issuedBy(leaf, root)) return { mspId, issuer: root, chain: [root] };
    for (const mid of intermediates) {
      const root = roots.find((r) => issuedBy(mid, r));
      if (root && issuedBy(leaf, mid)) return { mspId, issuer: mid, chain: [mid, root] };
    }
  }
  return undefined;
}

async function revoked(leafDer: Uint8Array, issuer: NodeX509, crlsPem: string[]): Promise<boolean> {
  const leaf = new x509.X509Certificate(leafDer);
  const issuerCert = new x509.X509Certificate(issuer.raw);
  for (const pem of crlsPem) {
    let crl: x509.X509Crl;
    try {
      crl = new x509.X509Crl(pem);
    } catch {
      continue;
    }
    // Only a CRL signed by the certificate's own issuer counts.
    if (crl.issuer !== issuerCert.subject) continue;
    if (!(await crl.verify({ publicKey: issuerCert }).catch(() => false))) continue;
    if (crl.findRevoked(leaf)) return true;
  }
  return false;
}

function roleOf(der: Uint8Array): string | undefined {
  const ext = new x509.X509Certificate(der as Uint8Array<ArrayBuffer>).getExtension(FABRIC_ATTRS_OID);
  if (!ext) return undefined;
  try {
    const attrs = JSON.parse(Buffer.from(ext.value).toString('utf8')) as { attrs?: { role?: unknown } };
    return typeof attrs.attrs?.role === 'string' ? attrs.attrs.role : undefined;
  } catch {
    return undefined;
  }
}

export interface SignedRequest {
  method: string;
  targetUri: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

/**
 * Authenticates a staff request or throws the refusal (401/403/409) that names what is wrong.
 * @throws GatekeeperRefusal
 */
export async function authenticate(request: SignedRequest, trust: TrustSource, replay: ReplayCache, now: Date, allowedRoles: readonly string[]): Promise<{ requester: Requester; requestId: string }> {
  const parsed = parseSignatureHeaders(request.headers);
  if (!parsed.ok) throw new GatekeeperRefusal(parsed.code, parsed.message);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!signatureFresh(parsed.params.created, nowSeconds)) {
    throw new GatekeeperRefusal('SIGNATURE_EXPIRED', `The request was signed at ${new Date(parsed.params.created * 1000).toISOString()}, outside the ${SIGNATURE_MAX_AGE_SECONDS}-second window of the gatekeeper's clock (${now.toISOString()}); check the workstation clock and send it again.`);
  }
  if ((await contentDigest(request.body)) !== parsed.contentDigest) throw new GatekeeperRefusal('DIGEST_MISMATCH', 'The body does not match its Content-Digest: it was changed in transit or the digest is wrong. Send the request again.');
  let leaf: NodeX509;
  try {
    leaf = new NodeX509(Buffer.from(parsed.certificateDer));
  } catch {
    throw new GatekeeperRefusal('SIGNATURE_MALFORMED', 'CareLedger-Certificate is not a readable X.509 certificate.');
  }
  if (createHash('sha256').update(parsed.certificateDer).digest('base64url') !== parsed.params.keyid) throw new GatekeeperRefusal('SIGNATURE_MALFORMED', 'The signature keyid does not name the certificate sent with it.');
  let publicKey: Awaited<ReturnType<typeof crypto.subtle.importKey>>;
  try {
    publicKey = await crypto.subtle.importKey('spki', leaf.publicKey.export({ format: 'der', type: 'spki' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  } catch {
    throw new GatekeeperRefusal('SIGNATURE_INVALID', "The certificate's key is not an ECDSA P-256 key, as Fabric identities are.");
  }
  const base = signatureBase({ method: request.method, targetUri: request.targetUri, contentDigest: parsed.contentDigest, certificate: parsed.certificate, requestId: parsed.requestId }, parsed.paramsValue);
  if (!(await verifySignatureBase(base, parsed.signature, publicKey))) {
    throw new GatekeeperRefusal('SIGNATURE_INVALID', "The signature does not verify with the certificate sent: the request was altered, signed for another address, or signed with another key. Sign it again with the staff member's ledger identity.");
  }
  const msps = await trust.channelMsps();
  const chain = chainOf(leaf, msps);
  if (!chain) throw new GatekeeperRefusal('CERTIFICATE_UNTRUSTED', "The certificate was not issued by the certificate authority of any organisation on the ledger's channel; records are released to staff of the channel's hospitals only.");
  if (!within(leaf, now) || chain.chain.some((c) => !within(c, now))) throw new GatekeeperRefusal('CERTIFICATE_EXPIRED', `The certificate (or its CA) is not valid now (valid ${leaf.validFrom} to ${leaf.validTo}); the staff member needs a renewed identity from ${chain.mspId}'s CA.`);
  if (await revoked(parsed.certificateDer, chain.issuer, msps.get(chain.mspId)?.crlsPem ?? [])) throw new GatekeeperRefusal('CERTIFICATE_REVOKED', `${chain.mspId} has revoked this certificate; the staff member can no longer ask for records with it.`);
  const organisation = await trust.organisation(chain.mspId);
  if (!organisation || organisation.kind !== 'hospital') {
    throw new GatekeeperRefusal('ORGANISATION_NOT_HOSPITAL', `${chain.mspId} is ${organisation ? `registered as ${organisation.kind === 'insurer' ? 'an insurer' : `a ${organisation.kind}`}` : 'not registered in the governance registry'}; records are released to registered hospitals only.`);
  }
  const role = roleOf(parsed.certificateDer);
  if (role === undefined || !allowedRoles.includes(role)) throw new GatekeeperRefusal('ROLE_NOT_ALLOWED', `The certificate's role is ${role === undefined ? 'not set' : `'${role}'`}; only ${allowedRoles.map((r) => `'${r}'`).join(' or ')} staff may ask for records.`);
  if (!replay.remember(parsed.params.keyid, parsed.params.nonce, now.getTime())) throw new GatekeeperRefusal('REPLAYED', 'This request was already received (same signature nonce); sign a new one with a fresh nonce.');
  const requestId = request.headers[HEADERS.requestId]!;
  return { requester: { mspId: chain.mspId, id: `x509::${leaf.subject.replace(/\n/g, ',')}::${leaf.issuer.replace(/\n/g, ',')}`, role, organisationDid: organisation.did }, requestId };
}
