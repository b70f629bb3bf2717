import type { ReactNode } from 'react';
import { Brand } from './Brand';

/**
 * The frame of every screen shown before someone is signed in: first-run setup, cache
 * unlock, sign-in and the lock screen. One centred card, nothing else to look at.
 */
export function AuthLayout({
  title,
  intro,
  children,
  testId,
  wide = false,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  testId: string;
  wide?: boolean;
}): ReactNode {
  return (
    <div className="auth-page">
      <header className="auth-brand">
        <Brand />
      </header>
      <main
        className={`auth-card card${wide ? ' auth-card-wide' : ''}`}
        data-testid={testId}
        aria-labelledby="auth-title"
      >
        <h1 id="auth-title">{title}</h1>
        {intro ? <div className="auth-intro">{intro}</div> : null}
        {children}
      </main>
      <footer className="auth-footer muted">
        Shared workstation. Sign out or lock the screen when you leave it.
      </footer>
    </div>
  );
}
