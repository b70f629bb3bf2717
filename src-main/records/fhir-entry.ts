/**
 * One FHIR R4 resource in a clinician's words: the list line, the date, and for observations the
 * LOINC code, value and UCUM unit the trend plots use. Typed with `@types/fhir` R4.
 */
import type {
  AllergyIntolerance,
  CodeableConcept,
  Condition,
  DocumentReference,
  Encounter,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Procedure,
  Resource,
} from 'fhir/r4';
import { kindOfResourceType } from '../../src-shared/records/vocab';
import type { RecordCategory } from '../../src-shared/records/schemas';

export interface EntryFacts {
  category: RecordCategory | undefined;
  title: string;
  detail: string;
  occurredAt: string | null;
  severity: string | null;
  code: string | null;
  value: number | null;
  unit: string | null;
  hasDocument: boolean;
}

const LOINC = 'http://loinc.org';

function textOf(concept: CodeableConcept | undefined, fallback = 'Unnamed record'): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? fallback;
}

function joined(parts: ReadonlyArray<string | undefined | null>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(' · ');
}

function loincOf(concept: CodeableConcept | undefined): string | null {
  return concept?.coding?.find((c) => c.system === LOINC)?.code ?? null;
}

/** Facts of one resource; `category` undefined when its type is not a chart category. */
export function entryFacts(resource: Resource): EntryFacts {
  const base: EntryFacts = {
    category: kindOfResourceType(resource.resourceType),
    title: resource.resourceType,
    detail: '',
    occurredAt: null,
    severity: null,
    code: null,
    value: null,
    unit: null,
    hasDocument: false,
  };
  switch (resource.resourceType) {
    case 'Condition': {
      const r = resource as Condition;
      return {
        ...base,
        title: textOf(r.code),
        detail: joined([textOf(r.clinicalStatus, ''), textOf(r.verificationStatus, '')]),
        occurredAt: r.onsetDateTime ?? r.recordedDate ?? null,
      };
    }
    case 'Observation': {
      const r = resource as Observation;
      const q = r.valueQuantity;
      const components = (r.component ?? []).map((c) =>
        c.valueQuantity?.value !== undefined
          ? `${textOf(c.code)} ${c.valueQuantity.value} ${c.valueQuantity.unit ?? c.valueQuantity.code ?? ''}`.trim()
          : undefined,
      );
      const value =
        q?.value !== undefined
          ? `${q.value} ${q.unit ?? q.code ?? ''}`.trim()
          : (r.valueString ?? textOf(r.valueCodeableConcept, ''));
      return {
        ...base,
        title: textOf(r.code),
        detail: joined([value, ...components, r.interpretation?.[0] ? textOf(r.interpretation[0], '') : undefined]),
        occurredAt: r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued ?? null,
        code: loincOf(r.code),
        value: typeof q?.value === 'number' ? q.value : null,
        unit: q?.code ?? q?.unit ?? null,
      };
    }
    case 'MedicationStatement': {
      const r = resource as MedicationStatement;
      return {
        ...base,
        title: textOf(r.medicationCodeableConcept),
        detail: joined([r.status, r.dosage?.[0]?.text]),
        occurredAt: r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.dateAsserted ?? null,
      };
    }
    case 'MedicationRequest': {
      const r = resource as MedicationRequest;
      return {
        ...base,
        title: textOf(r.medicationCodeableConcept),
        detail: joined([r.status, r.dosageInstruction?.[0]?.text]),
        occurredAt: r.authoredOn ?? null,
      };
    }
    case 'AllergyIntolerance': {
      const r = resource as AllergyIntolerance;
      const reactions = (r.reaction ?? []).flatMap((x) => (x.manifestation ?? []).map((m) => textOf(m, '')));
      const severity = r.reaction?.find((x) => x.severity)?.severity ?? (r.criticality === 'high' ? 'severe' : null);
      return {
        ...base,
        title: textOf(r.code),
        detail: joined([
          r.criticality ? `criticality ${r.criticality}` : undefined,
          severity ?? undefined,
          ...reactions,
        ]),
        occurredAt: r.recordedDate ?? r.onsetDateTime ?? null,
        severity,
      };
    }
    case 'Immunization': {
      const r = resource as Immunization;
      return {
        ...base,
        title: textOf(r.vaccineCode),
        detail: joined([r.status, r.lotNumber ? `lot ${r.lotNumber}` : undefined]),
        occurredAt: r.occurrenceDateTime ?? null,
      };
    }
    case 'Procedure': {
      const r = resource as Procedure;
      return {
        ...base,
        title: textOf(r.code),
        detail: joined([r.status, r.outcome ? textOf(r.outcome, '') : undefined]),
        occurredAt: r.performedDateTime ?? r.performedPeriod?.start ?? null,
      };
    }
    case 'Encounter': {
      const r = resource as Encounter;
      return {
        ...base,
        title: r.type?.[0] ? textOf(r.type[0]) : `${r.class?.display ?? r.class?.code ?? 'Visit'}`,
        detail: joined([r.status, r.reasonCode?.[0] ? textOf(r.reasonCode[0], '') : undefined]),
        occurredAt: r.period?.start ?? null,
      };
    }
    case 'DocumentReference': {
      const r = resource as DocumentReference;
      const pdf =
        r.content?.some(
          (c) => c.attachment?.contentType === 'application/pdf' && typeof c.attachment.data === 'string',
        ) ?? false;
      return {
        ...base,
        title: r.description ?? textOf(r.type, 'Document'),
        detail: joined([r.content?.[0]?.attachment?.title, r.status]),
        occurredAt: r.date ?? null,
        hasDocument: pdf,
      };
    }
    default:
      return base;
  }
}

/** The PDF attached to a DocumentReference, as base64, if any. */
export function pdfOf(resource: Resource): { fileName: string; base64: string } | undefined {
  if (resource.resourceType !== 'DocumentReference') return undefined;
  const attachment = (resource as DocumentReference).content?.find(
    (c) => c.attachment?.contentType === 'application/pdf' && typeof c.attachment.data === 'string',
  )?.attachment;
  if (!attachment?.data) return undefined;
  return {
    fileName: attachment.title ? `${attachment.title.replace(/[^A-Za-z0-9 ._-]/g, '')}.pdf` : 'document.pdf',
    base64: attachment.data,
  };
}

/** Usual adult reference ranges for the trend plots' shaded band, by LOINC code (null: none shown). */
export const REFERENCE_RANGES: Readonly<Record<string, { label: string; low: number | null; high: number | null }>> = {
  '29463-7': { label: 'Body weight', low: null, high: null },
  '8480-6': { label: 'Systolic blood pressure', low: 90, high: 120 },
  '8462-4': { label: 'Diastolic blood pressure', low: 60, high: 80 },
  '4548-4': { label: 'HbA1c', low: 4, high: 5.6 },
  '2160-0': { label: 'Creatinine', low: 0.6, high: 1.3 },
  '8867-4': { label: 'Heart rate', low: 60, high: 100 },
  '8310-5': { label: 'Body temperature', low: 36.1, high: 37.2 },
  '2345-7': { label: 'Glucose', low: 70, high: 99 },
  '718-7': { label: 'Haemoglobin', low: 12, high: 17.5 },
  '2823-3': { label: 'Potassium', low: 3.5, high: 5.1 },
  '2951-2': { label: 'Sodium', low: 135, high: 145 },
};

/** LOINC codes of vital signs (the summary's "latest vitals"). */
export const VITAL_SIGNS = new Set([
  '29463-7',
  '8480-6',
  '8462-4',
  '8867-4',
  '8310-5',
  '85354-9',
  '9279-1',
  '2708-6',
  '39156-5',
  '8302-2',
]);
