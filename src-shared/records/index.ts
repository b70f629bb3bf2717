/** The record exchange's shared parts (docs/formats/record-exchange.md): vocabulary, request signing, anchors. */
export * from './vocab';
export * from './signing';
export * from './anchor';
export { toBase64, toBase64url, fromBase64, toHex } from './bytes';
