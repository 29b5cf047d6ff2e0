#!/usr/bin/env node
/**
 * Writes action.yml and the README's input and output tables from the options table
 * (src/config/options.ts), so that the three cannot drift. `--check` (run by `npm run lint`) writes
 * nothing and fails when a file differs from what it would write: run `npm run docs` then.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { acceptedText, OPTIONS, OUTPUTS, type OptionSpec } from '../src/config/options.js';

const root = join(import.meta.dirname, '..');
const check = process.argv.includes('--check');

/** `text` folded into lines of at most `width` characters, each starting with `indent`. */
function fold(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function inputDescription(spec: OptionSpec): string {
  const shownDefault = spec.default === '' && spec.defaultText && spec.defaultText !== 'none';
  return (
    `${spec.description} Accepted: ${acceptedText(spec)}.` +
    (shownDefault ? ` Default: ${spec.defaultText}.` : '') +
    (spec.required ? ' Required.' : '')
  );
}

function actionYml(): string {
  const yamlString = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const lines = [
    'name: HTTP Load Check',
    'description: >-',
    '  Gate a pull request on HTTP performance: send requests to a service started earlier in the job',
    '  for a fixed time, closed loop or at a fixed rate, and fail when a gate fails (error rate, latency',
    '  percentiles, requests or req/s) or when the head is confidently slower than a baseline.',
    'author: http-load-check',
    'branding:',
    '  icon: activity',
    '  color: green',
    '',
    '# Generated from src/config/options.ts by `npm run docs`; edit the table there.',
    'inputs:',
  ];
  for (const spec of OPTIONS) {
    lines.push(`  ${spec.name}:`, '    description: >-', ...fold(inputDescription(spec), '      '));
    lines.push(`    required: ${spec.required === true}`);
    if (!spec.required && spec.default !== '')
      lines.push(`    default: ${yamlString(spec.default)}`);
  }
  lines.push('', 'outputs:');
  for (const spec of OUTPUTS) {
    lines.push(`  ${spec.name}:`, '    description: >-', ...fold(spec.description, '      '));
  }
  lines.push('', 'runs:', '  using: node24', '  main: dist/index.js', '');
  return lines.join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function inputsTable(full: boolean): string {
  const rows = OPTIONS.map((spec) => {
    const shown = spec.required
      ? '(required)'
      : spec.defaultText
        ? spec.defaultText === 'none'
          ? '(none)'
          : cell(spec.defaultText.replace(/^(\S+?)(;|$)/, '`$1`$2'))
        : `\`${cell(spec.default)}\``;
    return full
      ? `| \`${spec.name}\` | ${shown} | ${cell(acceptedText(spec))} | ${cell(spec.description)} |`
      : `| \`${spec.name}\` | ${shown} | ${cell(shortText(spec))} |`;
  });
  const head = full
    ? ['| input | default | accepted values | meaning |', '|---|---|---|---|']
    : ['| input | default | meaning |', '|---|---|---|'];
  return [...head, ...rows].join('\n');
}

/** One line for the README's table: the summary, or the CLI's help with a capital. */
function shortText(spec: OptionSpec): string {
  const text = spec.summary ?? spec.cli?.help ?? spec.description;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `comment` and `github-token`: the inputs without a CLI flag. */
function actionOnly(): string {
  const names = OPTIONS.filter((spec) => !spec.cli).map((spec) => `\`${spec.name}\``);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
}

/** docs/inputs.md: every input in full, with its accepted values. */
function inputsPage(): string {
  return [
    '# Inputs',
    '',
    'Every input of the action. Each is also an option of the CLI of the same name',
    `(\`http-load-check --help\` lists the flags) but ${actionOnly()}, which only the action has.`,
    'Generated from src/config/options.ts by `npm run docs`; do not edit.',
    '',
    '<!-- prettier-ignore-start -->',
    inputsTable(true),
    '<!-- prettier-ignore-end -->',
    '',
    'Durations (`duration`, `timeout`, `wait-timeout`, `warmup`) are seconds, fractions allowed, or a',
    'number with a unit: `500ms`, `10s`, `2m`, `1h`.',
    '',
    '## Outputs',
    '',
    '<!-- prettier-ignore-start -->',
    outputsTable(true),
    '<!-- prettier-ignore-end -->',
    '',
  ].join('\n');
}

/** The outputs: in full for docs/inputs.md, the README's shorter text otherwise. */
function outputsTable(full = false): string {
  const rows = OUTPUTS.map(
    (spec) =>
      `| \`${spec.name}\` | ${cell(full ? spec.description : (spec.summary ?? spec.description))} |`,
  );
  return ['| output | meaning |', '|---|---|', ...rows].join('\n');
}

/** `text` with what lies between `<!-- name: ... -->` and `<!-- /name -->` replaced by `table`. */
function replaceBlock(text: string, name: string, table: string): string {
  const block = new RegExp(`(<!-- ${name}:[^\\n]*-->\\n)[\\s\\S]*?(<!-- /${name} -->)`);
  if (!block.test(text)) throw new Error(`README.md has no <!-- ${name}: --> block`);
  return text.replace(block, (_, start: string, end: string) => `${start}${table}\n${end}`);
}

const config = (await prettier.resolveConfig(join(root, 'action.yml'))) ?? {};
const files = [
  {
    path: join(root, 'action.yml'),
    content: await prettier.format(actionYml(), { ...config, parser: 'yaml' }),
  },
  { path: join(root, 'docs', 'inputs.md'), content: inputsPage() },
  {
    path: join(root, 'README.md'),
    content: replaceBlock(
      replaceBlock(readFileSync(join(root, 'README.md'), 'utf8'), 'inputs', inputsTable(false)),
      'outputs',
      outputsTable(),
    ),
  },
];

let stale = 0;
for (const file of files) {
  const current = existsSync(file.path) ? readFileSync(file.path, 'utf8') : '';
  if (current === file.content) continue;
  if (check) {
    stale++;
    console.error(`${file.path} differs from src/config/options.ts: run 'npm run docs'`);
  } else {
    writeFileSync(file.path, file.content);
    console.log(`wrote ${file.path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
