/**
 * Anchors (docs/formats/record-exchange.md §9): a stable record id and a per-version salt, both
 * derived from the gatekeeper's anchor secret (so nothing has to be stored to find them again),
 * and the background job that anchors every resource version once, in bounded, resumable batches.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Resource } from 'fhir/r4';
import { KIND_RESOURCE_TYPES, RECORD_KINDS, kindOfResourceType, saltedHash, sensitiveCategoriesOf, type RecordAnchorFields } from '../../../src-shared/records';
import { currentPseudonymKey, hospitalPseudonym, type PseudonymKey } from '../../../src-main/admission/pseudonym';
import { type AnchorInput, type GatekeeperLedger } from './ledger';
import { type FhirStore } from './store';

/** Server-internal meta the gatekeeper never releases (nor hashes). */
const INTERNAL_META = ['author', 'project', 'compartment', 'account', 'source', 'onBehalfOf'] as const;

/** The resource as it is anchored and released: without server-internal meta. */
export function releasedForm<T extends Resource>(resource: T): T {
  const copy = structuredClone(resource);
  if (copy.meta) {
    const meta = copy.meta as Record<string, unknown>;
    for (const name of INTERNAL_META) delete meta[name];
  }
  return copy;
}

export class AnchorKeys {
  constructor(private readonly secret: Uint8Array) {
    if (secret.length < 32) throw new Error('The anchor secret must be at least 32 bytes.');
  }

  recordId(resource: Resource): string {
    return `rec-${createHmac('sha256', this.secret).update(`record\u0000${resource.resourceType}/${resource.id ?? ''}`).digest('base64url').slice(0, 32)}`;
  }

  salt(resource: Resource): string {
    return createHmac('sha256', this.secret).update(`salt\u0000${resource.resourceType}/${resource.id ?? ''}\u0000${resource.meta?.versionId ?? ''}`).digest().subarray(0, 16).toString('base64url');
  }

  fields(resource: Resource): RecordAnchorFields {
    return { recordId: this.recordId(resource), salt: this.salt(resource) };
  }
}

/** Every resource type the exchange carries. */
export const EXCHANGE_RESOURCE_TYPES: readonly string[] = RECORD_KINDS.flatMap((k) => KIND_RESOURCE_TYPES[k]);

/** The patient a resource is about: its own id for a Patient, else its subject/patient reference. */
export function patientIdOf(resource: Resource): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  const r = resource as { subject?: { reference?: string }; patient?: { reference?: string } };
  const reference = r.patient?.reference ?? r.subject?.reference;
  const match = reference ? /^Patient\/([^/]+)$/.exec(reference) : null;
  return match?.[1];
}

export interface AnchorJobState {
  /** meta.lastUpdated of the last resource handled. */
  cursor: string;
  anchored: number;
  unchanged: number;
  /** Resource versions whose content no longer matches their anchor (changed without a new version). */
  tampered: { reference: string; versionId: string; message: string }[];
}

/**
 * The anchoring job: reads the store's changes after its cursor, anchors each version once
 * (`Records:anchorRecords`, keyed by record id and source version), saves the cursor after each
 * batch (so a restart resumes there), and reports versions the ledger refuses as tampered.
 */
export class AnchorJob {
  state: AnchorJobState;

  constructor(
    private readonly store: FhirStore,
    private readonly ledger: GatekeeperLedger,
    private readonly keys: AnchorKeys,
    private readonly pseudonymKeys: readonly PseudonymKey[],
    private readonly statePath?: string,
  ) {
    this.state = statePath && existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as AnchorJobState) : { cursor: '1970-01-01T00:00:00.000Z', anchored: 0, unchanged: 0, tampered: [] };
  }

  private save(): void {
    if (!this.statePath) return;
    writeFileSync(`${this.statePath}.tmp`, JSON.stringify(this.state));
    renameSync(`${this.statePath}.tmp`, this.statePath);
  }

  /**
   * Re-hashes every resource from the start without moving the cursor: versions already anchored
   * come back unchanged, and a version whose content changed without a new version is refused by
   * the ledger and reported in `state.tampered`. Run it on a schedule (nightly on a real store).
   */
  async audit(options: { batchSize?: number; maxBatches?: number } = {}): Promise<number> {
    const saved = this.state.cursor;
    this.state.tampered = [];
    this.state.cursor = '1970-01-01T00:00:00.000Z';
    try {
      return await this.runOnce(options);
    } finally {
      this.state.cursor = saved;
      this.save();
    }
  }

  /** One bounded pass: at most `maxBatches` batches of `batchSize`. Returns how many versions it handled. */
  async runOnce(options: { batchSize?: number; maxBatches?: number } = {}): Promise<number> {
    const batchSize = Math.min(options.batchSize ?? 200, 200);
    let handled = 0;
    const didOf = new Map<string, string | undefined>();
    for (let batch = 0; batch < (options.maxBatches ?? 50); batch++) {
      const changed = await this.store.changedSince(EXCHANGE_RESOURCE_TYPES, this.state.cursor, batchSize);
      if (changed.length === 0) break;
      const anchors: AnchorInput[] = [];
      for (const resource of changed) {
        const patientId = patientIdOf(resource);
        if (!patientId || !resource.id || !resource.meta?.versionId) continue;
        if (!didOf.has(patientId)) {
          const patient = await this.store.read('Patient', patientId);
          didOf.set(patientId, (patient as { identifier?: { system?: string; value?: string }[] } | undefined)?.identifier?.find((i) => i.system === 'urn:ietf:rfc:3986' && i.value?.startsWith('did:'))?.value);
        }
        const did = didOf.get(patientId);
        if (!did) continue;
        const form = releasedForm(resource);
        const kind = kindOfResourceType(resource.resourceType);
        const sensitive = sensitiveCategoriesOf(resource.meta.security);
        anchors.push({
          recordId: this.keys.recordId(resource),
          patientPseudonym: hospitalPseudonym(currentPseudonymKey(this.pseudonymKeys), did),
          saltedHash: await saltedHash(form, this.keys.salt(resource)),
          category: sensitive[0] ?? kind,
          sourceVersion: resource.meta.versionId.replace(/[^A-Za-z0-9._:~-]/g, '-'),
        });
      }
      // One anchor per record per batch (the contract's rule): a later version waits for the next batch.
      const seen = new Set<string>();
      const unique = anchors.filter((a) => (seen.has(a.recordId) ? false : (seen.add(a.recordId), true)));
      if (unique.length > 0) {
        const result = await this.ledger.anchorRecords(unique);
        this.state.anchored += result.anchored.length;
        this.state.unchanged += result.unchanged.length;
        for (const refusal of result.refused) {
          const source = changed.find((r) => this.keys.recordId(r) === refusal.recordId);
          this.state.tampered.push({ reference: source ? `${source.resourceType}/${source.id ?? ''}` : refusal.recordId, versionId: refusal.sourceVersion ?? '', message: refusal.message });
        }
      }
      const last = changed[changed.length - 1]?.meta?.lastUpdated;
      if (last) {
        // Several resources may share one lastUpdated: after a full batch, step back one
        // millisecond so the rest of that instant is read again (anchoring is idempotent).
        const back = new Date(Date.parse(last) - 1).toISOString();
        this.state.cursor = changed.length >= batchSize && back > this.state.cursor ? back : last;
      }
      handled += changed.length;
      this.save();
      if (changed.length < batchSize) break;
    }
    return handled;
  }
}
