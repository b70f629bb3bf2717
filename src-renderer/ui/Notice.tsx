import type { ReactNode } from 'react';
import type { IpcError } from '../../src-shared/ipc/contract';
import { errorHeading } from '../lib/errors';

type Tone = 'danger' | 'warning' | 'info' | 'success';

interface NoticeProps {
  tone: Tone;
  title?: string;
  children?: ReactNode;
  /** Assertive for errors the user must react to now; polite otherwise. */
  live?: 'assertive' | 'polite';
  testId?: string;
}

export function Notice({ tone, title, children, live, testId }: NoticeProps): ReactNode {
  const role = tone === 'danger' || tone === 'warning' ? 'alert' : 'status';
  return (
    <div className={`notice notice-${tone}`} role={role} aria-live={live} data-testid={testId}>
      <div>
        {title ? <p className="notice-title">{title}</p> : null}
        {children}
      </div>
    </div>
  );
}

/** An error from the service: a friendly heading for its code, then its own sentence. */
export function ErrorNotice({ error, children }: { error: IpcError; children?: ReactNode }): ReactNode {
  return (
    <Notice tone="danger" title={errorHeading(error)} testId={`error-${error.code}`}>
      <p>{error.message}</p>
      {children}
    </Notice>
  );
}
