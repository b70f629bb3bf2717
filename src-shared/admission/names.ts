/**
 * The one way the desk writes a patient's name, on every screen, message and wristband:
 * "OLIVEIRA, Maria" (family name in capitals first, as on the wristband, so two patients with
 * the same given name are not confused at the bedside). Plain TypeScript: no node:*, no DOM.
 */
export function patientDisplayName(p: { givenName: string; familyName: string }): string {
  return `${p.familyName.toUpperCase()}, ${p.givenName}`;
}
