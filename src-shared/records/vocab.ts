/**
 * The record-exchange vocabulary shared by the record gatekeeper, the workstation's chart and the
 * chaincode's lists (docs/formats/record-exchange.md §3). Plain data: no node, no DOM.
 */

/** HL7 v3 PurposeOfUse codes a request or a consent may name. */
export const PURPOSES_OF_USE = ['TREAT', 'ETREAT', 'HPAYMT', 'HOPERAT', 'HRESCH'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

/** Kinds of record: every resource belongs to exactly one, by its resource type. */
export const RECORD_KINDS = ['demographics', 'encounters', 'conditions', 'medications', 'allergies', 'observations', 'procedures', 'immunizations', 'documents', 'imaging'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * Sensitive categories: FHIR security labels on a resource, released only under a consent that
 * names them explicitly (never by the own-hospital rule).
 */
export const SENSITIVE_CATEGORIES = ['mental-health', 'substance-use', 'sexual-health', 'genetics'] as const;
export type SensitiveCategory = (typeof SENSITIVE_CATEGORIES)[number];

/** Every category a consent or a request may name (the chaincode's list, in the same order). */
export const RECORD_CATEGORIES = [...RECORD_KINDS, ...SENSITIVE_CATEGORIES] as const;
export type RecordCategory = RecordKind | SensitiveCategory;

export function isSensitiveCategory(category: string): category is SensitiveCategory {
  return (SENSITIVE_CATEGORIES as readonly string[]).includes(category);
}

export function isRecordCategory(category: string): category is RecordCategory {
  return (RECORD_CATEGORIES as readonly string[]).includes(category);
}

export function isPurposeOfUse(purpose: string): purpose is PurposeOfUse {
  return (PURPOSES_OF_USE as readonly string[]).includes(purpose);
}

/** The resource types of each kind of record. */
export const KIND_RESOURCE_TYPES: Record<RecordKind, readonly string[]> = {
  demographics: ['Patient'],
  encounters: ['Encounter'],
  conditions: ['Condition'],
  medications: ['MedicationStatement', 'MedicationRequest'],
  allergies: ['AllergyIntolerance'],
  observations: ['Observation'],
  procedures: ['Procedure'],
  immunizations: ['Immunization'],
  documents: ['DocumentReference'],
  imaging: ['ImagingStudy'],
};

/** The kind of record a resource type belongs to; undefined for types the exchange does not carry. */
export function kindOfResourceType(resourceType: string): RecordKind | undefined {
  for (const kind of RECORD_KINDS) if (KIND_RESOURCE_TYPES[kind].includes(resourceType)) return kind;
  return undefined;
}

/** The code system of the sensitivity labels in `meta.security`. */
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** Security label codes recognised for each sensitive category (the first is the one we write). */
export const SENSITIVITY_LABELS: Record<SensitiveCategory, readonly string[]> = {
  'mental-health': ['MH', 'PSY'],
  'substance-use': ['SUD', 'ETH'],
  'sexual-health': ['SEX', 'STD', 'HIV', 'SDV'],
  genetics: ['GDIS'],
};

/** The sensitive categories a resource's `meta.security` labels put it in. */
export function sensitiveCategoriesOf(security: readonly { system?: string; code?: string }[] | undefined): SensitiveCategory[] {
  const found: SensitiveCategory[] = [];
  for (const category of SENSITIVE_CATEGORIES) {
    if ((security ?? []).some((label) => label.system === ACT_CODE_SYSTEM && label.code !== undefined && SENSITIVITY_LABELS[category].includes(label.code))) found.push(category);
  }
  return found;
}

/** Break-the-glass reason codes (the Access contract's list). */
export const BREAK_GLASS_REASONS = ['emergency-unconscious', 'emergency-life-threatening', 'emergency-incapacitated', 'emergency-other', 'legal-obligation'] as const;
export type BreakGlassReason = (typeof BREAK_GLASS_REASONS)[number];

/** The DID service type of a hospital's gatekeeper in its did:web document. */
export const GATEKEEPER_SERVICE_TYPE = 'CareLedgerRecordGatekeeper';

/** Code systems and URLs of the exchange (docs/formats/record-exchange.md). */
export const EXCHANGE_SYSTEMS = {
  category: 'https://careledger.example/fhir/CodeSystem/record-category',
  decision: 'https://careledger.example/fhir/CodeSystem/release-decision',
  error: 'https://careledger.example/fhir/CodeSystem/gatekeeper-error',
  anchorExtension: 'https://careledger.example/fhir/StructureDefinition/record-anchor',
} as const;

/** Per-category decisions in a response's outcome entry. */
export const RELEASE_DECISIONS = ['released', 'withheld-consent', 'released-break-glass', 'withheld-invalid'] as const;
export type ReleaseDecision = (typeof RELEASE_DECISIONS)[number];

/** Refusal codes of the gatekeeper (`details.coding` of its OperationOutcome). */
export const GATEKEEPER_ERRORS = [
  'PATIENT_NOT_DID',
  'PURPOSE_UNKNOWN',
  'CATEGORY_UNKNOWN',
  'COUNT_TOO_LARGE',
  'PARAMETER_INVALID',
  'BREAK_GLASS_PURPOSE',
  'DIGEST_MISMATCH',
  'SIGNATURE_MISSING',
  'SIGNATURE_MALFORMED',
  'SIGNATURE_EXPIRED',
  'SIGNATURE_INVALID',
  'CERTIFICATE_UNTRUSTED',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_REVOKED',
  'ORGANISATION_NOT_HOSPITAL',
  'ROLE_NOT_ALLOWED',
  'RELEASE_REFUSED_BY_LEDGER',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'REPLAYED',
  'BODY_TOO_LARGE',
  'BACKEND_INVALID',
  'LEDGER_UNAVAILABLE',
  'BACKEND_UNAVAILABLE',
  'BACKEND_TIMEOUT',
  'CONSENT_INVALID',
  'CONSENT_NOT_FOUND',
  'CONSENT_ALREADY_REVOKED',
  'INTERNAL',
] as const;
export type GatekeeperErrorCode = (typeof GATEKEEPER_ERRORS)[number];

/** Patient DIDs the exchange accepts: did:key or did:jwk (the chaincode's personDid). */
export const PATIENT_DID_PATTERN = /^did:(key:z[1-9A-HJ-NP-Za-km-z]+|jwk:[A-Za-z0-9_-]+)$/;

/** Largest `_count` a gatekeeper accepts, and its default. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 200;
