// First: the start call leaves before the rest of the bundle is evaluated (see boot.ts).
import './boot';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { loadFirstScreen } from './app/start-state';
import { preloadContract } from './lib/api';
import './styles/base.css';
import './styles/layout.css';

/**
 * The first render waits for the start state (lib/wire.ts sent its call before this bundle was
 * evaluated, so it has usually arrived by now), for at most this long: the first thing drawn is
 * then the right screen (sign-in, lock, setup) rather than "Starting CareLedger" followed by a
 * second render a frame later. A slow or stopped service gets the starting screen after this.
 */
const FIRST_SCREEN_WAIT_MS = 200;
const CONTRACT_PRELOAD_DELAY_MS = 300;

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element.');
const container = root;
let rendered = false;
function renderApp(): void {
  if (rendered) return;
  rendered = true;
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  // The rest of the contract's schemas (every other channel, pushed events) once the first
  // screen is drawn; a call that needs them sooner loads them itself.
  window.setTimeout(preloadContract, CONTRACT_PRELOAD_DELAY_MS);
}
void loadFirstScreen().finally(renderApp);
window.setTimeout(renderApp, FIRST_SCREEN_WAIT_MS);
