/** Entry point of the benchmark page (bench.html): registers the page element. */
import './bp-bench-page.js';
import { registerServiceWorker } from '../sw-register.js';

if (!document.querySelector('bp-bench-page')) document.body.appendChild(document.createElement('bp-bench-page'));
registerServiceWorker();
