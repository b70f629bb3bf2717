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
/** `didResolutionMetadata.error` when the cached copy could not be read (a local fault). */
export const OFFLINE_CACHE_UNREADABLE = 'offlineCacheUnreadable';

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
        return failure(OFFLINE_CACHE_UNREADABLE, err instanceof Error ? err.message : 'the cached document could not be read');
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
  // did:web is NOT memoised here: its document can change (key rotation) through the cache.
  return new Resolver({ key: memoised(selfDescribing.key), jwk: memoised(selfDescribing.jwk), ...offlineDidWebResolver(cache) }, { cache: false });
}

const MEMO_LIMIT = 1000;

/**
 * did:key and did:jwk documents are a pure function of the identifier, so resolving one twice
 * gives the same document; decoding costs ~2 ms, paid up to twice per credential otherwise.
 * Failures are not kept. Oldest entries go first beyond MEMO_LIMIT.
 */
function memoised(resolve: DIDResolver): DIDResolver {
  const memo = new Map<string, DIDResolutionResult>();
  return async (did, parsed, resolver, options) => {
    const hit = memo.get(parsed.did);
    if (hit !== undefined) return structuredClone(hit);
    const result = await resolve(did, parsed, resolver, options);
    if (result.didDocument !== null && result.didResolutionMetadata.error === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
      memo.set(parsed.did, structuredClone(result));
    }
    return result;
  };
}
