/**
 * The record gatekeeper: a FHIR R4 REST facade over one backing FHIR store that releases a
 * patient's records to a signed request of a registered hospital only as far as the patient's
 * consent on the ledger allows, logs every decision on the ledger BEFORE releasing anything,
 * and puts each released resource's anchor on it (docs/formats/record-exchange.md).
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateResource } from '@medplum/core';
import type { Bundle, BundleEntry, CapabilityStatement, OperationOutcome, OperationOutcomeIssue, Resource } from 'fhir/r4';
import {
  BREAK_GLASS_REASONS,
  DEFAULT_PAGE_SIZE,
  EXCHANGE_SYSTEMS,
  HEADERS,
  KIND_RESOURCE_TYPES,
  MAX_PAGE_SIZE,
  PATIENT_DID_PATTERN,
  RECORD_KINDS,
  canonicalJson,
  isPurposeOfUse,
  isRecordCategory,
  isSensitiveCategory,
  kindOfResourceType,
  sensitiveCategoriesOf,
  type RecordAnchorFields,
  type RecordCategory,
  type RecordKind,
  type ReleaseDecision,
} from '../../../src-shared/records';
import { categoryInWords, purposeInWords } from '../../../src-shared/admission/consent-words';
import { hospitalPseudonym, type PseudonymKey } from '../../../src-main/admission/pseudonym';
import { AnchorJob, AnchorKeys, EXCHANGE_RESOURCE_TYPES, releasedForm } from './anchors';
import { type Requester, ReplayCache, authenticate } from './auth';
import { type GatekeeperLedger, LedgerRefused, LedgerUnavailable, type ReleaseEntry } from './ledger';
import { GatekeeperRefusal, LEDGER_DOWN_SENTENCE, refusalOutcome } from './outcome';
import { type FhirStore, StoreInvalid, StoreTimeout, StoreUnavailable } from './store';

const MAX_BODY_BYTES = 64 * 1024;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
/** Roles that may ask for records: clinicians; the privacy office for running the hospital (access reviews). */
const REQUEST_ROLES = ['clinician', 'privacy'] as const;
const KNOWN_PARAMETERS = new Set(['patient', 'purpose', 'category', '_since', '_count', '_page', 'break-glass-reason', 'break-glass-note-sha256']);

export interface GatekeeperOptions {
  ledger: GatekeeperLedger;
  store: FhirStore;
  /** The FHIR base URL this gatekeeper is reached at (its DID service endpoint), e.g. http://127.0.0.1:7311/fhir. */
  publicBaseUrl: string;
  /** The hospital's pseudonym keys (CARELEDGER_PSEUDONYM_KEYS), to recognise its own open admissions. */
  pseudonymKeys: readonly PseudonymKey[];
  /** At least 32 bytes: derives record ids and salts. */
  anchorSecret: Uint8Array;
  /** Where break-the-glass releases made while the ledger was down wait (JSON lines); default in memory. */
  offlineLogPath?: string;
  /** Where the anchor job keeps its cursor. */
  anchorStatePath?: string;
  clock?: () => Date;
  log?: (line: string) => void;
}

interface RecordQuery {
  patientDid: string;
  purpose: string;
  categories: RecordCategory[];
  since?: string;
  count: number;
  offset: number;
  breakGlass?: { reasonCode: string; noteSha256?: string };
}

interface OfflineRelease {
  entry: ReleaseEntry;
}

function one(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw new GatekeeperRefusal('PARAMETER_INVALID', `${name} may be given once.`);
  return all[0];
}

/** Reads and checks the query of a record request (after the signature passed). */
export function parseRecordQuery(params: URLSearchParams, impliedKind?: RecordKind): RecordQuery {
  for (const name of params.keys()) if (!KNOWN_PARAMETERS.has(name)) throw new GatekeeperRefusal('PARAMETER_INVALID', `Unknown parameter '${name}'; accepted: ${[...KNOWN_PARAMETERS].join(', ')}.`);
  const patientDid = one(params, 'patient');
  if (!patientDid || !PATIENT_DID_PATTERN.test(patientDid)) throw new GatekeeperRefusal('PATIENT_NOT_DID', `patient must be the patient's wallet DID (did:key:z… or did:jwk:…); got '${(patientDid ?? '').slice(0, 60)}'.`);
  const purpose = one(params, 'purpose');
  if (!purpose || !isPurposeOfUse(purpose)) throw new GatekeeperRefusal('PURPOSE_UNKNOWN', `purpose must be one of TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH; got '${(purpose ?? '').slice(0, 30)}'.`);
  const named = params.getAll('category').flatMap((c) => c.split(',')).map((c) => c.trim()).filter((c) => c !== '');
  for (const c of named) if (!isRecordCategory(c)) throw new GatekeeperRefusal('CATEGORY_UNKNOWN', `'${c.slice(0, 40)}' is not a record category; see docs/formats/record-exchange.md §3 for the list.`);
  let categories: RecordCategory[];
  if (impliedKind) categories = [impliedKind, ...(named as RecordCategory[]).filter((c) => isSensitiveCategory(c))];
  else categories = named.length > 0 ? (named as RecordCategory[]) : [...RECORD_KINDS];
  categories = [...new Set(categories)];
  const countText = one(params, '_count');
  const count = countText === undefined ? DEFAULT_PAGE_SIZE : Number(countText);
  if (!Number.isSafeInteger(count) || count < 1) throw new GatekeeperRefusal('COUNT_TOO_LARGE', `_count must be a whole number from 1 to ${MAX_PAGE_SIZE}; got '${String(countText).slice(0, 20)}'.`);
  if (count > MAX_PAGE_SIZE) throw new GatekeeperRefusal('COUNT_TOO_LARGE', `_count may be at most ${MAX_PAGE_SIZE}; follow the next link for more.`);
  const since = one(params, '_since');
  if (since !== undefined && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(since) || Number.isNaN(Date.parse(since)))) throw new GatekeeperRefusal('PARAMETER_INVALID', `_since must be a FHIR instant such as 2026-11-21T10:00:00Z; got '${since.slice(0, 40)}'.`);
  const page = one(params, '_page');
  let offset = 0;
  if (page !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as { o?: unknown };
      if (typeof decoded.o !== 'number' || !Number.isSafeInteger(decoded.o) || decoded.o < 0) throw new Error('bad');
      offset = decoded.o;
    } catch {
      throw new GatekeeperRefusal('PARAMETER_INVALID', '_page is not a page token of this gatekeeper; follow the next link as given.');
    }
  }
  const reason = one(params, 'break-glass-reason');
  const note = one(params, 'break-glass-note-sha256');
  let breakGlass: RecordQuery['breakGlass'];
  if (reason !== undefined) {
    if (!(BREAK_GLASS_REASONS as readonly string[]).includes(reason)) throw new GatekeeperRefusal('PARAMETER_INVALID', `break-glass-reason must be one of ${BREAK_GLASS_REASONS.join(', ')}.`);
    if (note !== undefined && !/^[0-9a-f]{64}$/.test(note)) throw new GatekeeperRefusal('PARAMETER_INVALID', 'break-glass-note-sha256 must be 64 lower-case hex digits (the SHA-256 of the note kept in your hospital).');
    if (purpose !== 'TREAT' && purpose !== 'ETREAT') throw new GatekeeperRefusal('BREAK_GLASS_PURPOSE', 'Break-the-glass releases records for treatment only: use purpose ETREAT (or TREAT).');
    breakGlass = note === undefined ? { reasonCode: reason } : { reasonCode: reason, noteSha256: note };
  } else if (note !== undefined) {
    throw new GatekeeperRefusal('PARAMETER_INVALID', 'break-glass-note-sha256 needs a break-glass-reason.');
  }
  return { patientDid, purpose, categories, since, count, offset, breakGlass };
}

function decisionIssue(category: string, decision: ReleaseDecision, text: string): OperationOutcomeIssue {
  return { severity: 'information', code: decision === 'withheld-consent' ? 'suppressed' : 'informational', details: { coding: [{ system: EXCHANGE_SYSTEMS.category, code: category }, { system: EXCHANGE_SYSTEMS.decision, code: decision }], text } };
}

export class RecordGatekeeper {
  private server: Server | undefined;
  private readonly replay = new ReplayCache();
  private readonly keys: AnchorKeys;
  readonly anchorJob: AnchorJob;
  private readonly clock: () => Date;
  private readonly log: (line: string) => void;
  private readonly base: URL;
  private readonly offline: OfflineRelease[] = [];
  /** Content hash → '' (valid) or the validator's message. */
  private readonly validated = new Map<string, string>();
  private organisations = new Map<string, { value: { kind: string; did: string } | undefined; at: number }>();

  constructor(private readonly options: GatekeeperOptions) {
    this.keys = new AnchorKeys(options.anchorSecret);
    this.anchorJob = new AnchorJob(options.store, options.ledger, this.keys, options.pseudonymKeys, options.anchorStatePath);
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? (() => {});
    this.base = new URL(options.publicBaseUrl.replace(/\/$/, ''));
    if (options.offlineLogPath && existsSync(options.offlineLogPath)) {
      for (const line of readFileSync(options.offlineLogPath, 'utf8').split('\n')) if (line.trim()) this.offline.push(JSON.parse(line) as OfflineRelease);
    }
  }

  get baseUrl(): string {
    return this.base.toString().replace(/\/$/, '');
  }

  /** Break-the-glass releases made while the ledger was down and not yet on it. */
  get pendingOffline(): number {
    return this.offline.length;
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    server?.closeAllConnections();
  }

  private trust(): { channelMsps: GatekeeperLedger['channelMsps']; organisation: (m: string) => Promise<{ kind: string; did: string } | undefined> } {
    return {
      channelMsps: () => this.options.ledger.channelMsps(),
      organisation: async (mspId) => {
        const cached = this.organisations.get(mspId);
        if (cached && Date.now() - cached.at < 60_000) return cached.value;
        const org = await this.options.ledger.organisation(mspId);
        const value = org ? { kind: org.kind, did: org.did } : undefined;
        this.organisations.set(mspId, { value, at: Date.now() });
        return value;
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', this.base.origin);
      const basePath = this.base.pathname.replace(/\/$/, '');
      if (!url.pathname.startsWith(`${basePath}/`)) throw new GatekeeperRefusal('NOT_FOUND', `Nothing here; the FHIR base is ${this.baseUrl}.`);
      const route = url.pathname.slice(basePath.length + 1);
      const method = (req.method ?? 'GET').toUpperCase();
      if (route === 'metadata' && method === 'GET') return send(res, 200, this.capabilityStatement());
      if (route === 'consent/grant' || route === 'consent/revoke') {
        if (method !== 'POST') throw new GatekeeperRefusal('METHOD_NOT_ALLOWED', `Use POST for ${route}.`);
        return await this.consentAction(route === 'consent/grant' ? 'grant' : 'revoke', body, res);
      }
      const kind = route === 'Patient/$everything' ? undefined : kindOfResourceType(route);
      if (route !== 'Patient/$everything' && (kind === undefined || route.includes('/'))) throw new GatekeeperRefusal('NOT_FOUND', `Unknown path /${route}; the gatekeeper answers Patient/$everything, a per-category search (${EXCHANGE_RESOURCE_TYPES.join(', ')}), metadata and consent/grant|revoke.`);
      if (method !== 'GET') throw new GatekeeperRefusal('METHOD_NOT_ALLOWED', 'The gatekeeper releases records only (GET); records are written in the hospital’s own EHR.');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
      const targetUri = `${this.base.origin}${url.pathname}${url.search}`;
      const { requester, requestId } = await authenticate({ method, targetUri, headers, body }, this.trust(), this.replay, this.clock(), REQUEST_ROLES);
      const query = parseRecordQuery(url.searchParams, route === 'Patient/$everything' ? undefined : kind);
      // The privacy office reads records to run the hospital (access reviews), never to treat.
      if (requester.role === 'privacy' && query.purpose !== 'HOPERAT') throw new GatekeeperRefusal('ROLE_NOT_ALLOWED', 'Privacy officers may ask for records for running the hospital (purpose HOPERAT) only; treatment requests come from clinicians.');
      await this.release(query, requester, requestId, url, headers['if-none-match'], res);
    } catch (error) {
      this.refuse(res, error);
    }
  }

  private refuse(res: ServerResponse, error: unknown): void {
    let refusal: GatekeeperRefusal;
    if (error instanceof GatekeeperRefusal) refusal = error;
    else if (error instanceof LedgerUnavailable) {
      this.log(`ledger unavailable: ${error.message}`);
      refusal = new GatekeeperRefusal('LEDGER_UNAVAILABLE', LEDGER_DOWN_SENTENCE, { 'retry-after': '30' });
    }
    else if (error instanceof StoreTimeout) refusal = new GatekeeperRefusal('BACKEND_TIMEOUT', `${error.message} Nothing was released; try again shortly.`);
    else if (error instanceof StoreUnavailable) refusal = new GatekeeperRefusal('BACKEND_UNAVAILABLE', `${error.message} Nothing was released; try again shortly.`, { 'retry-after': '30' });
    else if (error instanceof StoreInvalid) refusal = new GatekeeperRefusal('BACKEND_INVALID', `${error.message} Nothing was released; the hospital's IT has been told.`);
    else {
      this.log(`gatekeeper fault: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      refusal = new GatekeeperRefusal('INTERNAL', 'The gatekeeper failed to answer this request. Nothing was released; try again, and tell the hospital’s IT if it persists.');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, refusal.status, refusalOutcome(refusal.code, refusal.message), refusal.headers);
  }

  /** The decision, the release entry on the ledger, then (only then) the records. */
  private async release(query: RecordQuery, requester: Requester, requestId: string, url: URL, ifNoneMatch: string | undefined, res: ServerResponse): Promise<void> {
    const { ledger } = this.options;
    const now = this.clock();
    const ownHospital = requester.mspId === ledger.mspId;
    let decisions: Record<string, { decision: string; consentId?: string; reason: string }> = {};
    let ledgerDown = false;
    try {
      await this.flushOffline();
      decisions = await ledger.checkConsents(query.patientDid, requester.mspId, query.purpose, query.categories);
    } catch (error) {
      if (!(error instanceof LedgerUnavailable) || !query.breakGlass) throw error;
      ledgerDown = true;
    }
    let basis: ReleaseEntry['basis'] = 'consent';
    let encounterId: string | undefined;
    const permitted = new Set(query.categories.filter((c) => decisions[c]?.decision === 'permit'));
    if (query.breakGlass) {
      basis = 'break-glass';
      for (const c of query.categories) permitted.add(c);
    } else if (ownHospital && query.purpose === 'TREAT' && query.categories.some((c) => !isSensitiveCategory(c) && !permitted.has(c))) {
      encounterId = await ledger.openEncounter(this.options.pseudonymKeys.map((k) => hospitalPseudonym(k, query.patientDid)));
      if (encounterId) {
        basis = 'own-admission';
        for (const c of query.categories) if (!isSensitiveCategory(c)) permitted.add(c);
      }
    }
    const released = query.categories.filter((c) => permitted.has(c));
    // The consents relied on are cited in the entry; the chaincode re-checks exactly those.
    const consentIds = [...new Set(released.map((c) => decisions[c]).filter((d) => d?.decision === 'permit').map((d) => d!.consentId!))].sort();
    const withheld = query.categories.filter((c) => !permitted.has(c));
    const entry: ReleaseEntry = {
      entryId: `rel-${randomUUID()}`,
      requestId,
      patientDid: query.patientDid,
      purpose: query.purpose,
      categories: query.categories,
      released,
      withheld,
      decision: released.length > 0 ? 'released' : 'refused',
      basis: released.length > 0 ? basis : 'none',
      ...(consentIds.length > 0 && released.length > 0 ? { consentIds } : {}),
      ...(encounterId && released.length > 0 ? { encounterId } : {}),
      ...(query.breakGlass ? { breakGlass: query.breakGlass } : {}),
      requester: { mspId: requester.mspId, id: requester.id.slice(0, 1024), role: requester.role },
      ...(released.length === 0 ? { refusalCode: 'NO_CONSENT' } : {}),
      accessedAt: now.toISOString(),
    };
    let transactionId = 'offline';
    if (ledgerDown) {
      // Break-the-glass without the ledger: released, kept locally, and put on the ledger later.
      this.keepOffline({ entry });
    } else {
      try {
        transactionId = (await ledger.logRelease(entry)).transactionId;
      } catch (error) {
        if (error instanceof LedgerRefused) throw new GatekeeperRefusal('RELEASE_REFUSED_BY_LEDGER', `The ledger refused to log this release, so nothing was released: ${error.message}`);
        if (error instanceof LedgerUnavailable && query.breakGlass) this.keepOffline({ entry });
        else throw error;
      }
    }
    const bundle = await this.bundle(query, released, withheld, url, basis);
    const etag = `W/"${createHash('sha256').update(canonicalJson({ v: bundle.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}/${e.resource?.meta?.versionId}`), w: withheld })).digest('hex').slice(0, 32)}"`;
    const headers = { etag, [HEADERS.requestId]: requestId, [HEADERS.releaseEntry]: entry.entryId, [HEADERS.releaseTransaction]: transactionId };
    if (ifNoneMatch !== undefined && ifNoneMatch === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    send(res, 200, bundle, headers);
  }

  private async bundle(query: RecordQuery, released: RecordCategory[], withheld: RecordCategory[], url: URL, basis: ReleaseEntry['basis']): Promise<Bundle> {
    const { store } = this.options;
    const snapshot = this.clock().toISOString();
    const issues: OperationOutcomeIssue[] = [];
    const releasedSet = new Set<string>(released);
    for (const c of withheld) issues.push(decisionIssue(c, 'withheld-consent', `${capital(categoryInWords(c))} withheld: the patient's consent does not cover them for ${purposeInWords(query.purpose)}.`));
    const kinds = released.filter((c): c is RecordKind => !isSensitiveCategory(c));
    for (const c of released) issues.push(decisionIssue(c, basis === 'break-glass' ? 'released-break-glass' : 'released', `${capital(categoryInWords(c))} released${basis === 'break-glass' ? ' under break-the-glass' : ''}.`));
    let resources: Resource[] = [];
    if (kinds.length > 0) {
      // Only now, after the decision is on the ledger, is the store asked: "nothing you may see" never touches it.
      const patient = await store.findPatientByDid(query.patientDid);
      if (patient?.id) {
        for (const kind of kinds) for (const type of KIND_RESOURCE_TYPES[kind]) resources.push(...(await store.searchForPatient(type, patient.id, query.since)));
      }
    }
    // A resource goes out only if its kind AND every sensitive label on it are released.
    resources = resources.filter((r) => sensitiveCategoriesOf(r.meta?.security).every((s) => releasedSet.has(s)));
    resources.sort((a, b) => `${a.resourceType}/${a.id ?? ''}`.localeCompare(`${b.resourceType}/${b.id ?? ''}`));
    const valid: Resource[] = [];
    for (const resource of resources) {
      const form = releasedForm(resource);
      const problem = this.validationProblem(form);
      if (problem === undefined) valid.push(form);
      else issues.push({ severity: 'warning', code: 'invalid', expression: [`${resource.resourceType}/${resource.id ?? ''}`], diagnostics: problem.slice(0, 500), details: { coding: [{ system: EXCHANGE_SYSTEMS.decision, code: 'withheld-invalid' }], text: `${resource.resourceType}/${resource.id ?? ''} withheld: it is not valid FHIR R4 in the hospital's store.` } });
    }
    const page = valid.slice(query.offset, query.offset + query.count);
    const entries: BundleEntry[] = [];
    const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue: issues };
    entries.push({ resource: outcome, search: { mode: 'outcome' } });
    for (const resource of page) {
      entries.push({ fullUrl: `${this.baseUrl}/${resource.resourceType}/${resource.id ?? ''}`, resource: attachAnchor(resource, this.keys.fields(resource)), search: { mode: 'match' } });
    }
    const link: Bundle['link'] = [{ relation: 'self', url: `${this.base.origin}${url.pathname}${url.search}` }];
    if (query.offset + query.count < valid.length) {
      const next = new URLSearchParams(url.searchParams);
      next.set('_page', Buffer.from(JSON.stringify({ o: query.offset + query.count })).toString('base64url'));
      link.push({ relation: 'next', url: `${this.base.origin}${url.pathname}?${next.toString()}` });
    }
    return { resourceType: 'Bundle', type: 'searchset', meta: { lastUpdated: snapshot }, total: valid.length, link, entry: entries };
  }

  /**
   * FHIR validation of a resource as released; undefined when valid. Remembered by the exact
   * content (its SHA-256), so a chart asked for again is not validated again, and any change,
   * even one without a new version, is validated afresh.
   */
  private validationProblem(resource: Resource): string | undefined {
    const key = createHash('sha256').update(JSON.stringify(resource)).digest('base64');
    const known = this.validated.get(key);
    if (known !== undefined) return known === '' ? undefined : known;
    let problem = '';
    try {
      validateResource(resource as never);
    } catch (error) {
      problem = (error as Error).message || 'invalid';
    }
    if (this.validated.size >= 200_000) this.validated.clear();
    this.validated.set(key, problem);
    return problem === '' ? undefined : problem;
  }

  private keepOffline(record: OfflineRelease): void {
    this.offline.push(record);
    if (this.options.offlineLogPath) appendFileSync(this.options.offlineLogPath, `${JSON.stringify(record)}\n`);
    this.log(`break-the-glass release ${record.entry.entryId} kept offline; it goes on the ledger when the ledger is back`);
  }

  /** Puts break-the-glass releases made offline on the ledger: the batch's hash first, then each entry. */
  async flushOffline(): Promise<void> {
    if (this.offline.length === 0) return;
    const pending = [...this.offline];
    const lines = pending.map((r) => canonicalJson(r.entry));
    await this.options.ledger.anchorOfflineBatch({
      batchId: `gk-${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32)}`,
      batchSha256: createHash('sha256').update(lines.join('\n')).digest('hex'),
      count: pending.length,
      firstAccessAt: pending[0]!.entry.accessedAt,
      lastAccessAt: pending[pending.length - 1]!.entry.accessedAt,
    });
    for (const record of pending) {
      await this.options.ledger.logRelease(record.entry);
      this.offline.shift();
      if (this.options.offlineLogPath) writeFileSync(this.options.offlineLogPath, this.offline.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
  }

  /** A patient's consent grant or revocation, posted by their wallet; the chaincode verifies the signature. */
  private async consentAction(action: 'grant' | 'revoke', body: Uint8Array, res: ServerResponse): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      throw new GatekeeperRefusal('CONSENT_INVALID', `The body must be JSON: { "${action === 'grant' ? 'consentJwt' : 'revocationJwt'}": "<the JWT the wallet signed>" }.`);
    }
    const field = action === 'grant' ? 'consentJwt' : 'revocationJwt';
    const jwt = (parsed as Record<string, unknown> | null)?.[field];
    if (typeof jwt !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jwt)) throw new GatekeeperRefusal('CONSENT_INVALID', `${field} must be the compact JWT the patient's wallet signed.`);
    try {
      const receipt = action === 'grant' ? await this.options.ledger.recordConsent(jwt) : await this.options.ledger.revokeConsent(jwt);
      send(res, action === 'grant' ? 201 : 200, { consentId: receipt.consentId, status: receipt.status, transactionId: receipt.transactionId }, {}, 'application/json; charset=utf-8');
    } catch (error) {
      this.log(`consent ${action} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof LedgerRefused) {
        if (error.code === 'NOT_FOUND') throw new GatekeeperRefusal('CONSENT_NOT_FOUND', `${error.message} Check the consent id in the wallet.`);
        if (error.code === 'INVALID_STATE') throw new GatekeeperRefusal('CONSENT_ALREADY_REVOKED', error.message);
        throw new GatekeeperRefusal('CONSENT_INVALID', `The ledger refused this ${action === 'grant' ? 'consent' : 'revocation'}: ${error.message}`);
      }
      throw error;
    }
  }

  private capabilityStatement(): CapabilityStatement {
    return {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-12-07',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['application/fhir+json'],
      implementation: { description: `CareLedger record gatekeeper of ${this.options.ledger.mspId} (docs/formats/record-exchange.md)`, url: this.baseUrl },
      rest: [
        {
          mode: 'server',
          security: { description: 'Every request is signed with HTTP Message Signatures (RFC 9421, ecdsa-p256-sha256) by a staff member’s ledger identity; records are released only as far as the patient’s consent on the ledger allows.' },
          resource: EXCHANGE_RESOURCE_TYPES.map((type) => ({ type: type as 'Patient', interaction: [{ code: 'search-type' as const }], searchParam: [{ name: 'patient', type: 'token' as const }, { name: 'purpose', type: 'token' as const }, { name: 'category', type: 'token' as const }, { name: '_since', type: 'date' as const }] })),
          operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }],
        },
      ],
    };
  }
}

/**
 * The anchor extension put on a resource that is already the gatekeeper's own copy (releasedForm
 * cloned it): the same result as src-shared's withAnchor, without two more deep copies per
 * resource on a 1,000-resource chart. An anchor extension the store itself carried is replaced.
 */
function attachAnchor<T extends Resource>(resource: T, anchor: RecordAnchorFields): T {
  const meta = (resource.meta ??= {});
  meta.extension = [
    ...(meta.extension ?? []).filter((e) => e.url !== EXCHANGE_SYSTEMS.anchorExtension),
    { url: EXCHANGE_SYSTEMS.anchorExtension, extension: [{ url: 'recordId', valueString: anchor.recordId }, { url: 'salt', valueString: anchor.salt }] },
  ];
  return resource;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = FHIR_JSON): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length), 'cache-control': 'no-store', ...headers });
  res.end(bytes);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new GatekeeperRefusal('BODY_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES / 1024} KiB; a gatekeeper request carries at most a consent JWT.`);
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
