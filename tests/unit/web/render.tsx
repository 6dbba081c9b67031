import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { SessionsApiProvider } from '../../../src/api/context';
import type { SessionsApi } from '../../../src/api/sessions-api';
import { ToastProvider } from '../../../src/ui/Toast';

/** Renders a page at a path with a fake API and the toast provider, like the app does. */
export function renderPage(element: ReactElement, { api, path = '/', route = '/', state }: { api: SessionsApi; path?: string; route?: string; state?: unknown }) {
  return render(
    <MemoryRouter initialEntries={[{ pathname: path, state }]}>
      <ToastProvider>
        <SessionsApiProvider value={api}>
          <Routes>
            <Route path={route} element={element} />
            <Route path="*" element={<p>Navigated elsewhere</p>} />
          </Routes>
        </SessionsApiProvider>
      </ToastProvider>
    </MemoryRouter>,
  );
}
