/**
 * The direction of the layers in src/, checked by `npm run lint`; each rule lists what a layer may
 * use (the table in docs/architecture.md). No cycles anywhere.
 */
/** A layer (the modules matching `from`) may import itself and what `mayUse` names under src/. */
const layer = (name, from, mayUse) => ({
  name: `layer-${name}`,
  comment: `${name} may use only ${mayUse.join(', ') || 'itself'} in src/`,
  severity: 'error',
  from: { path: from },
  to: { path: '^src/', pathNot: [from, ...mayUse.map((m) => `^src/${m}`)] },
});
const folder = (name, mayUse) => layer(name, `^src/${name}/`, mayUse);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the modules depend on each other.',
      from: {},
      to: { circular: true },
    },
    folder('model', []),
    folder('stats', ['model/']),
    folder('engine', ['model/', 'stats/']),
    folder('system', ['model/']),
    folder('config', ['model/', 'engine/', 'system/']),
    folder('check', ['model/', 'stats/', 'engine/']),
    folder('present', ['model/', 'stats/', 'version\\.ts$']),
    // The session drives the layers below it, never the engine or an adapter directly.
    layer('session', '^src/session\\.ts$', ['model/', 'config/', 'check/', 'present/', 'system/']),
    // The adapters are thin: they drive the session and use only the edges around it.
    layer('adapters', '^src/(main|cli|index)\\.ts$', [
      '(main|session|version)\\.ts$',
      'config/',
      'present/',
      'system/',
    ]),
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
