/**
 * The record locator and the gatekeeper HTTP client (docs/formats/record-exchange.md).
 *
 * Hospitals come from the Governance registry (`Governance:listOrganisations`, kind `hospital`);
 * each hospital's gatekeeper from its did:web document's `CareLedgerRecordGatekeeper` service,
 * read from the workstation's offline did:web folder. Every hospital is asked (the ledger does not
 * say where a patient was treated); each answers "nothing you may see" the same way whether it
 * holds records or not. Requests are signed (RFC 9421) with the signed-in staff member's Fabric
 * certificate and key; a hospital that is down or slow is reported in a sentence and never holds
 * up the others.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import type { Bundle, OperationOutcome } from 'fhir/r4';
import { signRequest } from '../../src-shared/records/signing';
import { EXCHANGE_SYSTEMS, GATEKEEPER_SERVICE_TYPE } from '../../src-shared/records/vocab';
import type { DidWebCache } from '../identity/mirrors';
import type { GatekeeperAnswer, RecordGatekeepers, RecordsRequest } from './gatekeepers';
import type { LedgerQueries } from './ledger-reads';

export interface GatekeeperDirectoryEntry {
  mspId: string;
  name: string;
  did: string;
  /** FHIR base URL, no trailing slash; null when the hospital's DID document lists none. */
  endpoint: string | null;
}

export interface StaffSigningKey {
  certificatePem: string;
  privateKey: KeyObject;
}

export interface HttpGatekeepersOptions {
  /** Ledger reads as the signed-in person; null while offline. */
  ledger: () => LedgerQueries | null;
  didWeb: DidWebCache;
  identity: () => StaffSigningKey | null;
  /** Per-hospital deadline (default 10 s, the gatekeeper's own backend deadline). */
  timeoutMs?: number;
  /** Most pages followed per hospital (default 20 × 1000 resources). */
  maxPages?: number;
  fetch?: typeof fetch;
}

const PAGE_SIZE = 1000;

function outcomeText(outcome: OperationOutcome | undefined): string | undefined {
  return outcome?.issue
    ?.map((i) => i.details?.text ?? i.diagnostics)
    .find((t): t is string => typeof t === 'string' && t.length > 0);
}

export class HttpRecordGatekeepers implements RecordGatekeepers {
  readonly #o: HttpGatekeepersOptions;
  #directory: { at: number; entries: GatekeeperDirectoryEntry[] } | null = null;

  constructor(options: HttpGatekeepersOptions) {
    this.#o = options;
  }

  /** Registered hospitals and their gatekeepers (the registry is read at most every 5 minutes). */
  async directory(): Promise<GatekeeperDirectoryEntry[]> {
    if (this.#directory && Date.now() - this.#directory.at < 5 * 60_000) return this.#directory.entries;
    const ledger = this.#o.ledger();
    if (!ledger) return this.#directory?.entries ?? [];
    const orgs: Array<{ mspId: string; did: string; name: string; kind: string }> = [];
    let bookmark = '';
    for (let i = 0; i < 20; i++) {
      const page = (await ledger.evaluate('Governance:listOrganisations', '100', bookmark)) as {
        records?: typeof orgs;
        bookmark?: string;
      };
      orgs.push(...(page.records ?? []));
      if (!page.bookmark || (page.records ?? []).length === 0) break;
      bookmark = page.bookmark;
    }
    const entries: GatekeeperDirectoryEntry[] = [];
    for (const org of orgs.filter((o) => o.kind === 'hospital')) {
      let endpoint: string | null = null;
      try {
        const doc = await this.#o.didWeb.get(org.did);
        const service = (doc?.service ?? []).find((s) => s.type === GATEKEEPER_SERVICE_TYPE);
        endpoint = typeof service?.serviceEndpoint === 'string' ? service.serviceEndpoint.replace(/\/+$/, '') : null;
      } catch {
        endpoint = null;
      }
      entries.push({ mspId: org.mspId, name: org.name, did: org.did, endpoint });
    }
    this.#directory = { at: Date.now(), entries };
    return entries;
  }

  async fetchRecords(request: RecordsRequest): Promise<GatekeeperAnswer[]> {
    const identity = this.#o.identity();
    const directory = await this.directory();
    return Promise.all(
      directory.map(async (h): Promise<GatekeeperAnswer> => {
        if (!h.endpoint)
          return {
            ok: false,
            mspId: h.mspId,
            name: h.name,
            message: `${h.name} publishes no record service, so its records cannot be asked for.`,
          };
        if (!identity)
          return {
            ok: false,
            mspId: h.mspId,
            name: h.name,
            message: 'Sign in again: record requests are signed in your name.',
          };
        try {
          return await this.#fetchFrom(h, h.endpoint, request, identity);
        } catch (err) {
          const aborted = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
          return {
            ok: false,
            mspId: h.mspId,
            name: h.name,
            message: aborted
              ? `${h.name}'s record service did not answer within ${Math.round((this.#o.timeoutMs ?? 10_000) / 1000)} seconds; what this workstation already holds is shown.`
              : `${h.name}'s record service could not be reached (${(err as Error).message}); what this workstation already holds is shown.`,
          };
        }
      }),
    );
  }

  async #fetchFrom(
    h: GatekeeperDirectoryEntry,
    base: string,
    request: RecordsRequest,
    identity: StaffSigningKey,
  ): Promise<GatekeeperAnswer> {
    const params = new URLSearchParams({
      patient: request.patientDid,
      purpose: request.purpose,
      category: request.categories.join(','),
      _count: String(PAGE_SIZE),
    });
    if (request.breakGlass) {
      params.set('break-glass-reason', request.breakGlass.reasonCode);
      params.set('break-glass-note-sha256', request.breakGlass.noteSha256);
    }
    const since = request.since?.[h.mspId];
    if (since) params.set('_since', since);
    let url: string | null = `${base}/Patient/$everything?${params.toString()}`;
    const resources: object[] = [];
    const withheld: Record<string, string> = {};
    const skipped: string[] = [];
    let asOf: string | null = null;
    const der = new Uint8Array(new X509Certificate(identity.certificatePem).raw);
    const key = await globalThis.crypto.subtle.importKey(
      'pkcs8',
      identity.privateKey.export({ format: 'der', type: 'pkcs8' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    for (let page = 0; url && page < (this.#o.maxPages ?? 20); page++) {
      // The first page carries the view's request id (its access entry names it); each next page is a new request.
      const requestId = page === 0 ? request.requestId : `urn:uuid:${randomUUID()}`;
      const headers = await signRequest({
        method: 'GET',
        targetUri: url,
        certificateDer: der,
        privateKey: key,
        requestId,
      });
      const response = await (this.#o.fetch ?? fetch)(url, {
        headers: { ...headers, accept: 'application/fhir+json' },
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
      });
      const body = (await response.json().catch(() => undefined)) as Bundle | OperationOutcome | undefined;
      if (!response.ok) {
        const text = outcomeText(body?.resourceType === 'OperationOutcome' ? body : undefined);
        return {
          ok: false,
          mspId: h.mspId,
          name: h.name,
          message: `${h.name} refused: ${text ?? `HTTP ${response.status}`}`,
        };
      }
      if (body?.resourceType !== 'Bundle')
        return {
          ok: false,
          mspId: h.mspId,
          name: h.name,
          message: `${h.name}'s record service answered something that is not a FHIR Bundle; nothing from it was kept.`,
        };
      asOf ??= body.meta?.lastUpdated ?? null;
      for (const entry of body.entry ?? []) {
        const resource = entry.resource;
        if (entry.search?.mode === 'outcome' && resource?.resourceType === 'OperationOutcome') {
          for (const issue of (resource as OperationOutcome).issue ?? []) {
            const coding = issue.details?.coding ?? [];
            const category = coding.find((c) => c.system === EXCHANGE_SYSTEMS.category)?.code;
            const decision = coding.find((c) => c.system === EXCHANGE_SYSTEMS.decision)?.code;
            if (decision === 'withheld-consent' && category)
              withheld[category] = issue.details?.text ?? 'Withheld by consent.';
            if (decision === 'withheld-invalid')
              skipped.push(
                `${issue.expression?.[0] ?? 'A record'}: not valid FHIR (${issue.diagnostics ?? 'invalid'}); withheld by ${h.name}.`,
              );
          }
          continue;
        }
        if (resource) resources.push(resource);
      }
      const next = body.link?.find((l) => l.relation === 'next')?.url;
      url = next ?? null;
    }
    return { ok: true, mspId: h.mspId, name: h.name, resources, withheld, skipped, asOf };
  }
}
