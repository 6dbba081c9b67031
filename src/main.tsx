import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadAppConfig } from './config';
import { preloadRoute } from './routes';
import './styles/app.css';

// Fetch the runtime config and the current route's code in parallel, right away. The app
// renders once both are in, so the page appears without a second loading state.
const configPromise = loadAppConfig();
const routeReady = preloadRoute(window.location.pathname);
const ready = Promise.all([configPromise, routeReady]).then(([config]) => config);
const loadConfig = () => ready;

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');

createRoot(container).render(
  <StrictMode>
    <App loadConfig={loadConfig} />
  </StrictMode>,
);
