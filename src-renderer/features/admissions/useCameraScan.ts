import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { grabVideoFrame, locateInFrame, warmScanDecoder, type DecodePass } from '../../lib/qr';

/** Corners of a detected code, in video pixels, for the outline drawn over the preview. */
export interface CodeOutline {
  points: { x: number; y: number }[];
  width: number;
  height: number;
}

export type CameraState =
  | { status: 'off' }
  | { status: 'starting' }
  | { status: 'on' }
  | { status: 'denied' }
  | { status: 'no-camera' }
  | { status: 'error'; message: string };

/** Milliseconds between decode attempts: fast enough to feel instant, light on a 2-core desk PC. */
const FRAME_INTERVAL_MS = 120;
/** Milliseconds between looks for the camera's first frame. */
const FIRST_FRAME_POLL_MS = 16;

/**
 * The decoder's passes per camera frame: the quick ones every frame, the two costly last
 * resorts (small codes off-centre, codes out of focus) on alternate frames. A camera sees the
 * same code many times a second, so every pass still gets its turn within a quarter second.
 */
const CAMERA_PASSES: readonly (readonly DecodePass[])[] = [
  ['half', 'full', 'global'],
  ['half', 'full', 'sharpened'],
];

/**
 * The webcam preview and its scan loop. The camera is opened only by `start()`, which the
 * screen calls when the clerk presses "Use camera": never on page load, so the light does
 * not come on at a desk that uses a handheld scanner.
 */
export function useCameraScan(
  videoRef: RefObject<HTMLVideoElement | null>,
  onText: (text: string) => void,
): { state: CameraState; outline: CodeOutline | null; start: () => Promise<void>; stop: () => void } {
  const [state, setState] = useState<CameraState>({ status: 'off' });
  const [outline, setOutline] = useState<CodeOutline | null>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const timerRef = useRef<number | null>(null);
  const onTextRef = useRef(onText);
  useEffect(() => {
    onTextRef.current = onText;
  }, [onText]);

  const stop = useCallback(() => {
    if (timerRef.current !== null) window.clearTimeout(timerRef.current);
    timerRef.current = null;
    streamRef.current?.getTracks().forEach((t) => t.stop());
    streamRef.current = null;
    setOutline(null);
    setState({ status: 'off' });
  }, []);

  const start = useCallback(async () => {
    if (!navigator.mediaDevices?.getUserMedia) {
      setState({ status: 'no-camera' });
      return;
    }
    setState({ status: 'starting' });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch (error) {
      const name = error instanceof DOMException ? error.name : '';
      if (name === 'NotAllowedError' || name === 'SecurityError') setState({ status: 'denied' });
      else if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError')
        setState({ status: 'no-camera' });
      else setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    streamRef.current = stream;
    const video = videoRef.current;
    if (!video) {
      stream.getTracks().forEach((t) => t.stop());
      setState({ status: 'off' });
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => undefined);
    setState({ status: 'on' });
    warmScanDecoder(); // the worker and its locally served wasm, if the screen did not start them yet
    const canvas = document.createElement('canvas');
    let lastText = '';
    let frameNumber = 0;
    const tick = async (): Promise<void> => {
      if (streamRef.current !== stream) return;
      const frame = grabVideoFrame(video, canvas);
      if (frame) {
        const { width, height } = frame;
        try {
          // Decoded in the worker: the page stays free while the frame is searched.
          const hit = await locateInFrame(frame, CAMERA_PASSES[frameNumber++ % CAMERA_PASSES.length]);
          if (streamRef.current !== stream) return;
          if (hit) {
            setOutline({ points: hit.corners, width, height });
            // A camera sees the same code many times a second: hand each text over once in a row.
            if (hit.text !== lastText) {
              lastText = hit.text;
              onTextRef.current(hit.text);
            }
          } else {
            setOutline(null);
          }
        } catch {
          // One unreadable frame is normal (motion blur); the next one is tried.
        }
      }
      // Until the preview has its first frame, look again soon rather than a full interval later.
      if (streamRef.current === stream) timerRef.current = window.setTimeout(() => void tick(), frame ? FRAME_INTERVAL_MS : FIRST_FRAME_POLL_MS);
    };
    void tick();
  }, [videoRef]);

  useEffect(() => stop, [stop]);

  // Start the decoder (its worker, the wasm fetch and compile, all off this thread) right after
  // the scan screen's first paint: a clerk who presses "Use camera" at once finds it ready by
  // the time the camera gives its first frame, so the first code is read like any other
  // (tools/bench/NOTES.md, first camera scan in a new page).
  useEffect(() => {
    let timer: number | undefined;
    const frame = window.requestAnimationFrame(() => {
      timer = window.setTimeout(warmScanDecoder, 0); // after the paint this frame is for
    });
    return () => {
      window.cancelAnimationFrame(frame);
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, []);

  return { state, outline, start, stop };
}
