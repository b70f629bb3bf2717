/**
 * The credential subjects CareLedger accepts, one zod schema per credential type. These are
 * the source of truth: `resources/schemas/<Type>.schema.json` is generated from them (a unit
 * test keeps the two identical) and docs/formats/credentials.md describes them in words.
 *
 * Subjects are strict: a field we do not know is refused rather than silently ignored, so a
 * typo in an issuer's data ("birthdate") is found at the desk, not months later.
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { z } from 'zod';

const Did = z.string().regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'must be a DID (did:method:identifier)');
const DidWeb = z.string().regex(/^did:web:[A-Za-z0-9._:%-]+$/, 'must be a did:web identifier');
const IsoDate = z.iso.date();
const Text = (max: number): z.ZodString => z.string().trim().min(1).max(max);

export const PatientIdentitySubject = z
  .object({
    id: Did,
    givenName: Text(200),
    familyName: Text(200),
    birthDate: IsoDate,
    gender: z.enum(['female', 'male', 'other', 'unknown']),
    nationalId: Text(64).optional(),
    address: z
      .object({
        line: Text(300),
        city: Text(200),
        postalCode: Text(32),
        country: Text(100),
      })
      .strict()
      .optional(),
  })
  .strict();
export type PatientIdentitySubject = z.infer<typeof PatientIdentitySubject>;

export const InsuranceCoverageSubject = z
  .object({
    id: Did,
    insurerName: Text(200),
    insurerDid: Did,
    memberId: Text(64),
    planName: Text(200),
    groupNumber: Text(64).optional(),
    coverageStart: IsoDate,
    coverageEnd: IsoDate,
  })
  .strict()
  .refine((s) => s.coverageStart <= s.coverageEnd, { message: 'coverageEnd is before coverageStart', path: ['coverageEnd'] });
export type InsuranceCoverageSubject = z.infer<typeof InsuranceCoverageSubject>;

/** HL7 v3 PurposeOfUse codes the consent grant may carry. */
export const PURPOSES_OF_USE = ['TREAT', 'ETREAT', 'HPAYMT', 'HOPERAT', 'HRESCH'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

/**
 * Record categories a consent grant may open: ten kinds of record, then the sensitive
 * categories (security labels on records), released only when a consent names them
 * (docs/formats/record-exchange.md §3; the chaincode's list, same order).
 */
export const RECORD_CATEGORIES = [
  'demographics',
  'encounters',
  'conditions',
  'medications',
  'allergies',
  'observations',
  'procedures',
  'immunizations',
  'documents',
  'imaging',
  'mental-health',
  'substance-use',
  'sexual-health',
  'genetics',
] as const;
export type RecordCategory = (typeof RECORD_CATEGORIES)[number];

function uniqueList<T extends z.ZodType>(item: T): z.ZodArray<T> {
  return z.array(item).min(1).max(20);
}

export const ConsentGrantSubject = z
  .object({
    id: Did,
    grantee: DidWeb,
    granteeName: Text(200),
    purposeOfUse: uniqueList(z.enum(PURPOSES_OF_USE)),
    categories: uniqueList(z.enum(RECORD_CATEGORIES)),
  })
  .strict()
  .refine((s) => new Set(s.purposeOfUse).size === s.purposeOfUse.length && new Set(s.categories).size === s.categories.length, {
    message: 'a purpose or category is listed twice',
  });
export type ConsentGrantSubject = z.infer<typeof ConsentGrantSubject>;

export const MedicalLicenseSubject = z
  .object({
    id: Did,
    name: Text(300),
    licenseNumber: Text(64),
    jurisdiction: Text(100),
    licenseClass: Text(100).optional(),
    /** The regulated profession, e.g. 'physician' (a locum's licence, issue 13). */
    profession: Text(100).optional(),
    /** The register's standing when issued; the live standing is the board's status list. */
    status: z.enum(['active', 'restricted', 'inactive']).optional(),
    /** The US National Provider Identifier, when the practitioner has one (sanctions lists use it). */
    npi: z.string().regex(/^[0-9]{10}$/, 'must be a 10-digit NPI').optional(),
  })
  .strict();
export type MedicalLicenseSubject = z.infer<typeof MedicalLicenseSubject>;

export const SpecialtySubject = z
  .object({
    id: Did,
    name: Text(300),
    specialtyCode: Text(64),
    specialtyDisplay: Text(200),
  })
  .strict();
export type SpecialtySubject = z.infer<typeof SpecialtySubject>;

export const BoardCertificationSubject = z
  .object({
    id: Did,
    name: Text(300),
    board: Text(200),
    specialtyCode: Text(64),
    specialtyDisplay: Text(200).optional(),
    certifiedSince: IsoDate,
    recertifyBy: IsoDate.optional(),
  })
  .strict();
export type BoardCertificationSubject = z.infer<typeof BoardCertificationSubject>;

/** Every credential type the workstation accepts, with its subject schema. */
export const CREDENTIAL_SUBJECT_SCHEMAS = {
  PatientIdentityCredential: PatientIdentitySubject,
  InsuranceCoverageCredential: InsuranceCoverageSubject,
  ConsentGrantCredential: ConsentGrantSubject,
  MedicalLicenseCredential: MedicalLicenseSubject,
  SpecialtyCredential: SpecialtySubject,
  BoardCertificationCredential: BoardCertificationSubject,
} as const;

export type CredentialType = keyof typeof CREDENTIAL_SUBJECT_SCHEMAS;
export const CREDENTIAL_TYPES = Object.keys(CREDENTIAL_SUBJECT_SCHEMAS) as CredentialType[];

export function isCredentialType(value: string): value is CredentialType {
  return Object.prototype.hasOwnProperty.call(CREDENTIAL_SUBJECT_SCHEMAS, value);
}

/** The subject type for each credential type. */
export interface CredentialSubjectOf {
  PatientIdentityCredential: PatientIdentitySubject;
  InsuranceCoverageCredential: InsuranceCoverageSubject;
  ConsentGrantCredential: ConsentGrantSubject;
  MedicalLicenseCredential: MedicalLicenseSubject;
  SpecialtyCredential: SpecialtySubject;
  BoardCertificationCredential: BoardCertificationSubject;
}

/** Human names for the desk, per credential type. */
export const CREDENTIAL_TYPE_LABELS: Record<CredentialType, string> = {
  PatientIdentityCredential: 'identity card',
  InsuranceCoverageCredential: 'insurance card',
  ConsentGrantCredential: 'consent',
  MedicalLicenseCredential: 'medical licence',
  SpecialtyCredential: 'specialty certificate',
  BoardCertificationCredential: 'board certification',
};

/** Credential types issued by an institution (trust registry); the consent grant is self-issued. */
export const SELF_ISSUED_TYPES: readonly CredentialType[] = ['ConsentGrantCredential'];
