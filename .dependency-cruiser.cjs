// Import rules, checked by `pnpm lint`: no file-level import cycle anywhere, and each workspace
// package imports only the packages its arrows in docs/architecture.md allow. A workspace import
// resolves to the package's folder once built (or stays its name unbuilt); rules match both.
/** Which workspace packages each package's source may import (tests included). */
const ARROWS = {
  contract: [],
  otlp: ['contract'],
  clickhouse: [],
  promql: [],
  'worker-pool': ['otlp'],
  bus: ['otlp'],
  rows: ['clickhouse', 'contract', 'otlp'],
  'http-kit': ['contract'],
  identity: ['contract', 'http-kit', 'otlp'],
  ingest: ['bus', 'clickhouse', 'otlp', 'rows', 'worker-pool'],
  collector: ['bus', 'otlp', 'rows', 'worker-pool'],
  query: ['clickhouse', 'contract', 'http-kit', 'identity', 'otlp', 'promql', 'rows'],
  alerting: ['clickhouse', 'contract', 'http-kit', 'identity', 'promql'],
  probe: ['alerting', 'contract'],
  console: ['contract'],
};
const PACKAGES = [...Object.keys(ARROWS), 'server', 'bench', 'abuse', 'deploy'];
const anyOf = (names) => names.map((n) => `^${n}/|@telemetryflow/${n}($|/)`).join('|');

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'A file-level import cycle.', from: {}, to: { circular: true } },
    {
      name: 'contract-is-browser-safe',
      severity: 'error',
      comment: 'The API contract is imported by the browser: no Node built-ins.',
      from: { path: '^contract/' },
      to: { dependencyTypes: ['core'] },
    },
    ...Object.entries(ARROWS).map(([pkg, allowed]) => ({
      name: `${pkg}-arrows`,
      severity: 'error',
      comment: `${pkg} may import only: ${allowed.join(', ') || 'no workspace package'} (docs/architecture.md).`,
      // The console's browser tests (console/test) drive the all-in-one; its app is console/src.
      from: { path: pkg === 'console' ? '^console/src/' : `^${pkg}/(src|test)/` },
      to: { path: anyOf(PACKAGES.filter((p) => p !== pkg && !allowed.includes(p))) },
    })),
    {
      name: 'query-app-root-on-top',
      severity: 'error',
      comment: "Query's features never import its app root (query/src/app), which only server/ composes.",
      from: { path: '^query/src/', pathNot: '^query/src/app/' },
      to: { path: '^query/src/app/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: ['node_modules', '/dist/'] },
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'default'],
      extensions: ['.ts', '.d.ts', '.js'],
    },
    moduleSystems: ['es6'],
  },
};
