/**
 * Every page: a document title and one <h1>, focused after navigation so a screen reader
 * announces the new page (route changes do not reload the document).
 */
import { useEffect, useRef, type ReactNode } from 'react';

export function Page({ title, heading, children, actions }: { title: string; heading?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Longitude console`;
  }, [title]);
  useEffect(() => {
    h1.current?.focus();
  }, []);
  return (
    <>
      <div className="page-head">
        <h1 ref={h1} tabIndex={-1}>
          {heading ?? title}
        </h1>
        {actions}
      </div>
      {children}
    </>
  );
}
