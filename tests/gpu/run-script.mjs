// Bundles a TypeScript script with esbuild (WGSL `?raw` imports become strings) and runs it in Node with Dawn.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: path.resolve(args.resolveDir, args.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};
const [entry, ...args] = process.argv.slice(2);
// Inside node_modules so that the external `webgpu` package resolves from the bundle.
const outfile = path.resolve('node_modules/.cache/bp-scripts', `script-${process.pid}.mjs`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, external: ['webgpu'], plugins: [rawText], logLevel: 'warning' });
process.argv = [process.argv[0], entry, ...args];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  await rm(outfile, { force: true });
}
