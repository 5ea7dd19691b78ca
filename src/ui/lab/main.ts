/** Entry point of the web app: registers the elements and exposes the test hook once the app element exists. */
import './bp-app.js';
import { labHook } from './test-hook.js';
import { registerServiceWorker } from '../sw-register.js';

const app = document.querySelector('bp-app') ?? document.body.appendChild(document.createElement('bp-app'));
window.__lab = labHook(app);
registerServiceWorker();
