// The layers of lib/, lowest first: a folder imports only from folders of lower layers (never
// sideways, never up), and nothing imports in a circle. `npm test` runs `npm run check:layers`.
// Type-only imports count: a type is a dependency too.
const LAYERS = [
  ['errors'],
  ['xml', 'http', 'optional-peers', 'relay-state', 'values'],
  ['xmldsig', 'profile', 'metadata', 'sql'],
  ['bindings', 'record', 'cache', 'xmlenc'],
  ['messages', 'validate', 'store'],
  // Login traces: their store adapters, redaction and the writer the core feeds (core/instrument.ts).
  ['traces'],
  ['resolve', 'refresh', 'testing'],
  // Metadata sources beyond one URL per IdP, both writing ordinary records with lib/refresh's
  // helpers: the MDQ store wrapper, and federations (streamed signed aggregates, discovery over them).
  ['mdq', 'federation'],
  // Logger and OpenTelemetry instruments, which the core wraps its flows in (core/instrument.ts).
  ['observability'],
  ['core'],
  // Layers over the core's verify and accepted outcome: user hooks, the token hand-off.
  ['users', 'handoff'],
  ['strategy'],
  // The framework edges and the migration helper, side by side: none imports another.
  ['express', 'fastify', 'migrate'],
  ['entries'],
]

const folder = (names) => `^lib/(${names.join('|')})/`
const above = (index) => LAYERS.slice(index + 1).flat()

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Files of lib/ must not import each other in a circle.',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    ...LAYERS.flatMap((names, index) => [
      {
        name: `layer-${names.join('-')}-not-up-or-sideways`,
        severity: 'error',
        comment: `${names.join(', ')} may import only from the layers below it (see LAYERS in .dependency-cruiser.cjs).`,
        from: { path: folder(names) },
        to: {
          path: folder([...above(index), ...names]),
          // Within one folder is fine; between folders of the same layer is not.
          pathNot: '^lib/$1/',
        },
      },
    ]),
    {
      name: 'index-is-the-top',
      severity: 'error',
      comment: 'Nothing in lib/ imports the main entry (lib/index.ts) or a subpath entry.',
      from: { path: '^lib/' },
      to: { path: '^lib/(index\\.ts|entries/)' },
    },
    {
      name: 'stores-know-no-metadata-or-profile',
      severity: 'error',
      comment:
        'Store adapters see validated records (lib/record), never metadata parsing or attribute mapping.',
      from: { path: '^lib/store/' },
      to: { path: '^lib/(metadata|profile)/' },
    },
    {
      name: 'frameworks-only-at-the-edges',
      severity: 'error',
      comment: 'Only lib/strategy and lib/express know Passport and Express; the core is framework-free.',
      from: { path: '^lib/', pathNot: '^lib/(strategy|express|entries)/|^lib/index\\.ts$' },
      to: {
        path: '(^|/)node_modules/(express|passport|passport-strategy|@types/(express|passport|passport-strategy))/',
      },
    },
    {
      name: 'fastify-only-in-its-edge',
      severity: 'error',
      comment:
        'Only lib/fastify (and its entry) knows Fastify and @fastify/*: the main entry and its types never name them.',
      from: { path: '^lib/', pathNot: '^lib/fastify/|^lib/entries/fastify\\.ts$' },
      to: { path: '(^|/)node_modules/(fastify|@fastify/[^/]+)/' },
    },
    {
      name: 'nest-nowhere',
      severity: 'error',
      comment:
        'NestJS apps use the strategy as it is (docs/frameworks.md): nothing in lib/ imports @nestjs/*.',
      from: { path: '^lib/' },
      to: { path: '(^|/)node_modules/@nestjs/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'Every file of lib/ is used by an entry point.',
      from: { orphan: true, path: '^lib/', pathNot: '^lib/(index\\.ts|entries/)' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(lib/|node_modules/)',
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
}
