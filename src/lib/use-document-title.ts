import { useEffect } from 'react';

/** Sets the tab title: "<page> · StreamCanvas". */
export function useDocumentTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · StreamCanvas` : 'StreamCanvas';
  }, [title]);
}
