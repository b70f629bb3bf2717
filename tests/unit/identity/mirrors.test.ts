import { mkdtemp, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DIDDocument } from 'did-resolver';
import { DidWebCacheError, FileDidWebCache, MemoryDidWebCache, MemoryReplayStore, createOfflineResolver } from '../../../src-main/identity';
import { bundledContext, offlineDocumentLoader, BUNDLED_CONTEXT_URLS } from '../../../src-main/identity/contexts';

const doc = (did: string): DIDDocument => ({
  '@context': ['https://www.w3.org/ns/did/v1'],
  id: did,
  verificationMethod: [{ id: `${did}#key-1`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } }],
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return err instanceof DidWebCacheError ? err.code : String(err);
  }
  return undefined;
}

describe('FileDidWebCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'didweb-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps documents across instances (restarts) and leaves no temporary files', async () => {
    await new FileDidWebCache(dir).put('did:web:insurer.example', doc('did:web:insurer.example'));
    expect((await new FileDidWebCache(dir).get('did:web:insurer.example'))?.id).toBe('did:web:insurer.example');
    expect(await new FileDidWebCache(dir).get('did:web:unknown.example')).toBeUndefined();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a document for another DID, and non-did:web identifiers', async () => {
    const cache = new FileDidWebCache(dir);
    expect(await codeOf(cache.put('did:web:a.example', doc('did:web:b.example')))).toBe('DOCUMENT_ID_MISMATCH');
    expect(await codeOf(cache.put('did:key:z6Mk', doc('did:key:z6Mk')))).toBe('NOT_DID_WEB');
    expect(await codeOf(new MemoryDidWebCache().put('did:web:a.example', doc('did:web:b.example')))).toBe('DOCUMENT_ID_MISMATCH');
  });

  it('serves a rotated key at once, whether written by another instance or by hand, and notices a file damaged or removed after it was read', async () => {
    const did = 'did:web:rotating.example';
    const file = path.join(dir, `${encodeURIComponent(did)}.json`);
    const reader = new FileDidWebCache(dir);
    const rotated = (x: string): DIDDocument => ({ ...doc(did), verificationMethod: [{ id: `${did}#key-2`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x } }] });
    await new FileDidWebCache(dir).put(did, doc(did));
    expect((await reader.get(did))?.verificationMethod?.[0]?.id).toBe(`${did}#key-1`);
    // The sync engine's own instance writes the new document.
    await new FileDidWebCache(dir).put(did, rotated('BBBB'));
    expect((await reader.get(did))?.verificationMethod?.[0]?.publicKeyJwk?.x).toBe('BBBB');
    // An administrator edits the file in place (same inode, same size).
    await writeFile(file, JSON.stringify(rotated('CCCC')));
    expect((await reader.get(did))?.verificationMethod?.[0]?.publicKeyJwk?.x).toBe('CCCC');
    await writeFile(file, '{ damaged');
    expect(await codeOf(reader.get(did))).toBe('CORRUPT_CACHE_FILE');
    await rm(file);
    expect(await reader.get(did)).toBeUndefined();
    // A file that has settled is parsed once and then served from memory.
    await new FileDidWebCache(dir).put(did, rotated('DDDD'));
    const past = new Date(Date.now() - 60_000);
    await utimes(file, past, past);
    const first = await reader.get(did);
    expect(first?.verificationMethod?.[0]?.publicKeyJwk?.x).toBe('DDDD');
    expect(await reader.get(did)).toBe(first);
  });

  it('does not let a file renamed by hand speak for another institution, nor a damaged file pass', async () => {
    const cache = new FileDidWebCache(dir);
    await cache.put('did:web:a.example', doc('did:web:a.example'));
    await rename(path.join(dir, `${encodeURIComponent('did:web:a.example')}.json`), path.join(dir, `${encodeURIComponent('did:web:b.example')}.json`));
    expect(await codeOf(cache.get('did:web:b.example'))).toBe('CORRUPT_CACHE_FILE');
    await writeFile(path.join(dir, `${encodeURIComponent('did:web:c.example')}.json`), '{ not json');
    expect(await codeOf(cache.get('did:web:c.example'))).toBe('CORRUPT_CACHE_FILE');
  });

  it('backs the offline resolver: cached documents resolve, others are not found', async () => {
    const cache = new FileDidWebCache(dir);
    await cache.put('did:web:a.example', doc('did:web:a.example'));
    const resolver = createOfflineResolver(cache);
    expect((await resolver.resolve('did:web:a.example')).didDocument?.id).toBe('did:web:a.example');
    const missing = await resolver.resolve('did:web:b.example');
    expect(missing.didDocument).toBeNull();
    expect(missing.didResolutionMetadata.error).toBe('notFound');
  });
});

describe('MemoryReplayStore', () => {
  it('remembers an id once, refuses it again, and forgets it after its time', async () => {
    let now = 1_000_000;
    const store = new MemoryReplayStore(() => now);
    expect(await store.remember('urn:uuid:1', new Date(now + 60_000))).toBe(true);
    expect(await store.remember('urn:uuid:1', new Date(now + 60_000))).toBe(false);
    expect(await store.has('urn:uuid:1')).toBe(true);
    now += 61_000;
    expect(await store.has('urn:uuid:1')).toBe(false);
    expect(store.size).toBe(0);
  });
});

describe('bundled JSON-LD contexts', () => {
  it.each(BUNDLED_CONTEXT_URLS)('serves %s from the bundle', async (url) => {
    const loaded = await offlineDocumentLoader(url);
    expect(loaded.documentUrl).toBe(url);
    expect(loaded.document['@context']).toBeTypeOf('object');
  });

  it('defines every CareLedger credential type and claim term in its own context', () => {
    const ctx = bundledContext('https://careledger.example/contexts/credentials/v1')?.['@context'] as Record<string, unknown>;
    for (const term of ['PatientIdentityCredential', 'InsuranceCoverageCredential', 'ConsentGrantCredential', 'MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential', 'BitstringStatusListEntry']) {
      expect(ctx[term]).toBeDefined();
    }
  });

  it('never fetches: an unknown context is refused', async () => {
    await expect(offlineDocumentLoader('https://example.org/evil/v1')).rejects.toMatchObject({ code: 'UNKNOWN_CONTEXT' });
  });
});
