/** QR decoding for the scan screens (camera frames and image files). */
export { createZxingDecoder, DECODE_PASSES, type DecodePass, type LocatedCode, type QrDecoder, type RgbaImage, type ZxingQrDecoder, type ZxingWasmSource } from './decode';
export { decodeFrame, decodeImageFile, grabVideoFrame, locateInFrame, scanDecoder, warmScanDecoder, ZXING_WASM_URL } from './scanner';
