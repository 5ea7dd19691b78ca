#!/usr/bin/env node
// The whole test suite in two lanes at once: the browser project (headless Chromium pages, which wait on the page more
// than they compute: about a third of both cores while it runs alone) beside the unit and gpu projects (CPU-bound).
// One after the other they take about 13 minutes on this 2-core machine; side by side about 9. Each lane's lines
// carry its name; the exit status is non-zero when either lane fails, and both lanes always run to their end.
//   node scripts/test.mjs             both lanes
//   node scripts/test.mjs <args…>     one plain `vitest run <args…>` (a file, --project, a filter …)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const args = process.argv.slice(2);

/** Runs `vitest run …argv` with each output line prefixed by `label` (none when empty); resolves to its exit status. */
function lane(label, argv) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...argv], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const prefix = label ? `[${label}] ` : '';
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix}${line}\n`));
    }
    child.on('error', (err) => {
      process.stderr.write(`${prefix}could not start vitest: ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (args.length > 0) {
  process.exitCode = await lane('', args);
} else {
  const started = Date.now();
  const [browser, rest] = await Promise.all([lane('browser', ['--project', 'browser']), lane('unit+gpu', ['--project', 'unit', '--project', 'gpu'])]);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`\ntests: browser lane ${browser === 0 ? 'passed' : `FAILED (exit ${browser})`}, unit+gpu lane ${rest === 0 ? 'passed' : `FAILED (exit ${rest})`}, ${seconds} s in all`);
  process.exitCode = browser !== 0 ? browser : rest;
}
