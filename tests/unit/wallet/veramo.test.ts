import 'reflect-metadata';
import { createAgent, type ICredentialPlugin, type IResolver } from '@veramo/core';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { getDidJwkResolver } from '@veramo/did-provider-jwk';
import { getDidKeyResolver } from '@veramo/did-provider-key';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { Resolver, type DIDDocument, type DIDResolver } from 'did-resolver';
import { describe, expect, it } from 'vitest';
import { decodeWalletQr, encodeWalletQr } from '../../../src-shared/walletqr';
import { DEMO_HOSPITAL_DID } from '../../../tools/wallet/credentials';
import { issuerDidDocuments, makeAdmissionBundle } from '../../../tools/wallet/fixtures';

function agentFor(docs: Record<string, Record<string, unknown>>) {
  const web: DIDResolver = (did) =>
    Promise.resolve({ didDocument: (docs[did] as unknown as DIDDocument) ?? null, didDocumentMetadata: {}, didResolutionMetadata: docs[did] ? {} : { error: 'notFound' } });
  return createAgent<ICredentialPlugin & IResolver>({
    plugins: [
      // Veramo and the root package carry different did-resolver versions; the shapes agree.
      new DIDResolverPlugin({
        resolver: new Resolver({ ...(getDidKeyResolver() as unknown as Record<string, DIDResolver>), ...(getDidJwkResolver() as unknown as Record<string, DIDResolver>), web }),
      } as unknown as ConstructorParameters<typeof DIDResolverPlugin>[0]),
      new CredentialPlugin([new CredentialProviderJWT()]),
    ],
  });
}

// Status is the pipeline's own plugin (src-main/identity); here only Veramo's JWT checks.
const noStatus = { credentialStatus: false };

describe.each(['EdDSA', 'ES256'] as const)('Veramo verifies what the wallet signs (%s)', (alg) => {
  const bundle = makeAdmissionBundle(alg);
  const agent = agentFor(issuerDidDocuments(bundle.issuers));
  const decoded = decodeWalletQr(encodeWalletQr(bundle.presentation)[0] as string);

  it('accepts each credential and the presentation after the QR round trip', async () => {
    for (const credential of decoded.credentials) {
      const r = await agent.verifyCredential({ credential, policies: noStatus });
      expect(r.error?.message).toBeUndefined();
      expect(r.verified).toBe(true);
    }
    const r = await agent.verifyPresentation({ presentation: decoded.presentation, domain: DEMO_HOSPITAL_DID, policies: noStatus });
    expect(r.error?.message).toBeUndefined();
    expect(r.verified).toBe(true);
  });

  it('rejects a credential whose payload was changed after signing', async () => {
    const [h, p, s] = (decoded.credentials[0] as string).split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    payload.vc.credentialSubject.familyName = 'Impostor';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const r = await agent.verifyCredential({ credential: forged, policies: noStatus }).catch((err: Error) => ({ verified: false, error: err }));
    expect(r.verified).toBe(false);
  });
});
