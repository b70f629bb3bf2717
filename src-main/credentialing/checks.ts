/**
 * The locum checks on top of the identity pipeline's report: every pipeline check folded into
 * the chaincode's check names (the worst result wins), plus what only credentialing asks:
 * a licence from an accepted jurisdiction, the sanctions list by DID, licence and NPI (with
 * its age: a stale list cannot vouch), and the specialty covering the privileges asked for.
 *
 * Pure functions: the service gathers the inputs, tests call these directly.
 */
import { CREDENTIAL_SUBJECT_SCHEMAS, CREDENTIAL_TYPE_LABELS } from '../../src-shared/identity/credential-subjects';
import { type CheckResult, type CredentialReport, type Verdict, type VerificationCheck, type VerificationReport } from '../../src-shared/identity/report';
import { DISASTER_CHECKS, LOCUM_CHECK_LABELS, type CredentialLine, type DoctorSummary, type LocumCheck, type LocumCheckName, type SanctionEntry } from '../../src-shared/credentialing/schemas';
import { HOSPITAL_PRIVILEGES, SPECIALTY_NAMES, describeScope, specialtyCovers, uncoveredPrivileges } from '../../src-shared/credentialing/privileges';

/** A sanctions list entry as the ledger mirror holds it (src-main/ledger/mirrors SanctionRecord). */
export interface SanctionRecord {
  sanctionId: string;
  subjectDid?: string;
  licenseNumber?: string;
  npi?: string;
  source?: string;
  reason: string;
  from: string;
  until?: string;
  lifted?: { at: string; reason: string };
}

/** Which chaincode check each pipeline check belongs to. */
const PIPELINE_TO_LOCUM: Record<VerificationCheck['id'], LocumCheckName> = {
  'presentation.format': 'schema',
  'presentation.signature': 'signature',
  'presentation.freshness': 'freshness',
  'presentation.audience': 'audience',
  'presentation.replay': 'replay',
  'workstation.clock': 'freshness',
  'credential.format': 'schema',
  'credential.signature': 'signature',
  'credential.holder-binding': 'holder-binding',
  'credential.issuer-trust': 'issuer-trust',
  'credential.validity-period': 'validity-period',
  'credential.revocation': 'revocation',
  'credential.suspension': 'suspension',
  'credential.schema': 'schema',
  'consent.grantee': 'schema',
};

const SEVERITY: Record<CheckResult, number> = { fail: 3, 'cannot-determine': 2, pass: 1, 'not-applicable': 0 };

/** The credential types a locum's presentation is made of. */
const LOCUM_TYPES = new Set(['MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential', 'PatientIdentityCredential']);

export interface LocumInputs {
  report: VerificationReport;
  /** Licence jurisdictions accepted here. */
  jurisdictions: readonly string[];
  sanctions: readonly SanctionRecord[];
  /** The sanctions mirror's last confirmation against the ledger (ISO), or null if never. */
  sanctionsAsOf: string | null;
  sanctionsMaxAgeHours: number;
  now: Date;
  /** Formats a date for a sentence (the workstation's style). */
  formatDate: (iso: string) => string;
}

export interface LocumAssessment {
  doctor: DoctorSummary | null;
  checks: LocumCheck[];
  verdict: Verdict;
  /** The reduced set a disaster verification rests on: identity and licence checks, sanctions, jurisdiction. */
  disasterChecks: LocumCheck[];
  disasterVerdict: Verdict;
  summary: string;
  credentials: CredentialLine[];
  sanctions: SanctionEntry[];
  sanctionsStale: boolean;
  coveredPrivileges: string[];
  specialtyCodes: string[];
}

function verified(report: VerificationReport, type: string): CredentialReport[] {
  return report.credentials.filter((c) => c.type === type && c.verified);
}

function label(c: CredentialReport): string {
  return c.type === null ? `credential ${c.index + 1}` : CREDENTIAL_TYPE_LABELS[c.type];
}

/**
 * Folds pipeline checks into the chaincode's names: the worst result wins, its sentence is kept.
 * `only` limits the credentials considered (the disaster set looks at the licence and identity).
 */
function foldPipeline(report: VerificationReport, only?: (c: CredentialReport) => boolean): Map<LocumCheckName, LocumCheck> {
  const out = new Map<LocumCheckName, LocumCheck>();
  const all: { check: VerificationCheck; credential: CredentialReport | null }[] = [
    ...report.checks.map((check) => ({ check, credential: null })),
    ...report.credentials.filter((c) => only === undefined || only(c)).flatMap((credential) => credential.checks.map((check) => ({ check, credential }))),
  ];
  for (const { check, credential } of all) {
    const name = PIPELINE_TO_LOCUM[check.id];
    const current = out.get(name);
    if (current && SEVERITY[current.result] >= SEVERITY[check.result]) continue;
    const prefix = credential === null || check.result === 'pass' || check.result === 'not-applicable' ? '' : `${cap(label(credential))}: `;
    out.set(name, { name, label: LOCUM_CHECK_LABELS[name], result: check.result, message: prefix + check.message, ...(check.details ? { details: check.details } : {}) });
  }
  // A pass for a folded name speaks for every credential, not only the last one read.
  for (const [name, c] of out) {
    if (c.result === 'pass') c.message = PASS_SENTENCES[name] ?? c.message;
  }
  return out;
}

const PASS_SENTENCES: Partial<Record<LocumCheckName, string>> = {
  signature: 'The presentation is signed by the doctor and every credential by its issuer.',
  'issuer-trust': 'Each issuer is trusted in the ledger registry for the kind of credential it issued, at the time it issued it.',
  'validity-period': 'Every credential is within its validity period today.',
  revocation: "No credential is revoked on its issuer's status list.",
  suspension: "No credential is suspended on its issuer's status list.",
  'holder-binding': 'Every credential names the doctor who signed the presentation.',
  schema: 'The presentation and its credentials are complete and in the expected form.',
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function check(name: LocumCheckName, result: CheckResult, message: string, details?: LocumCheck['details']): LocumCheck {
  return { name, label: LOCUM_CHECK_LABELS[name], result, message, ...(details ? { details } : {}) };
}

function verdictOf(checks: readonly LocumCheck[]): Verdict {
  if (checks.some((c) => c.result === 'fail')) return 'invalid';
  if (checks.some((c) => c.result === 'cannot-determine')) return 'cannot-determine';
  return 'valid';
}

function sanctionActiveAt(s: SanctionRecord, at: string): boolean {
  const end = s.lifted ? (s.until !== undefined && s.until < s.lifted.at ? s.until : s.lifted.at) : s.until;
  return s.from <= at && (end === undefined || end > at);
}

/** Every locum check, the verdicts and what the screen shows, from the pipeline report and the mirrors. */
export function assessLocum(input: LocumInputs): LocumAssessment {
  const { report, now } = input;
  const folded = foldPipeline(report);
  const holder = report.presentation.holder;
  const licences = verified(report, 'MedicalLicenseCredential');
  const anyLicence = report.credentials.filter((c) => c.type === 'MedicalLicenseCredential');
  const licenceReport = licences[0] ?? null;
  const licence = licenceReport ? CREDENTIAL_SUBJECT_SCHEMAS.MedicalLicenseCredential.safeParse(licenceReport.credentialSubject) : null;
  const lic = licence?.success ? licence.data : null;
  const specialtyReports = [...verified(report, 'SpecialtyCredential'), ...verified(report, 'BoardCertificationCredential')];
  const specialties: { code: string; display: string }[] = [];
  let board: string | null = null;
  for (const c of specialtyReports) {
    const s = c.credentialSubject ?? {};
    const code = typeof s['specialtyCode'] === 'string' ? s['specialtyCode'] : null;
    if (code === null) continue;
    const display = typeof s['specialtyDisplay'] === 'string' ? s['specialtyDisplay'] : (SPECIALTY_NAMES[code] ?? code);
    if (!specialties.some((x) => x.code === code)) specialties.push({ code, display });
    if (c.type === 'BoardCertificationCredential' && typeof s['board'] === 'string') board = s['board'];
  }
  const specialtyCodes = specialties.map((s) => s.code);

  const checks: LocumCheck[] = [];
  for (const name of ['signature', 'holder-binding', 'issuer-trust', 'validity-period', 'revocation', 'suspension', 'audience', 'freshness', 'replay', 'schema'] as const) {
    checks.push(folded.get(name) ?? check(name, 'not-applicable', 'Not checked: the presentation could not be read.'));
  }

  // Credentials that are not a doctor's (an insurance card in a locum's code) are refused outright.
  const foreign = report.credentials.filter((c) => c.type !== null && !LOCUM_TYPES.has(c.type));
  if (foreign.length > 0) {
    const schema = checks.find((c) => c.name === 'schema');
    if (schema) Object.assign(schema, { result: 'fail', message: `The presentation carries ${foreign.map(label).join(', ')}, which is not a doctor's credential. Ask the doctor for a code with their licence and certifications only.` });
  }

  // Licence present and in an accepted jurisdiction.
  if (anyLicence.length === 0) {
    checks.push(check('jurisdiction', 'fail', 'The presentation carries no medical licence. Ask the doctor to include their licence when creating the code.'));
  } else if (lic === null) {
    checks.push(check('jurisdiction', 'not-applicable', 'Not checked: the licence did not pass its own checks (see above).'));
  } else if (input.jurisdictions.includes(lic.jurisdiction)) {
    checks.push(check('jurisdiction', 'pass', `The licence is issued for ${lic.jurisdiction}, which this hospital accepts.`, { jurisdiction: lic.jurisdiction }));
  } else {
    checks.push(
      check('jurisdiction', 'fail', `The licence is for ${lic.jurisdiction}; this hospital accepts licences for ${input.jurisdictions.join(', ')}. The doctor needs a licence valid here.`, {
        jurisdiction: lic.jurisdiction,
      }),
    );
  }

  // Sanctions: stale or missing list = cannot determine; any active entry = fail (and shown).
  const asOf = input.sanctionsAsOf;
  const ageMs = asOf === null ? Number.POSITIVE_INFINITY : now.getTime() - Date.parse(asOf);
  const stale = !(ageMs <= input.sanctionsMaxAgeHours * 3_600_000);
  const at = now.toISOString();
  const entries: SanctionEntry[] = input.sanctions.map((s) => ({
    sanctionId: s.sanctionId,
    matchedBy: holder !== null && s.subjectDid === holder ? 'did' : lic !== null && s.licenseNumber === lic.licenseNumber ? 'licence' : 'npi',
    reason: s.reason,
    source: s.source ?? null,
    from: s.from,
    until: s.until ?? null,
    lifted: s.lifted !== undefined,
    active: sanctionActiveAt(s, at),
  }));
  const listWords = asOf === null ? 'The sanctions list has not been received from the ledger yet' : `The sanctions list was last confirmed with the ledger on ${input.formatDate(asOf)}`;
  const sanctionCheck = (name: 'sanctions' | 'npi-sanctions', hits: SanctionEntry[], what: string): LocumCheck => {
    const active = hits.filter((h) => h.active);
    const details = { listAsOf: asOf, source: 'Ledger Sanctions contract (governance body)' };
    if (active.length > 0) {
      const e = active[0] as SanctionEntry;
      return check(name, 'fail', `The doctor is on the sanctions list (${e.sanctionId}${e.source ? `, ${e.source}` : ''}: ${e.reason}, since ${input.formatDate(e.from)}). Do not grant privileges.`, { ...details, sanctionId: e.sanctionId });
    }
    if (stale) return check(name, 'cannot-determine', `${listWords}, too long ago to rely on (limit ${input.sanctionsMaxAgeHours} hours). Connect to the ledger, let it sync, and verify again.`, details);
    return check(name, 'pass', `${what} is not on the sanctions list (list confirmed ${input.formatDate(asOf as string)}).`, details);
  };
  if (holder === null) {
    checks.push(check('sanctions', 'fail', 'The presentation does not say who the doctor is, so the sanctions list cannot be checked.'));
  } else {
    checks.push(sanctionCheck('sanctions', entries.filter((e) => e.matchedBy !== 'npi'), lic ? `Neither the doctor nor licence ${lic.licenseNumber}` : 'The doctor'));
  }
  if (lic?.npi) checks.push(sanctionCheck('npi-sanctions', entries.filter((e) => e.matchedBy === 'npi'), `NPI ${lic.npi}`));
  else checks.push(check('npi-sanctions', 'not-applicable', 'The licence carries no NPI, so there is none to look up.'));

  // Specialty coverage: which of the hospital's privileges the verified specialties cover.
  const covered = HOSPITAL_PRIVILEGES.filter((p) => specialtyCovers(p.code, specialtyCodes) && (p.specialties.length > 0 || lic !== null)).map((p) => p.code);
  const specialistPrivileges = covered.filter((c) => (HOSPITAL_PRIVILEGES.find((p) => p.code === c)?.specialties.length ?? 0) > 0);
  if (specialties.length === 0) {
    const present = report.credentials.some((c) => c.type === 'SpecialtyCredential' || c.type === 'BoardCertificationCredential');
    checks.push(
      check(
        'specialty-coverage',
        'fail',
        present
          ? 'The specialty or board certification did not pass its checks (see above), so no specialist privileges can be granted.'
          : 'The presentation carries no specialty or board certification. Ask the doctor to include it.',
      ),
    );
  } else if (specialistPrivileges.length === 0) {
    checks.push(check('specialty-coverage', 'fail', `${specialties.map((s) => s.display).join(', ')} covers none of this hospital's specialist privileges.`));
  } else {
    checks.push(check('specialty-coverage', 'pass', `${specialties.map((s) => s.display).join(', ')} covers: ${describeScope(specialistPrivileges)}.`, { specialties: specialtyCodes.join(',') }));
  }

  const verdict = verdictOf(checks);
  // Disaster set: the presentation, the licence (and an identity card if any), sanctions and jurisdiction.
  const licenceOnly = foldPipeline(report, (c) => c.type === 'MedicalLicenseCredential' || c.type === 'PatientIdentityCredential');
  const disasterChecks = [
    ...DISASTER_CHECKS.filter((n) => n !== 'sanctions').map((n) => licenceOnly.get(n) ?? check(n, 'fail', 'Not checked: the presentation carries no licence.')),
    ...checks.filter((c) => c.name === 'sanctions' || c.name === 'npi-sanctions' || c.name === 'jurisdiction'),
  ];
  if (anyLicence.length === 0) disasterChecks.push(check('validity-period', 'fail', 'The presentation carries no medical licence.'));
  const disasterVerdict = verdictOf(disasterChecks);
  const doctor: DoctorSummary | null =
    lic === null || holder === null
      ? null
      : { did: holder, name: lic.name, licenseNumber: lic.licenseNumber, jurisdiction: lic.jurisdiction, profession: lic.profession ?? null, npi: lic.npi ?? null, specialties, board };
  const firstBad = checks.find((c) => c.result === 'fail') ?? checks.find((c) => c.result === 'cannot-determine');
  const summary =
    verdict === 'valid'
      ? `Every check passed: signatures, issuers, validity, status lists, sanctions, jurisdiction and specialty.`
      : verdict === 'invalid'
        ? `Refused: ${checks.filter((c) => c.result === 'fail').length} check(s) failed. ${firstBad?.message ?? ''}`.trim()
        : `Cannot be determined: ${firstBad?.message ?? ''}`.trim();
  return {
    doctor,
    checks,
    verdict,
    disasterChecks,
    disasterVerdict,
    summary,
    credentials: report.credentials.map((c) => credentialLine(c)),
    sanctions: entries,
    sanctionsStale: stale,
    coveredPrivileges: covered,
    specialtyCodes,
  };
}

function credentialLine(c: CredentialReport): CredentialLine {
  const bad = c.checks.find((k) => k.result === 'fail') ?? c.checks.find((k) => k.result === 'cannot-determine');
  const lists = c.checks
    .filter((k) => (k.id === 'credential.revocation' || k.id === 'credential.suspension') && k.details)
    .map((k) => ({
      purpose: k.id === 'credential.revocation' ? 'revocation' : 'suspension',
      listUpdatedAt: typeof k.details?.['listUpdatedAt'] === 'string' ? k.details['listUpdatedAt'] : null,
      listFetchedAt: typeof k.details?.['listFetchedAt'] === 'string' ? k.details['listFetchedAt'] : null,
    }));
  return { type: c.type, label: cap(label(c)), issuer: c.issuer, verified: c.verified, validUntil: c.validUntil, problem: bad?.message ?? null, statusLists: lists };
}

/**
 * Refuses privileges the specialties do not cover, with a sentence for the officer.
 * Returns null when every privilege is covered.
 */
export function scopeProblem(scope: readonly string[], specialtyCodes: readonly string[]): string | null {
  const unknown = scope.filter((c) => !HOSPITAL_PRIVILEGES.some((p) => p.code === c));
  if (unknown.length > 0) return `${unknown.join(', ')} is not on this hospital's privilege list. Choose privileges from the list.`;
  const beyond = uncoveredPrivileges(scope, specialtyCodes);
  if (beyond.length === 0) return null;
  return `The doctor's verified specialty does not cover ${describeScope(beyond)}. Grant only privileges the specialty covers, or ask for the certification that covers them.`;
}
