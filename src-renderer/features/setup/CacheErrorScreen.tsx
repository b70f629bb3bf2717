import type { ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorNotice } from '../../ui/Notice';

/**
 * The cache cannot be opened at all (corrupt file, newer version, keychain gone). Nothing
 * has been deleted; the user needs IT, and the message from the service says why.
 */
export function CacheErrorScreen({ error, onRetry }: { error: IpcError; onRetry: () => void }): ReactNode {
  return (
    <AuthLayout testId="cache-error-screen" title="Local data cannot be opened">
      <ErrorNotice error={error} />
      <p>Nothing has been deleted. Call IT support and tell them the heading above.</p>
      <div className="form-actions">
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      </div>
    </AuthLayout>
  );
}
