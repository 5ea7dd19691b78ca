/** Entry point of the lessons page (lessons.html): registers the lessons app element. */
import './bp-lessons-app.js';
import { registerServiceWorker } from '../sw-register.js';

if (!document.querySelector('bp-lessons-app')) document.body.appendChild(document.createElement('bp-lessons-app'));
registerServiceWorker();
