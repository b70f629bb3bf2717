/**
 * Realistic FHIR R4 demo and test records for a patient at one hospital: conditions (SNOMED CT
 * and ICD-10-CM), vital signs and laboratory results over time (LOINC, UCUM units), medication
 * statements (RxNorm), allergies, immunisations (CVX), procedures, encounters and letters
 * (DocumentReference with a small PDF), including records in sensitive categories, labelled
 * with HL7 security labels. Seeded: the same seed gives the same records.
 */
import type { AllergyIntolerance, Condition, DocumentReference, Encounter, FhirResource, Immunization, MedicationStatement, Observation, Patient, Procedure, Resource } from 'fhir/r4';
import { ACT_CODE_SYSTEM } from '../../../src-shared/records';

const SNOMED = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CVX = 'http://hl7.org/fhir/sid/cvx';
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

export interface DemoPatient {
  did: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: 'female' | 'male' | 'other' | 'unknown';
}

export interface GenerateOptions {
  /** Patient.id in the store (the loader keeps it). */
  patientId: string;
  hospitalName: string;
  seed?: number;
  /** Days of vital-sign and lab history (one reading set every `every` days). Default 120. */
  days?: number;
  every?: number;
  /** Include records in sensitive categories (mental health, substance use, sexual health, genetics). Default true. */
  sensitive?: boolean;
  /** The end of the history; default 2026-11-30. */
  until?: Date;
}

/** mulberry32: small and seedable, so a demo is the same on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const label = (code: string, display: string): { system: string; code: string; display: string } => ({ system: ACT_CODE_SYSTEM, code, display });
const day = (d: Date): string => d.toISOString().slice(0, 10);

/** A one-page PDF that says `text` (a real, minimal PDF 1.4 file). */
export function tinyPdf(text: string): string {
  const safe = text.replace(/[()\\]/g, ' ');
  const stream = `BT /F1 12 Tf 72 720 Td (${safe}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1').toString('base64');
}

/** The records of one patient at one hospital, Patient first; every other resource refers to Patient/<patientId>. */
export function generatePatientRecords(patient: DemoPatient, options: GenerateOptions): FhirResource[] {
  const rnd = random(options.seed ?? 7);
  const until = options.until ?? new Date('2026-11-30T09:00:00Z');
  const days = options.days ?? 120;
  const every = options.every ?? 7;
  const subject = { reference: `Patient/${options.patientId}` };
  const out: FhirResource[] = [];
  const patientResource: Patient = {
    resourceType: 'Patient',
    id: options.patientId,
    identifier: [{ system: 'urn:ietf:rfc:3986', value: patient.did }],
    name: [{ family: patient.familyName, given: [patient.givenName] }],
    gender: patient.gender,
    birthDate: patient.birthDate,
  };
  out.push(patientResource);
  const at = (daysAgo: number): Date => new Date(until.getTime() - daysAgo * 86_400_000);

  const encounter: Encounter = { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' }, subject, period: { start: at(days).toISOString(), end: at(days - 4).toISOString() }, serviceProvider: { display: options.hospitalName }, reasonCode: [{ coding: [{ system: SNOMED, code: '195967001', display: 'Asthma' }] }] };
  out.push(encounter, { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' }, subject, period: { start: at(30).toISOString(), end: at(30).toISOString() }, serviceProvider: { display: options.hospitalName } } satisfies Encounter);

  const condition = (snomed: [string, string], icd: [string, string], onsetDaysAgo: number, security?: ReturnType<typeof label>[]): Condition => ({
    resourceType: 'Condition',
    ...(security ? { meta: { security } } : {}),
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    code: { coding: [{ system: SNOMED, code: snomed[0], display: snomed[1] }, { system: ICD10, code: icd[0], display: icd[1] }], text: snomed[1] },
    subject,
    onsetDateTime: at(onsetDaysAgo).toISOString(),
    recordedDate: at(onsetDaysAgo).toISOString(),
  });
  out.push(
    condition(['195967001', 'Asthma'], ['J45.909', 'Unspecified asthma, uncomplicated'], 2000),
    condition(['44054006', 'Diabetes mellitus type 2'], ['E11.9', 'Type 2 diabetes mellitus without complications'], 900),
    condition(['38341003', 'Hypertensive disorder'], ['I10', 'Essential (primary) hypertension'], 700),
  );
  if (options.sensitive !== false) {
    out.push(
      condition(['35489007', 'Depressive disorder'], ['F32.1', 'Major depressive disorder, single episode, moderate'], 400, [label('MH', 'mental health information sensitivity')]),
      condition(['7200002', 'Alcoholism'], ['F10.20', 'Alcohol dependence, uncomplicated'], 1200, [label('SUD', 'substance use disorder information sensitivity')]),
    );
  }

  const quantity = (value: number, unit: string, code: string): { value: number; unit: string; system: string; code: string } => ({ value: Math.round(value * 10) / 10, unit, system: UCUM, code });
  const observation = (category: 'vital-signs' | 'laboratory', loinc: [string, string], when: Date, value: ReturnType<typeof quantity>, security?: ReturnType<typeof label>[]): Observation => ({
    resourceType: 'Observation',
    ...(security ? { meta: { security } } : {}),
    status: 'final',
    category: [{ coding: [{ system: OBS_CATEGORY, code: category }] }],
    code: { coding: [{ system: LOINC, code: loinc[0], display: loinc[1] }], text: loinc[1] },
    subject,
    effectiveDateTime: when.toISOString(),
    valueQuantity: value,
  });
  for (let d = days; d >= 0; d -= every) {
    const when = at(d);
    out.push(
      observation('vital-signs', ['8867-4', 'Heart rate'], when, quantity(68 + rnd() * 20, '/min', '/min')),
      observation('vital-signs', ['8310-5', 'Body temperature'], when, quantity(36.4 + rnd() * 1.2, 'Cel', 'Cel')),
      observation('vital-signs', ['29463-7', 'Body weight'], when, quantity(71 - (days - d) * 0.01 + rnd(), 'kg', 'kg')),
      {
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: OBS_CATEGORY, code: 'vital-signs' }] }],
        code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
        subject,
        effectiveDateTime: when.toISOString(),
        component: [
          { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: quantity(128 + rnd() * 18, 'mm[Hg]', 'mm[Hg]') },
          { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: quantity(78 + rnd() * 10, 'mm[Hg]', 'mm[Hg]') },
        ],
      } satisfies Observation,
      observation('laboratory', ['2345-7', 'Glucose [Mass/volume] in Serum or Plasma'], when, quantity(95 + rnd() * 60, 'mg/dL', 'mg/dL')),
    );
    if (d % (every * 4) === 0) {
      out.push(
        observation('laboratory', ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'], when, quantity(6.4 + rnd() * 1.4, '%', '%')),
        observation('laboratory', ['2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'], when, quantity(0.7 + rnd() * 0.4, 'mg/dL', 'mg/dL')),
        observation('laboratory', ['718-7', 'Hemoglobin [Mass/volume] in Blood'], when, quantity(12 + rnd() * 2.5, 'g/dL', 'g/dL')),
      );
    }
  }
  if (options.sensitive !== false) {
    out.push({
      resourceType: 'Observation',
      meta: { security: [label('GDIS', 'genetic disease information sensitivity')] },
      status: 'final',
      category: [{ coding: [{ system: OBS_CATEGORY, code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: '21636-6', display: 'BRCA1 gene mutations tested for in Blood or Tissue by Molecular genetics method Nominal' }] },
      subject,
      effectiveDateTime: at(300).toISOString(),
      valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA6577-6', display: 'Negative' }] },
    } satisfies Observation, {
      resourceType: 'Observation',
      meta: { security: [label('STD', 'sexually transmitted disease information sensitivity')] },
      status: 'final',
      category: [{ coding: [{ system: OBS_CATEGORY, code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: '21613-5', display: 'Chlamydia trachomatis DNA [Presence] in Specimen by NAA with probe detection' }] },
      subject,
      effectiveDateTime: at(500).toISOString(),
      valueCodeableConcept: { coding: [{ system: SNOMED, code: '260385009', display: 'Negative' }] },
    } satisfies Observation);
  }

  const medication = (rx: [string, string], startDaysAgo: number, dosage: string): MedicationStatement => ({
    resourceType: 'MedicationStatement',
    status: 'active',
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: rx[0], display: rx[1] }], text: rx[1] },
    subject,
    effectivePeriod: { start: day(at(startDaysAgo)) },
    dosage: [{ text: dosage }],
  });
  out.push(
    medication(['860975', 'metformin hydrochloride 500 MG Oral Tablet'], 880, '500 mg twice daily with meals'),
    medication(['314076', 'lisinopril 10 MG Oral Tablet'], 690, '10 mg once daily'),
    medication(['745679', 'albuterol 0.09 MG/ACTUAT Metered Dose Inhaler'], 1900, '2 puffs when needed for wheeze'),
  );
  out.push({
    resourceType: 'AllergyIntolerance',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
    type: 'allergy',
    category: ['medication'],
    criticality: 'high',
    code: { coding: [{ system: SNOMED, code: '764146007', display: 'Penicillin' }], text: 'Penicillin' },
    patient: subject,
    reaction: [{ manifestation: [{ coding: [{ system: SNOMED, code: '39579001', display: 'Anaphylaxis' }] }], severity: 'severe' }],
  } satisfies AllergyIntolerance);
  const immunization = (cvx: [string, string], daysAgo: number): Immunization => ({ resourceType: 'Immunization', status: 'completed', vaccineCode: { coding: [{ system: CVX, code: cvx[0], display: cvx[1] }] }, patient: subject, occurrenceDateTime: at(daysAgo).toISOString(), primarySource: true });
  out.push(immunization(['140', 'Influenza, seasonal, injectable, preservative free'], 60), immunization(['208', 'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose'], 420));
  out.push({ resourceType: 'Procedure', status: 'completed', code: { coding: [{ system: SNOMED, code: '80146002', display: 'Appendectomy' }] }, subject, performedDateTime: at(3000).toISOString() } satisfies Procedure, { resourceType: 'Procedure', status: 'completed', code: { coding: [{ system: SNOMED, code: '23426006', display: 'Measurement of respiratory function' }] }, subject, performedDateTime: at(days - 1).toISOString() } satisfies Procedure);
  const document = (loinc: [string, string], daysAgo: number, text: string, security?: ReturnType<typeof label>[]): DocumentReference => ({
    resourceType: 'DocumentReference',
    ...(security ? { meta: { security } } : {}),
    status: 'current',
    type: { coding: [{ system: LOINC, code: loinc[0], display: loinc[1] }] },
    subject,
    date: at(daysAgo).toISOString(),
    description: loinc[1],
    content: [{ attachment: { contentType: 'application/pdf', title: `${loinc[1]}.pdf`, data: tinyPdf(text), creation: at(daysAgo).toISOString() } }],
  });
  out.push(document(['18842-5', 'Discharge summary'], days - 4, `${options.hospitalName}: discharge summary for ${patient.givenName} ${patient.familyName}. Asthma exacerbation, treated and discharged home.`));
  if (options.sensitive !== false) out.push(document(['11488-4', 'Consult note'], 390, `${options.hospitalName}: psychiatry consult note.`, [label('MH', 'mental health information sensitivity')]));
  return out;
}

/** Anything that stores FHIR resources under the ids they carry (the embedded store's `update`). */
export interface RecordSink {
  update<T extends Resource>(resource: T): Promise<T>;
  create<T extends Resource>(resource: T): Promise<T>;
}

/** Loads records into a store: the Patient under its own id, the rest as new resources. */
export async function loadRecords(store: RecordSink, records: Resource[]): Promise<void> {
  for (const record of records) {
    if (record.resourceType === 'Patient') await store.update(record);
    else await store.create(record);
  }
}
