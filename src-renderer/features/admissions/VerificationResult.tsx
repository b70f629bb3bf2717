import { useState, type FormEvent, type ReactNode } from 'react';
import type { OverrideReasonCode, VerificationCheck, VerificationReport } from '../../../src-shared/identity/report';
import { formatDateTime } from '../../lib/format';
import { checkLabel, credentialLabel, inHospitalWords, refusedCards, resultLabel, verdictBanner } from './describe';
import { useDeskStore, type VerifiedScan } from './store';

/** The verdict banner, then every check the verifier made, with its sentence. */
export function VerificationResult({ scan, children }: { scan: VerifiedScan; children?: ReactNode }): ReactNode {
  const report = scan.report;
  const partlyRefused = report.verdict === 'invalid' && scan.accepted;
  const banner = verdictBanner(
    report.verdict,
    report.override !== null,
    scan.accepted,
    refusedCards(report.credentials),
  );
  // Passed checks are folded away so what went wrong is at the top; one click shows them all.
  const [showPassed, setShowPassed] = useState(false);
  return (
    <section className="card verification" aria-labelledby="verdict-title" data-testid="verification">
      <div
        className={`verdict verdict-${banner.tone}`}
        data-testid="verdict"
        data-verdict={report.verdict}
        role="status"
      >
        <span className="verdict-icon" aria-hidden="true">
          {banner.tone === 'ok' ? '✓' : banner.tone === 'bad' ? '✕' : '?'}
        </span>
        <div>
          <h2 id="verdict-title">{banner.title}</h2>
          {/* Partly refused: the verifier's "Refused: n check(s) failed" would contradict the title; the card's own line says it. */}
          {partlyRefused ? null : <p>{inHospitalWords(report.summary).text}</p>}
          <p className="verdict-advice">{banner.advice}</p>
        </div>
      </div>
      {report.override ? (
        <p className="muted" data-testid="override-record">
          Override recorded {formatDateTime(report.override.at)}: {report.override.note}
        </p>
      ) : null}
      {children}
      {scan.canOverride ? <OverrideForm /> : null}
      <div className="checks-head">
        <h3>Checks</h3>
        <button
          type="button"
          className="btn btn-quiet"
          onClick={() => setShowPassed((v) => !v)}
          aria-expanded={showPassed}
        >
          {showPassed ? 'Hide passed checks' : 'Show all checks'}
        </button>
      </div>
      <ChecksList report={report} showPassed={showPassed} />
    </section>
  );
}

function ChecksList({ report, showPassed }: { report: VerificationReport; showPassed: boolean }): ReactNode {
  const visible = (c: VerificationCheck): boolean =>
    showPassed || (c.result !== 'pass' && c.result !== 'not-applicable') || c.warning === true;
  const groups = [
    { key: 'presentation', title: 'Wallet code', checks: report.checks },
    ...report.credentials.map((c) => ({
      key: `credential-${c.index}`,
      title: c.verified ? credentialLabel(c) : `${credentialLabel(c)}: Refused`,
      checks: c.checks,
    })),
  ];
  const passedHidden = groups.reduce((n, g) => n + g.checks.filter((c) => !visible(c)).length, 0);
  return (
    <div className="checks" data-testid="checks">
      {groups.map((group) => {
        const shown = group.checks.filter(visible);
        if (shown.length === 0) return null;
        return (
          <div key={group.key} className="check-group">
            <h4>{group.title}</h4>
            <ul>
              {shown.map((check, i) => (
                <li
                  key={`${check.id}-${i}`}
                  className={`check check-${check.result}`}
                  data-testid="check"
                  data-check={check.id}
                  data-result={check.result}
                >
                  <span className="check-result">{resultLabel(check.result)}</span>
                  <span className="check-text">
                    <strong>{checkLabel(check.id)}</strong>
                    <HospitalWords text={check.message} />
                  </span>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      {passedHidden > 0 ? <p className="muted">{passedHidden} other checks passed.</p> : null}
    </div>
  );
}

/** Accepting a cannot-determine code: only with a chosen reason and a typed note (audited by main). */
function OverrideForm(): ReactNode {
  const options = useDeskStore((s) => s.options);
  const override = useDeskStore((s) => s.override);
  const busy = useDeskStore((s) => s.busy);
  const [open, setOpen] = useState(false);
  // Each reason covers only some checks (a phone call about status cannot excuse an unknown
  // issuer), so the clerk ticks every reason that applies.
  const [reasons, setReasons] = useState<OverrideReasonCode[]>([]);
  const [note, setNote] = useState('');
  const noteTooShort = note.trim().length < 10;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (reasons.length === 0 || noteTooShort) return;
    await override({ reasons, note: note.trim() });
  }

  if (!open) {
    return (
      <div className="override-offer">
        <button type="button" className="btn" onClick={() => setOpen(true)}>
          Override with a reason…
        </button>
        <span className="muted">Only when you have confirmed the patient another way. Every override is audited.</span>
      </div>
    );
  }
  return (
    <form className="override-form" onSubmit={(e) => void submit(e)} aria-label="Override" data-testid="override-form">
      <fieldset className="fieldset override-reasons">
        <legend>Why are you accepting it?</legend>
        {(options?.overrideReasons ?? []).map((r) => (
          <label key={r.code} className="field-inline">
            <input
              type="checkbox"
              checked={reasons.includes(r.code)}
              onChange={(e) =>
                setReasons((list) => (e.target.checked ? [...list, r.code] : list.filter((c) => c !== r.code)))
              }
            />
            {r.label}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="override-note">What did you do to confirm it? (recorded in the audit trail)</label>
        <textarea
          id="override-note"
          className="textarea"
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          aria-invalid={note.length > 0 && noteTooShort}
          placeholder="e.g. Called the insurer's helpline, status confirmed by J. Smith at 10:42"
        />
        <span className="hint">At least 10 characters.</span>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || reasons.length === 0 || noteTooShort}>
          Accept with this reason
        </button>
        <button type="button" className="btn btn-quiet" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A verifier sentence in the hospital's words; the technical names stay in the detail, for IT. */
function HospitalWords({ text }: { text: string }): ReactNode {
  const words = inHospitalWords(text);
  return (
    <span>
      {words.text}
      {words.technical.length > 0 ? (
        <span className="muted check-technical" data-testid="check-technical">
          {' '}
          (technical: {words.technical.join(', ')})
        </span>
      ) : null}
    </span>
  );
}
