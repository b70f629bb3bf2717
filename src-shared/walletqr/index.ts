/** The wallet QR format (version 1): see docs/formats/wallet-qr.md. Plain TypeScript. */
export { base45Decode, base45Encode, BASE45_ALPHABET } from './base45';
export { WalletQrCollector, type CollectorProgress } from './collector';
export { WALLET_QR_DICTIONARY_V1 } from './dictionary';
export { WalletQrError, walletQrErrorMessage, type WalletQrErrorCode } from './errors';
export {
  decodeCompressedBundle,
  decodeWalletQr,
  DEFAULT_WALLET_QR_LIMITS,
  encodeWalletQr,
  parseWalletQrCode,
  V30_M_ALPHANUMERIC_CHARS,
  WALLET_QR_PART_PREFIX,
  WALLET_QR_PREFIX,
  WALLET_QR_VERSION,
  type DecodedWalletPresentation,
  type EncodeOptions,
  type WalletQrCode,
  type WalletQrLimits,
} from './format';
