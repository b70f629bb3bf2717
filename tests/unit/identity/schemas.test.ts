/**
 * The credential subject schemas: the zod schemas (source of truth) accept the agreed formats
 * and refuse what a clerk would otherwise discover too late, and the JSON Schemas published in
 * resources/schemas are exactly what the zod schemas generate.
 *
 * To regenerate the JSON files after changing a schema: UPDATE_SCHEMAS=1 npx vitest run --project unit tests/unit/identity/schemas.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CREDENTIAL_SUBJECT_SCHEMAS, CREDENTIAL_TYPES, type CredentialType } from '../../../src-shared/identity/credential-subjects';
import { consentSubject, coverageSubject, identitySubject } from './support';

const PATIENT = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const DOCTOR = 'did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IjEyMyJ9';

const samples: Record<CredentialType, Record<string, unknown>> = {
  PatientIdentityCredential: identitySubject(PATIENT),
  InsuranceCoverageCredential: coverageSubject(PATIENT, 'did:web:harbour-mutual.example'),
  ConsentGrantCredential: consentSubject(PATIENT),
  MedicalLicenseCredential: { id: DOCTOR, name: 'Dr Grace Hopper', licenseNumber: 'GMC-7654321', jurisdiction: 'GB', licenseClass: 'full' },
  SpecialtyCredential: { id: DOCTOR, name: 'Dr Grace Hopper', specialtyCode: '394579002', specialtyDisplay: 'Cardiology' },
  BoardCertificationCredential: { id: DOCTOR, name: 'Dr Grace Hopper', board: 'Royal College of Physicians', specialtyCode: '394579002', certifiedSince: '2015-07-01', recertifyBy: '2027-07-01' },
};

const schemaFile = (type: CredentialType): URL => new URL(`../../../resources/schemas/${type}.schema.json`, import.meta.url);

function generated(type: CredentialType): Record<string, unknown> {
  return {
    ...z.toJSONSchema(CREDENTIAL_SUBJECT_SCHEMAS[type]),
    $id: `https://careledger.example/schemas/${type}.schema.json`,
    title: `credentialSubject of ${type}`,
  };
}

describe('credential subject schemas', () => {
  it.each(CREDENTIAL_TYPES)('%s accepts the agreed example', (type) => {
    expect(CREDENTIAL_SUBJECT_SCHEMAS[type].safeParse(samples[type]).success).toBe(true);
  });

  it.each(CREDENTIAL_TYPES)('%s refuses a field it does not know (a typo is caught at the desk)', (type) => {
    expect(CREDENTIAL_SUBJECT_SCHEMAS[type].safeParse({ ...samples[type], unexpected: 'x' }).success).toBe(false);
  });

  it.each(CREDENTIAL_TYPES)('%s refuses a subject without a DID', (type) => {
    expect(CREDENTIAL_SUBJECT_SCHEMAS[type].safeParse({ ...samples[type], id: 'Ada Lovelace' }).success).toBe(false);
  });

  it('refuses dates that are not YYYY-MM-DD real dates', () => {
    const s = CREDENTIAL_SUBJECT_SCHEMAS.PatientIdentityCredential;
    expect(s.safeParse({ ...samples.PatientIdentityCredential, birthDate: '10/12/1985' }).success).toBe(false);
    expect(s.safeParse({ ...samples.PatientIdentityCredential, birthDate: '1985-02-30' }).success).toBe(false);
  });

  it('refuses a gender outside the agreed codes', () => {
    expect(CREDENTIAL_SUBJECT_SCHEMAS.PatientIdentityCredential.safeParse({ ...samples.PatientIdentityCredential, gender: 'F' }).success).toBe(false);
  });

  it('refuses coverage that ends before it starts', () => {
    const r = CREDENTIAL_SUBJECT_SCHEMAS.InsuranceCoverageCredential.safeParse({ ...samples.InsuranceCoverageCredential, coverageEnd: '2025-12-31' });
    expect(r.success).toBe(false);
  });

  it('refuses consent purposes and categories outside the agreed lists, empty lists and duplicates', () => {
    const s = CREDENTIAL_SUBJECT_SCHEMAS.ConsentGrantCredential;
    const base = samples.ConsentGrantCredential;
    expect(s.safeParse({ ...base, purposeOfUse: ['MARKETING'] }).success).toBe(false);
    expect(s.safeParse({ ...base, categories: ['astrology'] }).success).toBe(false);
    expect(s.safeParse({ ...base, categories: [] }).success).toBe(false);
    expect(s.safeParse({ ...base, purposeOfUse: ['TREAT', 'TREAT'] }).success).toBe(false);
    expect(s.safeParse({ ...base, grantee: 'did:key:z6Mk123' }).success).toBe(false);
  });

  it.each(CREDENTIAL_TYPES)('resources/schemas/%s.schema.json is what the zod schema generates', (type) => {
    const want = generated(type);
    if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(schemaFile(type), JSON.stringify(want, null, 2) + '\n');
    expect(JSON.parse(readFileSync(schemaFile(type), 'utf8'))).toEqual(want);
  });
});
