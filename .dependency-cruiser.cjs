/**
 * The direction of the layers in src/ (docs/architecture.md), checked by `npm run lint`:
 * model <- stats <- engine <- config <- check <- present <- session <- adapters (main, cli, index).
 * `system/` (files, signals, environment) and `version` sit beside them; no cycles anywhere.
 */
const layer = (name, mayUse) => ({
  name: `layer-${name}`,
  comment: `src/${name} may use only ${mayUse.join(', ') || 'nothing else in src'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${name}/`, ...mayUse.map((m) => `^src/${m}`)],
  },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the modules depend on each other.',
      from: {},
      to: { circular: true },
    },
    layer('model', []),
    layer('stats', ['model/']),
    layer('engine', ['model/', 'stats/']),
    layer('system', ['model/']),
    layer('config', ['model/', 'engine/', 'system/']),
    layer('check', ['model/', 'stats/', 'engine/']),
    layer('present', ['model/', 'stats/', 'version.ts']),
    {
      name: 'session-below-adapters',
      comment: 'The session drives the layers; it never uses an adapter.',
      severity: 'error',
      from: { path: '^src/session\\.ts$' },
      to: { path: '^src/(main|cli|index)\\.ts$' },
    },
    {
      name: 'adapters-are-entry-points',
      comment: 'Nothing imports an adapter but the action entry (index imports main).',
      severity: 'error',
      from: { pathNot: '^src/index\\.ts$' },
      to: { path: '^src/(main|cli|index)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
