import { useState, type ReactNode } from 'react';
import type { CredentialingOptions, LocumVerification } from '../../../src-shared/credentialing/schemas';
import { describeScope } from '../../../src-shared/credentialing/privileges';
import { api } from '../../lib/api';
import { formatDate, formatDateTime } from '../../lib/format';
import { Notice } from '../../ui/Notice';
import { GrantForm } from './GrantForm';
import { countdown, RESULT_WORDS, verdictTitle } from './describe';
import { useCredentialingStore } from './store';

function downloadPdf(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The verdict, the doctor, other hospitals' attestations, every check, then what to do. */
export function VerificationView({ verification: v, options }: { verification: LocumVerification; options: CredentialingOptions }): ReactNode {
  const recordRefusal = useCredentialingStore((s) => s.recordRefusal);
  const granted = useCredentialingStore((s) => s.granted);
  const busy = useCredentialingStore((s) => s.busy);
  const setError = useCredentialingStore((s) => s.setError);
  const [showPassed, setShowPassed] = useState(true);
  const banner = verdictTitle(v);
  const doc = v.doctor;
  const checks = showPassed ? v.checks : v.checks.filter((c) => c.result !== 'pass' && c.result !== 'not-applicable');
  const canGrant = !v.recorded?.outcome || (v.recorded.outcome === 'verified' && !granted);
  const grantable = (v.verdict === 'valid' || (options.disaster !== null && v.disasterVerdict === 'valid')) && canGrant && !granted;

  async function printReport(): Promise<void> {
    const result = await api['credentialing.report']({ verificationId: v.verificationId });
    if (result.ok) downloadPdf(result.value.fileName, result.value.pdfBase64);
    else setError(result.error);
  }

  return (
    <div className="cred-result" data-testid="locum-verification">
      <section className={`card cred-verdict cred-verdict-${banner.tone}`} data-testid="locum-verdict" data-verdict={v.verdict} role="status">
        <h2>{banner.title}</h2>
        <p>{v.summary}</p>
        {v.verdict !== 'valid' && options.disaster !== null && v.disasterVerdict === 'valid' ? (
          <p data-testid="disaster-eligible">
            <strong>Disaster declared:</strong> the reduced check set holds, so 72-hour disaster privileges can be granted.
          </p>
        ) : null}
      </section>

      {doc ? (
        <section className="card cred-doctor" aria-label="Doctor" data-testid="locum-doctor">
          <h3>{doc.name}</h3>
          <dl className="cred-facts">
            <dt>Licence</dt>
            <dd>
              {doc.licenseNumber} ({doc.jurisdiction}){doc.profession ? `, ${doc.profession}` : ''}
            </dd>
            <dt>NPI</dt>
            <dd>{doc.npi ?? 'none'}</dd>
            <dt>Specialty</dt>
            <dd>{doc.specialties.map((s) => s.display).join(', ') || 'none verified'}</dd>
            <dt>Board</dt>
            <dd>{doc.board ?? 'not presented'}</dd>
          </dl>
        </section>
      ) : null}

      <section className="card" aria-labelledby="elsewhere-title" data-testid="elsewhere">
        <h3 id="elsewhere-title">Already verified elsewhere</h3>
        {v.elsewhere.length === 0 ? (
          <p className="muted">No other hospital has recorded a verification of this doctor on the ledger.</p>
        ) : (
          <ul className="cred-elsewhere">
            {v.elsewhere.map((e, i) => (
              <li key={i} className={e.conflict ? 'cred-conflict' : ''} data-testid="elsewhere-item">
                {e.conflict ? <strong>Conflict: </strong> : null}
                {e.sentence}
              </li>
            ))}
          </ul>
        )}
        <p className="muted">For information only: this hospital makes its own checks.</p>
      </section>

      <section className="card" aria-labelledby="checks-title" data-testid="locum-checks">
        <div className="cred-row">
          <h3 id="checks-title">Checks</h3>
          <button type="button" className="btn btn-quiet" onClick={() => setShowPassed((x) => !x)}>
            {showPassed ? 'Show problems only' : 'Show all checks'}
          </button>
        </div>
        <ul className="cred-checks">
          {checks.map((c) => (
            <li key={c.name} className={`cred-check cred-check-${c.result}`} data-testid={`check-${c.name}`} data-result={c.result}>
              <span className="cred-check-result">{RESULT_WORDS[c.result]}</span>
              <span>
                <strong>{c.label}</strong>
                <br />
                {c.message}
              </span>
            </li>
          ))}
        </ul>
        <h4>Credentials</h4>
        <ul className="cred-credentials">
          {v.credentials.map((c, i) => (
            <li key={i} data-testid="credential-line">
              <strong>{c.label}</strong> {c.verified ? '✓' : '✕'} {c.validUntil ? `valid until ${formatDate(c.validUntil)}` : ''}
              <span className="muted"> · issuer {c.issuer ?? 'unknown'}</span>
              {c.statusLists.map((s) => (
                <span key={s.purpose} className="muted">
                  {' '}
                  · {s.purpose} list confirmed {s.listFetchedAt ? formatDateTime(s.listFetchedAt) : 'never'}
                </span>
              ))}
              {c.problem ? <div className="cred-problem">{c.problem}</div> : null}
            </li>
          ))}
        </ul>
        <h4>Sanctions list</h4>
        <p data-testid="sanctions-list-age">
          {v.sanctionsList.source}; last confirmed {v.sanctionsList.asOf ? formatDateTime(v.sanctionsList.asOf) : 'never'}
          {v.sanctionsList.stale ? ' (too old to rely on)' : ''}.
        </p>
        {v.sanctions.length > 0 ? (
          <ul data-testid="sanction-entries">
            {v.sanctions.map((s) => (
              <li key={s.sanctionId} className={s.active ? 'cred-conflict' : ''}>
                {s.sanctionId} (by {s.matchedBy}
                {s.source ? `, ${s.source}` : ''}): {s.reason}, from {formatDate(s.from)}
                {s.active ? '' : ' (not in force)'}
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      {v.recorded ? (
        <Notice tone={v.recorded.outcome === 'verified' ? 'success' : 'info'} title={v.recorded.outcome === 'verified' ? 'Verification recorded' : 'Refusal recorded'} testId="recorded">
          <p>
            Recorded by {v.recorded.officerName} on {formatDateTime(v.recorded.at)}.{' '}
            {v.recorded.ledger === 'committed'
              ? `On the ledger (transaction ${v.recorded.txId ?? 'unknown'}).`
              : v.recorded.ledger === 'failed'
                ? 'The ledger refused it: see the Sync screen.'
                : 'Pending: it goes to the ledger when the ledger is reachable.'}
          </p>
          <button type="button" className="btn" onClick={() => void printReport()} data-testid="print-report">
            Verification report (PDF)
          </button>
        </Notice>
      ) : null}

      {granted ? (
        <Notice tone={granted.ledger === 'committed' ? 'success' : 'info'} title="Privileges granted" testId="granted">
          <p>
            {describeScope(granted.scope)} from {formatDateTime(granted.from)} until {formatDateTime(granted.until)}
            {granted.kind === 'disaster' ? ` (disaster privileges, ${countdown(granted.until, new Date())})` : ''}.{' '}
            {granted.ledger === 'committed' ? 'Committed on the ledger.' : 'Pending until the ledger commits them.'}
          </p>
        </Notice>
      ) : null}

      {grantable ? <GrantForm verification={v} options={options} /> : null}
      {!v.recorded && v.verdict === 'invalid' && !grantable ? (
        <section className="card">
          <p>Record the refusal on the ledger so the outcome is on file; other hospitals see that this hospital refused, not why in words.</p>
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void recordRefusal()} data-testid="record-refusal">
            Record refusal
          </button>
        </section>
      ) : null}
      {v.verdict === 'cannot-determine' && !grantable ? (
        <Notice tone="warning" title="Nothing can be granted yet">
          <p>Let the workstation sync with the ledger (sanctions, status lists, trusted issuers), then scan a new code from the doctor.</p>
        </Notice>
      ) : null}
    </div>
  );
}
