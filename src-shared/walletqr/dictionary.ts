/**
 * The preset DEFLATE dictionary of wallet QR format version 1.
 *
 * Deflate can refer back into a dictionary it shares with the inflater, so the JSON that
 * every credential repeats (contexts, types, claim names, status entries, DID prefixes) costs
 * a few bits instead of its full length. That is what lets identity + coverage + consent fit
 * one QR code.
 *
 * FROZEN: this text is part of format version 1. Changing a single byte makes every existing
 * CLW1 code unreadable; a new dictionary needs a new format version (CLW2).
 * Strings used most often sit at the end, where back-references are shortest.
 */
const DICTIONARY_TEXT = [
  '"address":{"line":"","city":"","postalCode":"","country":"',
  '"gender":"female","gender":"male","gender":"other","gender":"unknown",',
  '"nationalId":"',
  '"licenseNumber":"","jurisdiction":"","licenseClass":"',
  '"specialtyCode":"","specialtyDisplay":"',
  '"board":"","certifiedSince":"","recertifyBy":"',
  '"insurerName":"","insurerDid":"did:web:","memberId":"","planName":"","groupNumber":"',
  '"coverageStart":"20","coverageEnd":"20',
  '"grantee":"did:web:hospital-a.careledger.example","granteeName":"',
  '"purposeOfUse":["TREAT","ETREAT","HPAYMT","HOPERAT","HRESCH"],',
  '"categories":["demographics","encounters","conditions","medications","allergies","observations","procedures","immunizations","documents","imaging"]',
  '"type":["VerifiableCredential","MedicalLicenseCredential"]',
  '"type":["VerifiableCredential","SpecialtyCredential"]',
  '"type":["VerifiableCredential","BoardCertificationCredential"]',
  '"type":["VerifiableCredential","InsuranceCoverageCredential"]',
  '"type":["VerifiableCredential","ConsentGrantCredential"]',
  '"type":["VerifiableCredential","PatientIdentityCredential"]',
  '"credentialStatus":{"id":"urn:careledger:statuslist:',
  '","type":"BitstringStatusListEntry","statusPurpose":"suspension","statusPurpose":"revocation","statusListIndex":"',
  '","statusListCredential":"urn:careledger:statuslist:',
  '"},"credentialSubject":{"id":"',
  '"givenName":"","familyName":"","birthDate":"19',
  '"name":"',
  '{"alg":"ES256","typ":"JWT","kid":"did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwidXNlIjoic2lnIiwieCI6',
  '{"alg":"EdDSA","typ":"JWT","kid":"did:jwk:eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwidXNlIjoic2lnIiwieCI6',
  '{"alg":"ES256","typ":"JWT","kid":"did:web:',
  '.careledger.example#key-1"}',
  '"vp":{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiablePresentation"],"holder":"',
  '","verifiableCredential":["',
  '"aud":"did:web:hospital-a.careledger.example","nonce":"',
  '"vc":{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential","',
  '{"iss":"did:web:","sub":"did:key:z6Mk","jti":"urn:uuid:","nbf":17,"iat":17,"exp":17',
  '{"alg":"EdDSA","typ":"JWT","kid":"did:key:z6Mk',
].join('');

/** The dictionary bytes (ASCII). */
export const WALLET_QR_DICTIONARY_V1: Uint8Array = new TextEncoder().encode(DICTIONARY_TEXT);
