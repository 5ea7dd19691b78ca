#!/usr/bin/env node
// Runs the Backprop Lab CLI (src/cli/main.ts): bundles it with esbuild when a source changed (WGSL `?raw` imports become strings,
// the `webgpu` native package stays external) into node_modules/.cache, then runs it with the given arguments.
import { build } from 'esbuild';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'node_modules', '.cache', 'backprop-lab');
const outfile = path.join(outdir, 'lab.mjs');

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: path.resolve(args.resolveDir, args.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

/** The newest modification time (ms) of the files the bundle is made of: sources, shaders, lockfile, this script. */
async function newestInput() {
  let newest = 0;
  const visit = async (dir) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await visit(p);
      else newest = Math.max(newest, (await stat(p)).mtimeMs);
    }
  };
  await visit(path.join(root, 'src'));
  await visit(path.join(root, 'shaders'));
  for (const f of ['package-lock.json', 'scripts/lab.mjs']) newest = Math.max(newest, (await stat(path.join(root, f))).mtimeMs);
  return newest;
}

/** The bundle's age (ms; the older of its two files), or -Infinity when either is missing. */
async function bundleTime() {
  try {
    const times = await Promise.all(['lab.mjs', 'matmul-worker.mjs'].map(async (f) => (await stat(path.join(outdir, f))).mtimeMs));
    return Math.min(...times);
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

/** Bundle the CLI and its matmul worker into `outdir`. */
async function rebuild() {
  await mkdir(outdir, { recursive: true });
  const tmp = await mkdtemp(path.join(path.dirname(outdir), 'backprop-lab-build-'));
  await build({
    entryPoints: {
      lab: path.join(root, 'src', 'cli', 'entry.ts'),
      'matmul-worker': path.join(root, 'src', 'backend', 'cpu', 'matmul-worker.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    external: ['webgpu'],
    plugins: [rawText],
    logLevel: 'error',
    sourcemap: 'inline',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  for (const name of await readdir(tmp)) await rename(path.join(tmp, name), path.join(outdir, name));
  await rm(tmp, { recursive: true, force: true });
}

// Build only when a source is newer than the bundle (a test suite starts the CLI a hundred times). Build into a
// fresh temporary folder beside the cache and rename each file into place, so that two CLIs started at once never
// run a half-written bundle. The matmul worker is its own entry: worker threads load it by path.
if ((await bundleTime()) <= (await newestInput())) await rebuild();

// Resolve `webgpu` from the project: the bundle lives under node_modules/.cache, inside the project tree.
await import(pathToFileURL(outfile).href);
