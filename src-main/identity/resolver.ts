/**
 * DID resolution for verification: did:key and did:jwk are self-describing (resolved from the
 * identifier itself); did:web is answered ONLY from the offline cache. Nothing here opens a
 * network connection: an unknown did:web is reported as not found, and the pipeline turns
 * that into "cannot determine" rather than fetching a document an attacker might control.
 */
import { getDidJwkResolver } from '@veramo/did-provider-jwk';
import { getDidKeyResolver } from '@veramo/did-provider-key';
import { type DIDResolutionResult, type DIDResolver, Resolver } from 'did-resolver';
import type { DidWebCache } from './mirrors';

/** `didResolutionMetadata.error` for a did:web that is not in the offline cache. */
export const NOT_IN_OFFLINE_CACHE = 'notFound';

function failure(error: string, message: string): DIDResolutionResult {
  return { didDocument: null, didDocumentMetadata: {}, didResolutionMetadata: { error, message } };
}

/** A did:web resolver that reads the offline cache and never fetches. */
export function offlineDidWebResolver(cache: DidWebCache): Record<'web', DIDResolver> {
  return {
    web: async (did) => {
      let document;
      try {
        document = await cache.get(did);
      } catch (err) {
        return failure('invalidDidDocument', err instanceof Error ? err.message : 'the cached document could not be read');
      }
      if (document === undefined) {
        return failure(NOT_IN_OFFLINE_CACHE, `${did} is not in the offline did:web cache`);
      }
      return {
        didDocument: document,
        didDocumentMetadata: {},
        didResolutionMetadata: { contentType: 'application/did+ld+json' },
      };
    },
  };
}

/** The resolver used by the verification agent: did:key, did:jwk, and did:web from the cache. */
export function createOfflineResolver(cache: DidWebCache): Resolver {
  // Veramo's providers are typed against did-resolver 4; the resolver function shape is the
  // same in 6, so only the declared types differ.
  const selfDescribing = { ...getDidKeyResolver(), ...getDidJwkResolver() } as unknown as Record<'key' | 'jwk', DIDResolver>;
  return new Resolver({ ...selfDescribing, ...offlineDidWebResolver(cache) }, { cache: false });
}
