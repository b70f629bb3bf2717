import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { ScanSource } from '../../../src-shared/admission/schemas';
import { decodeImageFile } from '../../lib/qr';
import { Loading } from '../../ui/Loading';
import { Notice } from '../../ui/Notice';
import { useDeskStore } from './store';
import { useCameraScan, type CameraState } from './useCameraScan';

/**
 * The three ways a wallet code reaches the desk. The scanner field holds the focus by
 * default: a handheld 2D scanner types the code's text and presses Enter, so the clerk
 * scans without touching the mouse.
 */
export function ScanPanel(): ReactNode {
  const submitScan = useDeskStore((s) => s.submitScan);
  const collecting = useDeskStore((s) => s.collecting);
  const busy = useDeskStore((s) => s.busy);
  const focusTick = useDeskStore((s) => s.focusTick);
  const startOver = useDeskStore((s) => s.startOver);
  const [text, setText] = useState('');
  const [imageProblem, setImageProblem] = useState<string | null>(null);
  const [decodingImage, setDecodingImage] = useState(false);
  const [dragging, setDragging] = useState(false);
  const pasted = useRef(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);

  const onCameraText = useCallback((t: string) => void submitScan(t, 'camera'), [submitScan]);
  const camera = useCameraScan(videoRef, onCameraText);

  useEffect(() => {
    inputRef.current?.focus();
  }, [focusTick]);

  function submitTyped(): void {
    const source: ScanSource = pasted.current ? 'paste' : 'scanner';
    pasted.current = false;
    const value = text;
    setText('');
    void submitScan(value, source);
  }

  async function openImages(files: FileList | File[]): Promise<void> {
    setImageProblem(null);
    setDecodingImage(true);
    const list = Array.from(files).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    for (const file of list) {
      let decoded: string | null = null;
      try {
        decoded = await decodeImageFile(file);
      } catch {
        decoded = null;
      }
      if (decoded === null) {
        setImageProblem(
          `No wallet QR code could be read in "${file.name}". Use a sharper picture or another way to scan.`,
        );
        break;
      }
      await submitScan(decoded, 'image');
    }
    setDecodingImage(false);
    inputRef.current?.focus();
  }

  function onDrop(event: DragEvent<HTMLElement>): void {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) void openImages(event.dataTransfer.files);
  }

  return (
    <section
      className={`card scan-panel${dragging ? ' is-dragging' : ''}`}
      aria-labelledby="scan-title"
      data-testid="scan-panel"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="scan-inputs">
        <h2 id="scan-title">Scan the patient&apos;s wallet code</h2>
        <div className="field">
          <label htmlFor="scanner-input">Handheld scanner</label>
          <textarea
            id="scanner-input"
            ref={inputRef}
            className="textarea scanner-input mono"
            rows={2}
            value={text}
            placeholder="Point the scanner at the code; it types here and presses Enter."
            autoComplete="off"
            spellCheck={false}
            aria-describedby="scanner-hint"
            onChange={(e) => setText(e.target.value)}
            onPaste={() => {
              pasted.current = true;
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                submitTyped();
              }
            }}
          />
          <span className="hint" id="scanner-hint">
            Ready for the scanner. You can also paste the code&apos;s text and press Enter.
          </span>
        </div>
        <div className="scan-actions">
          <button
            type="button"
            className="btn"
            onClick={() => (camera.state.status === 'on' ? camera.stop() : void camera.start())}
          >
            {camera.state.status === 'on' ? 'Stop camera' : 'Use camera'}
          </button>
          <button type="button" className="btn" onClick={() => fileRef.current?.click()}>
            Open image…
          </button>
          <input
            ref={fileRef}
            type="file"
            accept="image/*"
            multiple
            hidden
            data-testid="image-input"
            aria-label="Wallet code image"
            onChange={(e) => {
              if (e.target.files && e.target.files.length > 0) void openImages(e.target.files);
              e.target.value = '';
            }}
          />
          <span className="muted scan-drop-hint">or drop an image here</span>
        </div>
        {collecting ? (
          <div className="scan-progress" data-testid="scan-progress" role="status" aria-live="polite">
            <label htmlFor="scan-progress-bar">
              <strong>
                {collecting.received.length} of {collecting.total} parts
              </strong>{' '}
              scanned. Scan the next part of the code.
            </label>
            <progress id="scan-progress-bar" max={collecting.total} value={collecting.received.length} />
            <button type="button" className="btn btn-quiet" onClick={() => void startOver()}>
              Discard parts
            </button>
          </div>
        ) : null}
        {busy ? <Loading label="Checking the wallet code…" /> : null}
        {decodingImage ? <Loading label="Reading the image…" /> : null}
        {imageProblem ? (
          <Notice tone="warning" title="No code found in the image" testId="image-problem">
            <p>{imageProblem}</p>
          </Notice>
        ) : null}
      </div>
      <CameraPreview videoRef={videoRef} state={camera.state} outline={camera.outline} />
    </section>
  );
}

function CameraPreview({
  videoRef,
  state,
  outline,
}: {
  videoRef: React.RefObject<HTMLVideoElement | null>;
  state: CameraState;
  outline: ReturnType<typeof useCameraScan>['outline'];
}): ReactNode {
  return (
    <div className="camera" data-testid="camera" data-state={state.status}>
      <div className={`camera-frame${state.status === 'on' ? ' is-on' : ''}`}>
        <video ref={videoRef} muted playsInline aria-label="Camera preview" />
        {state.status === 'on' && outline ? (
          <svg
            className="camera-outline"
            viewBox={`0 0 ${outline.width} ${outline.height}`}
            preserveAspectRatio="xMidYMid meet"
            aria-hidden="true"
            data-testid="code-outline"
          >
            <polygon points={outline.points.map((p) => `${p.x},${p.y}`).join(' ')} />
          </svg>
        ) : null}
        {state.status !== 'on' ? <div className="camera-placeholder">{cameraMessage(state)}</div> : null}
      </div>
    </div>
  );
}

function cameraMessage(state: CameraState): ReactNode {
  switch (state.status) {
    case 'off':
      return <p>The camera is off. Press &ldquo;Use camera&rdquo; to scan with the webcam.</p>;
    case 'starting':
      return <Loading label="Starting the camera…" />;
    case 'denied':
      return (
        <p role="alert" data-testid="camera-denied">
          <strong>Camera permission refused.</strong> Allow the camera for CareLedger in the system settings, or use the
          handheld scanner or an image.
        </p>
      );
    case 'no-camera':
      return (
        <p role="alert" data-testid="camera-missing">
          <strong>No camera found on this workstation.</strong> Use the handheld scanner or open an image of the code.
        </p>
      );
    case 'error':
      return (
        <p role="alert">
          <strong>The camera could not start.</strong> {state.message} Use the handheld scanner or an image instead.
        </p>
      );
    case 'on':
      return null;
  }
}
