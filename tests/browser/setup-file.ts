/** Per test file of the browser project: the file's shared Chromium instances (harness.ts) close after its last test. */
import { afterAll } from 'vitest';
import { closeBrowsers } from './harness.js';

afterAll(closeBrowsers);
