import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadAppConfig } from './config';
import { preloadRoute } from './routes';
import './styles/app.css';

// Fetch the runtime config and the current route's code in parallel, right away.
const configPromise = loadAppConfig();
preloadRoute(window.location.pathname);
const loadConfig = () => configPromise;

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');

createRoot(container).render(
  <StrictMode>
    <App loadConfig={loadConfig} />
  </StrictMode>,
);
