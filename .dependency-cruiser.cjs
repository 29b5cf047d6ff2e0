/**
 * The direction of the layers in src/, checked by `npm run lint`; each rule lists what a layer may
 * use (the table in docs/architecture.md). No cycles anywhere.
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
      name: 'layer-session',
      comment:
        'The session drives the layers below it; it never uses an adapter or the engine directly.',
      severity: 'error',
      from: { path: '^src/session\\.ts$' },
      to: {
        path: '^src/',
        pathNot: ['^src/session\\.ts$', '^src/(model|config|check|present|system)/'],
      },
    },
    {
      name: 'layer-adapters',
      comment: 'The adapters are thin: they drive the session and use only the edges around it.',
      severity: 'error',
      from: { path: '^src/(main|cli|index)\\.ts$' },
      to: {
        path: '^src/',
        pathNot: ['^src/(main|session|version)\\.ts$', '^src/(config|present|system)/'],
      },
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
