import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { decodeImageFile } from '../../lib/qr';
import { useCameraScan } from '../admissions/useCameraScan';
import { useCredentialingStore } from './store';

/**
 * The doctor's wallet code reaches the officer the same three ways as at the desk (handheld
 * scanner typing into the field, camera, image file), or as a presentation file the doctor
 * exported from their wallet.
 */
export function LocumScanPanel(): ReactNode {
  const submitScan = useCredentialingStore((s) => s.submitScan);
  const openFile = useCredentialingStore((s) => s.openFile);
  const collecting = useCredentialingStore((s) => s.collecting);
  const busy = useCredentialingStore((s) => s.busy);
  const startOver = useCredentialingStore((s) => s.startOver);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const imageRef = useRef<HTMLInputElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const pasted = useRef(false);
  const onCameraText = useCallback((t: string) => void submitScan(t, 'camera'), [submitScan]);
  const camera = useCameraScan(videoRef, onCameraText);

  useEffect(() => {
    inputRef.current?.focus();
  }, [collecting]);

  async function openImages(files: FileList): Promise<void> {
    setProblem(null);
    for (const file of Array.from(files).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))) {
      const decoded = await decodeImageFile(file).catch(() => null);
      if (decoded === null) {
        setProblem(`No wallet QR code could be read in "${file.name}". Use a sharper picture, or scan the doctor's phone.`);
        return;
      }
      await submitScan(decoded, 'image');
    }
  }

  async function openPresentation(file: File): Promise<void> {
    setProblem(null);
    if (file.size > 300_000) {
      setProblem(`"${file.name}" is too large to be a presentation. Ask the doctor to export it from their wallet again.`);
      return;
    }
    await openFile(await file.text());
  }

  return (
    <section className="card cred-scan" aria-labelledby="cred-scan-title" data-testid="locum-scan">
      <h2 id="cred-scan-title">Verify a locum doctor</h2>
      <p className="muted">Ask the doctor to show the credentialing code from their wallet: licence, specialty or board certification, and any identity card.</p>
      <div className="field">
        <label htmlFor="locum-scanner-input">Handheld scanner</label>
        <textarea
          id="locum-scanner-input"
          ref={inputRef}
          className="textarea mono"
          rows={2}
          value={text}
          placeholder="Point the scanner at the code; it types here and presses Enter."
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onPaste={() => {
            pasted.current = true;
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              const value = text;
              const source = pasted.current ? 'paste' : 'scanner';
              pasted.current = false;
              setText('');
              void submitScan(value, source);
            }
          }}
        />
      </div>
      <div className="cred-actions">
        <button type="button" className="btn" onClick={() => (camera.state.status === 'on' ? camera.stop() : void camera.start())}>
          {camera.state.status === 'on' ? 'Stop camera' : 'Use camera'}
        </button>
        <button type="button" className="btn" onClick={() => imageRef.current?.click()}>
          Open image…
        </button>
        <button type="button" className="btn" onClick={() => fileRef.current?.click()}>
          Open presentation file…
        </button>
        <input
          ref={imageRef}
          type="file"
          accept="image/*"
          multiple
          hidden
          data-testid="locum-image-input"
          aria-label="Wallet code image"
          onChange={(e) => {
            if (e.target.files && e.target.files.length > 0) void openImages(e.target.files);
            e.target.value = '';
          }}
        />
        <input
          ref={fileRef}
          type="file"
          accept=".jwt,.txt,.json,text/plain"
          hidden
          data-testid="locum-file-input"
          aria-label="Presentation file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void openPresentation(f);
            e.target.value = '';
          }}
        />
        {busy ? <span className="muted" role="status">Checking…</span> : null}
      </div>
      <video ref={videoRef} className="cred-video" hidden={camera.state.status !== 'on' && camera.state.status !== 'starting'} muted playsInline />
      {camera.state.status === 'denied' ? <p className="cred-problem">The camera is blocked for this workstation. Use the handheld scanner or open an image.</p> : null}
      {camera.state.status === 'no-camera' ? <p className="cred-problem">No camera is connected. Use the handheld scanner or open an image.</p> : null}
      {collecting ? (
        <div role="status" data-testid="locum-scan-progress">
          <strong>
            {collecting.received.length} of {collecting.total} parts
          </strong>{' '}
          scanned. Scan the next part of the code.{' '}
          <button type="button" className="btn btn-quiet" onClick={() => void startOver()}>
            Discard parts
          </button>
        </div>
      ) : null}
      {problem ? <p className="cred-problem" role="alert">{problem}</p> : null}
    </section>
  );
}
