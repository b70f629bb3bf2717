import { useEffect, useRef, type ReactNode } from 'react';
import type { ChartDocument } from '../../../src-shared/records/schemas';

/**
 * A document from the chart, shown inside the app: the app's security policy allows no PDF
 * plug-in, frame or download here, so the service sends the PDF's text page by page and it is
 * laid out as pages. A PDF whose text cannot be read (a scan) says so.
 */
export function DocumentViewer({
  document: doc,
  onClose,
}: {
  document: ChartDocument;
  onClose: () => void;
}): ReactNode {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="document-viewer"
      aria-labelledby="document-title"
      onClose={onClose}
      data-testid="document-viewer"
    >
      <header className="document-viewer-header">
        <h3 id="document-title">{doc.fileName}</h3>
        <button type="button" className="btn" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <div className="document-pages">
        {doc.pages.length === 0 ? (
          <p className="muted">
            This document holds no readable text (it may be a scanned image). Ask the hospital that holds it for a
            printed copy.
          </p>
        ) : (
          doc.pages.map((lines, i) => (
            <article key={i} className="document-page" aria-label={`Page ${i + 1} of ${doc.pages.length}`}>
              {lines.map((line, j) => (
                <p key={j}>{line}</p>
              ))}
              <footer className="muted">
                Page {i + 1} of {doc.pages.length}
              </footer>
            </article>
          ))
        )}
      </div>
    </dialog>
  );
}
