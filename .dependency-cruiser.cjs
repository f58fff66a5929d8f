// The layer rule (npm test runs it: scripts/test.sh → `npm run lint:layers`).
//   server/core      kernel: log, errors, config, store, embedded Redis — imports protocol only
//   server/protocol  wire contracts shared with the pages — imports nothing of ours
//   server/auth      tokens and grants — core + protocol
//   domains          petition, scheduler, household, routing, live — never the SFU or the app
//   sfu/, recordings/ build on core/protocol/auth only (recordings also on sfu/)
//   server/app       composition — only server/main.ts (and tests) import it
//   client-web       imports only server/protocol
//   scripts/         never test/
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'app-only-from-main',
      comment: 'server/app is the composition root: only server/main.ts and the tests start it.',
      severity: 'error',
      from: { pathNot: ['^server/app/', '^server/main\\.ts$', '^test/'] },
      to: { path: '^server/app/' },
    },
    {
      name: 'protocol-is-a-leaf',
      comment: 'Wire contracts are shared with the browser: they import no server code.',
      severity: 'error',
      from: { path: '^server/protocol/' },
      to: { path: '^(server/(?!protocol/)|sfu/|recordings/|client-web/)' },
    },
    {
      name: 'core-is-the-kernel',
      comment: 'The kernel imports only the protocol (error codes).',
      severity: 'error',
      from: { path: '^server/core/' },
      to: { path: '^(server/(?!core/|protocol/)|sfu/|recordings/|client-web/)' },
    },
    {
      name: 'auth-on-the-kernel',
      severity: 'error',
      from: { path: '^server/auth/' },
      to: { path: '^(server/(?!core/|protocol/|auth/)|sfu/|recordings/|client-web/)' },
    },
    {
      name: 'media-on-the-kernel',
      comment: 'sfu/ and recordings/ build on core, protocol and auth; no domain, no app.',
      severity: 'error',
      from: { path: '^(sfu|recordings)/' },
      to: { path: '^server/(?!core/|protocol/|auth/)' },
    },
    {
      name: 'sfu-below-recordings',
      severity: 'error',
      from: { path: '^sfu/' },
      to: { path: '^recordings/' },
    },
    {
      name: 'domains-not-media',
      comment: 'Domains decide; the app wires them to rooms and recorders.',
      severity: 'error',
      from: { path: '^server/(petition|scheduler|household|routing|live|identity|admin|property|case)/' },
      to: { path: '^(sfu|recordings|client-web)/' },
    },
    {
      name: 'pages-see-only-the-protocol',
      severity: 'error',
      from: { path: '^client-web/' },
      to: { path: '^(server/(?!protocol/)|sfu/|recordings/|test/|scripts/)' },
    },
    {
      name: 'scripts-not-tests',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^test/' },
    },
    {
      name: 'product-not-tests',
      severity: 'error',
      from: { path: '^(server|sfu|recordings|client-web)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs'] },
  },
};
