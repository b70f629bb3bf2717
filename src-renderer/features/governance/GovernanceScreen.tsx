import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { KIND_LABEL } from '../../../src-shared/organisations/roles';
import type { OrganisationRegistryView } from '../../../src-shared/organisations/schemas';
import { api } from '../../lib/api';
import { formatDate, formatDateTime } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { SanctionsAdmin } from '../credentialing/SanctionsAdmin';

/**
 * The governance body's home: the ledger's organisation registry (who takes part, as which kind
 * of organisation) and which issuers are trusted for which credential types, as this workstation
 * last read them from the ledger. Sections for the governance body's other work (sanctions)
 * are added below the registry.
 */
export function GovernanceScreen(): ReactNode {
  const [view, setView] = useState<OrganisationRegistryView | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async (): Promise<void> => {
    setLoading(true);
    const result = await api['organisations.registry']({});
    setLoading(false);
    if (result.ok) {
      setView(result.value);
      setError(null);
    } else {
      setError(result.error);
    }
  }, []);

  useEffect(() => {
    // Fetching is what this effect is for (it shows a spinner, then the answer).
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load]);

  return (
    <div className="stack">
      <p className="lead">
        The organisations registered on the CareLedger network and the credential issuers they trust, as this
        workstation last read them from the ledger. Registering an organisation or trusting an issuer is a ledger
        transaction signed by a governance administrator.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {view === null && !error ? <Loading label="Loading the registry…" /> : null}
      {view !== null ? (
        <>
          <Freshness asOf={view.asOf} loading={loading} onRefresh={() => void load()} />
          <OrganisationsTable view={view} />
          <IssuersTable view={view} />
        </>
      ) : null}
      <SanctionsAdmin />
    </div>
  );
}

function Freshness({ asOf, loading, onRefresh }: { asOf: string | null; loading: boolean; onRefresh: () => void }): ReactNode {
  return (
    <div className="card-toolbar" data-testid="registry-freshness">
      {asOf === null ? (
        <Notice tone="warning" title="Not read from the ledger yet">
          This workstation has not synchronised the registry yet. Check the Sync screen; the lists fill in once it is
          connected to the ledger.
        </Notice>
      ) : (
        <span className="muted">As of {formatDateTime(asOf)}</span>
      )}
      <button type="button" className="btn" onClick={onRefresh} disabled={loading}>
        {loading ? 'Refreshing…' : 'Refresh'}
      </button>
    </div>
  );
}

function OrganisationsTable({ view }: { view: OrganisationRegistryView }): ReactNode {
  return (
    <section className="card card-flush" aria-labelledby="registry-organisations-heading">
      <div className="card-toolbar">
        <h2 id="registry-organisations-heading">Registered organisations</h2>
        <span className="muted">{view.organisations.length} registered</span>
      </div>
      {view.organisations.length === 0 ? (
        <div className="card-body empty">
          <p>No organisations known yet.</p>
        </div>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Registered organisations">
          <table className="table" data-testid="registry-organisations">
            <thead>
              <tr>
                <th scope="col">Organisation</th>
                <th scope="col">Kind</th>
                <th scope="col">MSP ID</th>
                <th scope="col">DID</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {view.organisations.map((o) => (
                <tr key={o.mspId}>
                  <td>{o.name}</td>
                  <td>
                    <span className="badge">{KIND_LABEL[o.kind]}</span>
                  </td>
                  <td className="nowrap">{o.mspId}</td>
                  <td className="mono">{o.did}</td>
                  <td className="nowrap">{o.registeredAt ? formatDate(o.registeredAt) : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function IssuersTable({ view }: { view: OrganisationRegistryView }): ReactNode {
  return (
    <section className="card card-flush" aria-labelledby="registry-issuers-heading">
      <div className="card-toolbar">
        <h2 id="registry-issuers-heading">Trusted issuers</h2>
        <span className="muted">{view.issuers.filter((i) => !i.removed).length} trusted</span>
      </div>
      {view.issuers.length === 0 ? (
        <div className="card-body empty">
          <p>No issuers are trusted yet.</p>
        </div>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Trusted issuers">
          <table className="table" data-testid="registry-issuers">
            <thead>
              <tr>
                <th scope="col">Issuer</th>
                <th scope="col">Operated by</th>
                <th scope="col">Trusted for</th>
                <th scope="col">Valid</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {view.issuers.map((i) => (
                <tr key={i.issuerDid}>
                  <td className="mono">{i.issuerDid}</td>
                  <td>{i.operatorName ?? i.operatorMspId}</td>
                  <td>{i.credentialTypes.join(', ')}</td>
                  <td className="nowrap">
                    {formatDate(i.validFrom)} – {i.validUntil ? formatDate(i.validUntil) : 'no end date'}
                  </td>
                  <td>{i.removed ? <span className="badge badge-danger">Removed</span> : <span className="badge badge-success">Trusted</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
