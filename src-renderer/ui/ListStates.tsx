import type { ReactNode } from 'react';
import type { IpcError } from '../../src-shared/ipc/contract';
import { Loading } from './Loading';
import { ErrorNotice } from './Notice';

/**
 * The three states a list in a card shows before its rows: the error that stopped it, the
 * loading line while nothing has arrived, and the sentence for an empty list. Renders nothing
 * once there are rows; the caller draws them.
 */
export function ListStates({
  error,
  items,
  loadingLabel,
  empty,
}: {
  error: IpcError | null;
  items: readonly unknown[] | null;
  loadingLabel: string;
  empty: ReactNode;
}): ReactNode {
  return (
    <>
      {error ? (
        <div className="card-body">
          <ErrorNotice error={error} />
        </div>
      ) : null}
      {items === null && !error ? (
        <div className="card-body">
          <Loading label={loadingLabel} />
        </div>
      ) : null}
      {items !== null && items.length === 0 ? (
        <div className="card-body empty">
          <p>{empty}</p>
        </div>
      ) : null}
    </>
  );
}
