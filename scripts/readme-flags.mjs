#!/usr/bin/env node
// Writes the flags of every `lab` command, as `--help` prints them, between <!-- CLI-FLAGS --> and
// <!-- /CLI-FLAGS --> in README.md (`npm run readme-flags`). `--check` only compares, and exits 1 when the README
// is out of date (tests/unit/cli.test.ts runs it).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = path.join(root, 'README.md');
const COMMANDS = [
  ['train', ''],
  ['bench', '; see [Benchmark](#benchmark)'],
  ['sweep', '; see [Mitigations](#mitigations-and-the-theory-line)'],
  ['soak', ''],
];

function help(command) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'lab.mjs'), command, '--help'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lab ${command} --help exited ${r.status}: ${r.stderr}`);
  return r.stdout.trimEnd();
}

const block = COMMANDS.map(([c, see]) => `\`${c}\` (\`npm run -s lab -- ${c} --help\`${see}):\n\n\`\`\`text\n${help(c)}\n\`\`\``).join('\n\n');
const text = readFileSync(readme, 'utf8');
const re = /<!-- CLI-FLAGS -->\n[\s\S]*?<!-- \/CLI-FLAGS -->/;
if (!re.test(text)) throw new Error('README.md has no <!-- CLI-FLAGS --> … <!-- /CLI-FLAGS --> block');
const next = text.replace(re, () => `<!-- CLI-FLAGS -->\n${block}\n<!-- /CLI-FLAGS -->`);
if (process.argv.includes('--check')) {
  if (next !== text) {
    process.stderr.write('README.md: the CLI flags are out of date; run npm run readme-flags\n');
    process.exit(1);
  }
} else if (next !== text) {
  writeFileSync(readme, next);
  process.stdout.write('README.md: CLI flags updated\n');
}
