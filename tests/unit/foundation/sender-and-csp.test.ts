import { describe, expect, it } from 'vitest';
import { isTrustedSender } from '../../../src-main/ipc/sender';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/security/csp';

describe('Electron sender check', () => {
  const good = { fromOurWindow: true, isMainFrame: true, frameUrl: 'app://careledger/index.html' };

  it('trusts only the main frame of our window on app://careledger', () => {
    expect(isTrustedSender(good)).toBe(true);
    expect(isTrustedSender({ ...good, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ ...good, fromOurWindow: false })).toBe(false);
    for (const frameUrl of ['file:///index.html', 'https://careledger/index.html', 'app://evil/index.html', 'app://careledger.evil.example/', '', 'not a url']) {
      expect(isTrustedSender({ ...good, frameUrl })).toBe(false);
    }
  });

  it('trusts the dev server only when one is named, and only its exact origin', () => {
    const dev = { ...good, frameUrl: 'http://localhost:5173/index.html' };
    expect(isTrustedSender(dev)).toBe(false);
    expect(isTrustedSender(dev, 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender({ ...dev, frameUrl: 'http://localhost:5174/' }, 'http://localhost:5173')).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('loads scripts, styles, fonts and connections from our own origin only', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('font-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|'unsafe-eval'|https?:|\*/);
  });
});
