/**
 * Every way a scanned wallet code can be refused, each with a stable code (for tests, logs
 * and the IPC layer) and a sentence the admissions clerk can act on.
 */
export type WalletQrErrorCode =
  | 'EMPTY'
  | 'BAD_PREFIX'
  | 'UNSUPPORTED_VERSION'
  | 'BAD_PART_HEADER'
  | 'BAD_ALPHABET'
  | 'BAD_ENCODING'
  | 'TRUNCATED'
  | 'TOO_LONG'
  | 'CORRUPT'
  | 'INFLATED_TOO_LARGE'
  | 'BAD_FRAMING'
  | 'NOT_A_PRESENTATION'
  | 'WRONG_PART_COUNT'
  | 'PART_FROM_OTHER_SET'
  | 'DUPLICATE_PART'
  | 'INCOMPLETE'
  | 'CHECKSUM_MISMATCH'
  | 'CANNOT_ENCODE';

const MESSAGES: Record<WalletQrErrorCode, string> = {
  EMPTY: 'The scan was empty. Ask the patient to hold the wallet code steady in front of the camera and scan again.',
  BAD_PREFIX:
    'This code is not a CareLedger wallet code. Ask the patient to open their health wallet and show the admission code.',
  UNSUPPORTED_VERSION:
    'This wallet code uses a newer format than this workstation understands. Ask IT to update the workstation, or ask the patient for a code from an up-to-date wallet.',
  BAD_PART_HEADER:
    'This wallet code part is damaged (its part number could not be read). Scan the part again.',
  BAD_ALPHABET:
    'The code contains characters a wallet code never has; the scan was misread or the code was typed in by hand. Scan it again.',
  BAD_ENCODING: 'The code was misread (its contents are not valid). Scan it again.',
  TRUNCATED: 'Only part of the code was read. Scan it again, holding it fully in view.',
  TOO_LONG: 'This code is longer than any wallet code can be, so it was refused. Ask the patient to show the code from their wallet again.',
  CORRUPT: 'The code was read but its contents are damaged. Scan it again; if this repeats, ask the patient to create a new code in their wallet.',
  INFLATED_TOO_LARGE:
    'This code unpacks into far more data than a wallet presentation can hold, so it was refused for safety. Do not use it; ask the patient for a new code.',
  BAD_FRAMING: 'The code was read but its contents are not laid out as a wallet presentation. Ask the patient to create a new code in their wallet.',
  NOT_A_PRESENTATION:
    'The code is readable but it does not hold a wallet presentation (identity, insurance or consent). Ask the patient to show the admission code from their wallet.',
  WRONG_PART_COUNT:
    'This code belongs to a multi-part wallet code with a different number of parts than the ones already scanned. Clear the scan and start again with the codes on the patient\'s screen.',
  PART_FROM_OTHER_SET:
    'This part belongs to a different wallet code than the parts already scanned. Clear the scan and start again with the codes on the patient\'s screen.',
  DUPLICATE_PART:
    'Two different codes claim to be the same part of this wallet code. Clear the scan and start again with the codes on the patient\'s screen.',
  INCOMPLETE: 'Not all parts of the wallet code have been scanned yet. Scan the remaining parts.',
  CHECKSUM_MISMATCH:
    'The parts were all scanned but they do not fit together. Clear the scan and start again with the codes on the patient\'s screen.',
  CANNOT_ENCODE: 'The wallet could not turn this presentation into a code.',
};

export class WalletQrError extends Error {
  override readonly name = 'WalletQrError';

  constructor(
    readonly code: WalletQrErrorCode,
    /** Machine-readable facts for logs (positions, sizes); never shown to the clerk as is. */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(MESSAGES[code], options);
  }
}

/** The clerk-readable sentence for a code (for UIs that receive only the code over IPC). */
export function walletQrErrorMessage(code: WalletQrErrorCode): string {
  return MESSAGES[code];
}
