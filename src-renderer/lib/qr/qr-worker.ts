/**
 * The QR decoder in a dedicated worker: a camera frame's decode (tens of milliseconds on a
 * busy two-core desk PC) never holds up the page, so typing, clicks and the verdict render
 * while the camera loop runs. The page transfers each frame's pixels (no copy) and gets back
 * the text and corners. The wasm URL comes from the page (same origin; never a CDN).
 *
 * Protocol (see scanner.ts): { kind: 'init', wasmUrl } once, then
 * { kind: 'locate', id, width, height, data, passes } -> { id, result } | { id, error }.
 */
import { createZxingDecoder, type DecodePass, type LocatedCode, type ZxingQrDecoder } from './decode';
import { warmUpFrame } from './warm-up';

export type QrWorkerRequest =
  | { kind: 'init'; wasmUrl: string }
  | { kind: 'locate'; id: number; width: number; height: number; data: Uint8ClampedArray<ArrayBuffer>; passes: readonly DecodePass[] };

export type QrWorkerResponse = { id: number; result: LocatedCode | null } | { id: number; error: string };

let decoder: ZxingQrDecoder | undefined;

function reply(message: QrWorkerResponse): void {
  globalThis.postMessage(message);
}

globalThis.addEventListener('message', (event: MessageEvent<QrWorkerRequest>) => {
  const request = event.data;
  if (request.kind === 'init') {
    decoder = createZxingDecoder({ wasmUrl: request.wasmUrl });
    // Compile the wasm and read one camera-sized frame with a code in it now, not on the
    // camera's first frame (warm-up.ts): the first code the clerk holds up is then read at
    // warm speed. Off the page's thread, once per page. The 2x2 read starts the wasm fetch
    // and compile at once; the frame is built meanwhile; then the two passes a camera frame
    // needs first (half size, full frame) each read it once. A decoder of its own (same wasm
    // module, its own frame buffers), so a real frame arriving meanwhile never shares a buffer
    // with the warm-up frame.
    const warming = createZxingDecoder({ wasmUrl: request.wasmUrl });
    const compiled = warming.locate({ data: new Uint8ClampedArray(16), width: 2, height: 2 }, ['half']);
    const frame = warmUpFrame();
    void compiled
      .then(() => warming.locate(frame, ['half']))
      .then(() => warming.locate(frame, ['full']))
      .catch(() => undefined);
    return;
  }
  const current = decoder;
  if (current === undefined) {
    reply({ id: request.id, error: 'the decoder was not initialised' });
    return;
  }
  current.locate({ data: request.data, width: request.width, height: request.height }, request.passes).then(
    (result) => reply({ id: request.id, result }),
    (err: unknown) => reply({ id: request.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
