import { describe, expect, it } from 'vitest';
import { trustedDevServerOrigin } from '../../../src-main/app/dev-server';

describe('ELECTRON_RENDERER_URL as a trusted origin', () => {
  it('is ignored outside development builds, whatever it says', () => {
    expect(trustedDevServerOrigin('http://localhost:5173', false)).toBeNull();
    expect(trustedDevServerOrigin('https://attacker.example', false)).toBeNull();
  });

  it('in a development build, is trusted only as a plain-HTTP loopback origin', () => {
    expect(trustedDevServerOrigin('http://localhost:5173', true)).toBe('http://localhost:5173');
    expect(trustedDevServerOrigin('http://127.0.0.1:5173/index.html', true)).toBe('http://127.0.0.1:5173');
    expect(trustedDevServerOrigin('http://[::1]:5173', true)).toBe('http://[::1]:5173');
    expect(trustedDevServerOrigin(undefined, true)).toBeNull();
    expect(trustedDevServerOrigin('https://attacker.example', true)).toBeNull();
    expect(trustedDevServerOrigin('http://attacker.example:5173', true)).toBeNull();
    expect(trustedDevServerOrigin('http://localhost.attacker.example', true)).toBeNull();
    expect(trustedDevServerOrigin('http://user:pw@localhost:5173', true)).toBeNull();
    expect(trustedDevServerOrigin('file:///etc/passwd', true)).toBeNull();
    expect(trustedDevServerOrigin('not a url', true)).toBeNull();
  });
});
