import './boot/zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadAppConfig, type AppConfig } from './config';
import { preloadRoute } from './routes';
import './styles/app.css';

// Fetch the runtime config and the current route's code in parallel, right away. The app
// renders once both are in (index.html shows a start-up screen until then), so its first
// render is already the page, without a loading state of its own.
const configPromise = loadAppConfig();
const routeReady = preloadRoute(window.location.pathname);
const ready = Promise.all([configPromise, routeReady]).then(([config]) => config);
const loadConfig = () => ready;

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');

const render = (config?: AppConfig) =>
  createRoot(container).render(
    <StrictMode>
      <App loadConfig={loadConfig} config={config} />
    </StrictMode>,
  );
ready.then(render, () => render());
