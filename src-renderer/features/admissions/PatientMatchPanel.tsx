import type { ReactNode } from 'react';
import { patientDisplayName } from '../../../src-shared/admission/names';
import type { PatientMatch, PatientSummary, ScannedIdentity } from '../../../src-shared/admission/schemas';
import { formatDate } from '../../lib/format';
import { useDeskStore, type VerifiedScan } from './store';

const STRENGTH_LABELS: Record<PatientMatch['strength'], string> = {
  'same-wallet': 'Same wallet',
  likely: 'Likely the same person',
  possible: 'Possible match',
};

/** The desk's one name style ("OLIVEIRA, Maria"), shared with main's messages and the wristband. */
export function patientName(p: { givenName: string; familyName: string }): string {
  return patientDisplayName(p);
}

/**
 * Which record the admission goes to. A wallet already known is picked for the clerk. Near
 * matches are never picked automatically: admitting onto the wrong record is a patient-safety
 * incident, so the clerk reads the reasons and chooses.
 */
export function PatientMatchPanel({ scan }: { scan: VerifiedScan }): ReactNode {
  const choice = useDeskStore((s) => s.choice);
  const choose = useDeskStore((s) => s.choose);
  const identity = scan.identity;
  const same = scan.matches.find((m) => m.strength === 'same-wallet');
  const candidates = scan.matches.filter((m) => m.strength !== 'same-wallet');
  const newChosen = choice?.kind === 'new';

  return (
    <section className="card" aria-labelledby="match-title" data-testid="patient-match">
      <div className="match-head">
        <h2 id="match-title">Patient</h2>
        {same?.currentStay ? (
          <p className="notice notice-warning known-patient" data-testid="known-patient">
            {/* One text run: the notice lays its children out as flex items. */}
            <span>
              Known patient, already admitted, bed <strong>{same.currentStay.bed}</strong> ({same.currentStay.wardName}
              ): record <strong className="mono">{same.patient.mrn}</strong>.
            </span>
          </p>
        ) : same ? (
          <p className="notice notice-success known-patient" data-testid="known-patient">
            <span>
              Known patient: this wallet belongs to record <strong className="mono">{same.patient.mrn}</strong>.
            </span>
          </p>
        ) : null}
      </div>
      {identity ? <ScannedIdentityFacts identity={identity} /> : null}
      {!same && candidates.length > 0 ? (
        <div className="notice notice-warning" role="alert" data-testid="duplicate-warning">
          <div>
            <p className="notice-title">
              Possible existing record{candidates.length > 1 ? 's' : ''}: check before creating a new one
            </p>
            <p>
              This wallet is new here, but {candidates.length === 1 ? 'a record looks' : 'records look'} like the same
              person.
            </p>
          </div>
        </div>
      ) : null}
      <fieldset className="fieldset match-options">
        <legend className="visually-hidden">Admit onto which record</legend>
        {[...(same ? [same] : []), ...candidates].map((m) => (
          <label
            key={m.patient.patientId}
            className={`match-option${choice?.kind === 'existing' && choice.patientId === m.patient.patientId ? ' is-selected' : ''}`}
            data-testid="match-option"
          >
            <input
              type="radio"
              name="patient-choice"
              checked={choice?.kind === 'existing' && choice.patientId === m.patient.patientId}
              onChange={() => choose({ kind: 'existing', patientId: m.patient.patientId })}
            />
            <span className="match-text">
              <span className="match-name">
                Use this record: {patientName(m.patient)} <span className="mono muted">MRN {m.patient.mrn}</span>
              </span>
              <span className="match-meta">
                <span className={`badge ${m.strength === 'possible' ? 'badge-warning' : 'badge-brand'}`}>
                  {STRENGTH_LABELS[m.strength]}
                </span>
                <span>born {m.patient.birthDate ? formatDate(m.patient.birthDate) : 'unknown'}</span>
                <IdentityBadge patient={m.patient} />
                {m.currentStay ? (
                  <span className="badge badge-warning" data-testid="match-admitted">
                    already admitted, bed {m.currentStay.bed}
                  </span>
                ) : null}
              </span>
              {m.strength !== 'same-wallet' ? (
                <span className="match-reasons" data-testid="match-reasons">
                  {m.reasons.map((r) => r.message).join('; ')}
                </span>
              ) : null}
            </span>
          </label>
        ))}
        {!same ? (
          <label className={`match-option${newChosen ? ' is-selected' : ''}`} data-testid="match-new">
            <input
              type="radio"
              name="patient-choice"
              checked={newChosen}
              onChange={() => choose({ kind: 'new', confirmNotDuplicate: candidates.length > 0 })}
            />
            <span className="match-text">
              <span className="match-name">Create a new record</span>
              <span className="match-meta">
                {candidates.length > 0
                  ? 'Only if you are sure this is a different person from the records above.'
                  : 'No record matches this patient.'}
              </span>
            </span>
          </label>
        ) : null}
      </fieldset>
    </section>
  );
}

function ScannedIdentityFacts({ identity }: { identity: ScannedIdentity }): ReactNode {
  return (
    <dl className="facts facts-compact" data-testid="scanned-identity">
      <div>
        <dt>Name</dt>
        <dd className="patient-name">{patientName(identity)}</dd>
      </div>
      <div>
        <dt>Born</dt>
        <dd>{formatDate(identity.birthDate)}</dd>
      </div>
      <div>
        <dt>Gender</dt>
        <dd>{identity.gender}</dd>
      </div>
      {identity.nationalId ? (
        <div>
          <dt>National id</dt>
          <dd className="mono">{identity.nationalId}</dd>
        </div>
      ) : null}
    </dl>
  );
}

export function IdentityBadge({ patient }: { patient: Pick<PatientSummary, 'identityStatus'> }): ReactNode {
  switch (patient.identityStatus) {
    case 'wallet-verified':
      return <span className="badge badge-success">Wallet verified</span>;
    case 'manual-unverified':
      return <span className="badge badge-warning">Unverified (manual)</span>;
    case 'unidentified':
      return <span className="badge badge-danger">Unidentified</span>;
  }
}
