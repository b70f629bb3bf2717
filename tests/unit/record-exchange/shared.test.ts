import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  anchorCheckOf,
  anchorOf,
  anchorVerdict,
  canonicalJson,
  contentDigest,
  parseSignatureHeaders,
  saltedHash,
  sensitiveCategoriesOf,
  signRequest,
  signatureBase,
  signatureFresh,
  verifySignatureBase,
  withAnchor,
  withoutAnchor,
  kindOfResourceType,
} from '../../../src-shared/records';

// Any DER certificate will do for the header round trip; the gatekeeper checks the chain separately.
async function keyPair() {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}
const FAKE_CERT = new Uint8Array(300).map((_, i) => i % 251);

describe('record exchange: request signing (RFC 9421)', () => {
  it('signs a request whose headers parse back and whose signature base verifies', async () => {
    const keys = await keyPair();
    const body = new TextEncoder().encode('{"a":1}');
    const headers = await signRequest({ method: 'post', targetUri: 'http://127.0.0.1:7311/fhir/consent/grant', body, certificateDer: FAKE_CERT, privateKey: keys.privateKey, requestId: 'urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e', created: 1_800_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
    const parsed = parseSignatureHeaders(headers);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.params).toEqual({ created: 1_800_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', keyid: createHash('sha256').update(FAKE_CERT).digest('base64url') });
    expect(parsed.contentDigest).toBe(`sha-256=:${createHash('sha256').update(body).digest('base64')}:`);
    const base = signatureBase({ method: 'POST', targetUri: 'http://127.0.0.1:7311/fhir/consent/grant', contentDigest: parsed.contentDigest, certificate: parsed.certificate, requestId: parsed.requestId }, parsed.paramsValue);
    expect(base.split('\n')[0]).toBe('"@method": POST');
    expect(base.split('\n').at(-1)).toBe(`"@signature-params": ${parsed.paramsValue}`);
    expect(await verifySignatureBase(base, parsed.signature, keys.publicKey)).toBe(true);
    // Another path (a query changed in transit) does not verify.
    const altered = base.replace('/consent/grant', '/consent/revoke');
    expect(await verifySignatureBase(altered, parsed.signature, keys.publicKey)).toBe(false);
  });

  it('names what is missing or malformed', async () => {
    const missing = parseSignatureHeaders({});
    expect(missing).toMatchObject({ ok: false, code: 'SIGNATURE_MISSING' });
    const keys = await keyPair();
    const headers = await signRequest({ method: 'GET', targetUri: 'http://x/fhir/metadata', certificateDer: FAKE_CERT, privateKey: keys.privateKey, requestId: 'urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e' });
    expect(parseSignatureHeaders({ ...headers, 'signature-input': headers['signature-input']!.replace('"careledger-request-id"', '') })).toMatchObject({ ok: false, code: 'SIGNATURE_MALFORMED' });
    expect(parseSignatureHeaders({ ...headers, signature: 'careledger=:AAAA:' })).toMatchObject({ ok: false, code: 'SIGNATURE_MALFORMED' });
  });

  it('digests an empty body as RFC 9530 shows', async () => {
    expect(await contentDigest(undefined)).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });

  it('accepts a signature 60 s old or 30 s ahead, not more', () => {
    expect(signatureFresh(1000, 1060)).toBe(true);
    expect(signatureFresh(1000, 1061)).toBe(false);
    expect(signatureFresh(1030, 1000)).toBe(true);
    expect(signatureFresh(1031, 1000)).toBe(false);
  });
});

describe('record exchange: anchors', () => {
  it('canonicalises as RFC 8785 does (sorted members, ES number forms)', () => {
    expect(canonicalJson({ b: [1e21, 0.1, -0], a: 'é\u2028', c: { z: null, y: true } })).toBe('{"a":"é\u2028","b":[1e+21,0.1,0],"c":{"y":true,"z":null}}');
  });

  it('recomputes the salted hash of a released resource and notices any change', async () => {
    const stored = { resourceType: 'Condition', id: 'c1', meta: { versionId: '2', lastUpdated: '2026-11-02T08:15:00.000Z' }, code: { text: 'Asthma' } };
    const salt = Buffer.alloc(16, 7).toString('base64url');
    const expected = createHash('sha256').update(Buffer.concat([Buffer.alloc(16, 7), Buffer.from(canonicalJson(stored))])).digest('hex');
    expect(await saltedHash(stored, salt)).toBe(expected);
    const released = withAnchor(stored, { recordId: 'rec-1', salt });
    expect(anchorOf(released)).toEqual({ recordId: 'rec-1', salt });
    expect(withoutAnchor(released)).toEqual(stored);
    expect(await anchorCheckOf(released)).toEqual({ recordId: 'rec-1', saltedHash: expected });
    const tampered = { ...released, code: { text: 'Asthma (resolved)' } };
    expect((await anchorCheckOf(tampered))?.saltedHash).not.toBe(expected);
    expect(await anchorCheckOf(stored)).toBeUndefined();
    expect(anchorVerdict('no-match')).toBe('tampered');
  });
});

describe('record exchange: vocabulary', () => {
  it('maps resource types to kinds and security labels to sensitive categories', () => {
    expect(kindOfResourceType('MedicationStatement')).toBe('medications');
    expect(kindOfResourceType('Basic')).toBeUndefined();
    expect(sensitiveCategoriesOf([{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }, { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'GDIS' }])).toEqual(['mental-health', 'genetics']);
    expect(sensitiveCategoriesOf([{ system: 'http://other', code: 'PSY' }])).toEqual([]);
  });
});

