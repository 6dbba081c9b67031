import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { SessionsApiProvider } from '../../../src/api/context';
import type { SessionsApi } from '../../../src/api/sessions-api';
import { RoomConnectorProvider, type ConnectRoom } from '../../../src/realtime/use-room';
import { ToastProvider } from '../../../src/ui/Toast';
import { fakeConnector } from './fake-room';

/**
 * Renders a page at a path with a fake API, a fake realtime room and the toast provider,
 * like the app does.
 */
export function renderPage(
  element: ReactElement,
  {
    api,
    path = '/',
    route = '/',
    state,
    connect = fakeConnector().connect,
  }: { api: SessionsApi; path?: string; route?: string; state?: unknown; connect?: ConnectRoom },
) {
  return render(
    <MemoryRouter initialEntries={[{ pathname: path, state }]}>
      <ToastProvider>
        <SessionsApiProvider value={api}>
          <RoomConnectorProvider connect={connect}>
            <Routes>
              <Route path={route} element={element} />
              <Route path="*" element={<p>Navigated elsewhere</p>} />
            </Routes>
          </RoomConnectorProvider>
        </SessionsApiProvider>
      </ToastProvider>
    </MemoryRouter>,
  );
}
