import { useEffect, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import type { IpcError, ResponseOf, StaffIdentitySummary } from '../../../src-shared/ipc/contract';
import { KIND_IN_A_SENTENCE, rolesOf, type OrganisationKind } from '../../../src-shared/organisations/roles';
import { api } from '../../lib/api';
import { roleLabel } from '../../lib/format';
import { ErrorNotice, Notice } from '../../ui/Notice';

interface PemFile {
  name: string;
  text: string;
}

interface Problems {
  certificate?: string;
  key?: string;
  setupPassphrase?: string;
  pin?: string;
  pinConfirm?: string;
}

const MAX_PEM_BYTES = 20_000;

/**
 * Enrol a staff identity issued by the organisation's certificate authority: the
 * certificate and private key as PEM files (IT hands them over), the workstation's setup
 * passphrase (enrolment is IT's act, not anyone's at the sign-in screen), and a new PIN that
 * protects the key on this workstation. The organisation is the workstation's own (from its
 * ledger configuration): a certificate from any other CA is refused with the reason.
 */
export function EnrolIdentityForm({
  onEnrolled,
  onCancel,
}: {
  onEnrolled: (identity: StaffIdentitySummary) => void;
  onCancel?: () => void;
}): ReactNode {
  const [certificate, setCertificate] = useState<PemFile | null>(null);
  const [key, setKey] = useState<PemFile | null>(null);
  const [setupPassphrase, setSetupPassphrase] = useState('');
  const [pin, setPin] = useState('');
  const [pinConfirm, setPinConfirm] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  // Whose staff this workstation enrols (undefined while asking, null when none is configured).
  const [organisation, setOrganisation] = useState<ResponseOf<'session.enrolmentOrganisation'> | undefined>(undefined);

  useEffect(() => {
    let current = true;
    void api['session.enrolmentOrganisation']({}).then((result) => {
      if (current && result.ok) setOrganisation(result.value);
    });
    return () => {
      current = false;
    };
  }, []);

  async function readPem(event: ChangeEvent<HTMLInputElement>, set: (file: PemFile | null) => void): Promise<void> {
    const file = event.target.files?.[0];
    if (!file) {
      set(null);
      return;
    }
    if (file.size > MAX_PEM_BYTES) {
      set({ name: file.name, text: '' });
      return;
    }
    set({ name: file.name, text: await file.text() });
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const found: Problems = {};
    if (!certificate?.text.includes('-----BEGIN CERTIFICATE-----'))
      found.certificate = 'Choose the certificate file (a .pem file that starts with "BEGIN CERTIFICATE").';
    if (!key?.text.includes('PRIVATE KEY-----'))
      found.key = 'Choose the private key file (a .pem file that starts with "BEGIN PRIVATE KEY").';
    if (setupPassphrase.length === 0) found.setupPassphrase = "Ask IT support to enter this workstation's setup passphrase.";
    if (pin.length < 4) found.pin = 'Use at least 4 characters.';
    else if (pinConfirm !== pin) found.pinConfirm = 'The two PINs are not the same.';
    setProblems(found);
    if (Object.keys(found).length > 0 || !certificate || !key) return;
    setBusy(true);
    setError(null);
    const result = await api['session.importIdentity']({
      certificatePem: certificate.text,
      privateKeyPem: key.text,
      pin,
      setupPassphrase,
    });
    setBusy(false);
    if (result.ok) onEnrolled(result.value);
    else setError(result.error);
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label="Enrol a staff identity" data-testid="enrol-form">
      {organisation === null ? (
        <Notice tone="warning" testId="enrol-no-organisation">
          <p>
            This workstation does not know which organisation it belongs to yet, so no staff can be enrolled. Ask IT
            support to install the ledger connection file with the organisation&apos;s MSP certificates.
          </p>
        </Notice>
      ) : organisation ? (
        <p className="muted" data-testid="enrol-organisation">
          This workstation enrols staff of <strong>{organisation.organisationName}</strong> only: the certificate must
          come from {organisation.organisationName}&apos;s certificate authority, with a role of{' '}
          {KIND_IN_A_SENTENCE[organisation.organisationKind]} ({rolesInWords(organisation.organisationKind)}).
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      <div className="form-grid">
        <div className="field">
          <label htmlFor="enrol-certificate">Certificate file</label>
          <span className="hint" id="enrol-certificate-hint">
            Issued to you by your organisation.
          </span>
          <input
            id="enrol-certificate"
            type="file"
            accept=".pem,.crt,.cer,application/x-pem-file"
            className="input"
            aria-describedby="enrol-certificate-hint"
            aria-invalid={problems.certificate ? true : undefined}
            onChange={(e) => void readPem(e, setCertificate)}
          />
          {problems.certificate ? <span className="field-error">{problems.certificate}</span> : null}
        </div>
        <div className="field">
          <label htmlFor="enrol-key">Private key file</label>
          <span className="hint" id="enrol-key-hint">
            The key that goes with it.
          </span>
          <input
            id="enrol-key"
            type="file"
            accept=".pem,.key,application/x-pem-file"
            className="input"
            aria-describedby="enrol-key-hint"
            aria-invalid={problems.key ? true : undefined}
            onChange={(e) => void readPem(e, setKey)}
          />
          {problems.key ? <span className="field-error">{problems.key}</span> : null}
        </div>
      </div>
      <div className="field">
        <label htmlFor="enrol-setup-passphrase">Workstation setup passphrase</label>
        <span className="hint" id="enrol-setup-passphrase-hint">
          The recovery passphrase IT chose when this workstation was set up. IT support enters it.
        </span>
        <input
          id="enrol-setup-passphrase"
          className="input"
          type="password"
          value={setupPassphrase}
          onChange={(e) => setSetupPassphrase(e.target.value)}
          aria-describedby="enrol-setup-passphrase-hint"
          aria-invalid={problems.setupPassphrase ? true : undefined}
          autoComplete="off"
        />
        {problems.setupPassphrase ? <span className="field-error">{problems.setupPassphrase}</span> : null}
      </div>
      <p className="muted" id="enrol-pin-hint">
        Choose a PIN of at least 4 characters. You will type it to sign in at this workstation.
      </p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="enrol-pin">New PIN</label>
          <input
            id="enrol-pin"
            className="input"
            type="password"
            inputMode="numeric"
            autoComplete="new-password"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            aria-describedby="enrol-pin-hint"
            aria-invalid={problems.pin ? true : undefined}
          />
          {problems.pin ? <span className="field-error">{problems.pin}</span> : null}
        </div>
        <div className="field">
          <label htmlFor="enrol-pin-confirm">Type the PIN again</label>
          <input
            id="enrol-pin-confirm"
            className="input"
            type="password"
            inputMode="numeric"
            autoComplete="new-password"
            value={pinConfirm}
            onChange={(e) => setPinConfirm(e.target.value)}
            aria-describedby="enrol-pin-hint"
            aria-invalid={problems.pinConfirm ? true : undefined}
          />
          {problems.pinConfirm ? <span className="field-error">{problems.pinConfirm}</span> : null}
        </div>
      </div>
      <Notice tone="info">
        <p>The private key is stored on this workstation encrypted under your PIN. The key file itself is not kept.</p>
      </Notice>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Enrolling…' : 'Enrol identity'}
        </button>
        {onCancel ? (
          <button type="button" className="btn btn-quiet" onClick={onCancel}>
            Back to sign-in
          </button>
        ) : null}
      </div>
    </form>
  );
}

export function enrolledMessage(identity: StaffIdentitySummary): string {
  return `${identity.displayName} (${roleLabel(identity.role)}) is enrolled. Sign in with the new PIN.`;
}

/** 'Admissions, Clinician, Claims, Credentialing or Privacy officer'. */
function rolesInWords(kind: OrganisationKind): string {
  const labels = rolesOf(kind).map(roleLabel);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1] ?? ''}` : (labels[0] ?? '');
}
