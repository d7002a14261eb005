// Builds the browser bundles (ES module and one-file script), the Node server, the Node peer, and type declarations.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

const browser = {
  bundle: true,
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  dropLabels: ['DEBUG'],
  legalComments: 'none',
  logLevel: 'warning',
};

await Promise.all([
  build({ ...browser, entryPoints: ['src/client/index.ts'], format: 'esm', outfile: 'dist/client/client.mjs' }),
  build({ ...browser, entryPoints: ['src/client/script.ts'], format: 'iife', outfile: 'dist/client/client.js' }),
  // ptth/core: DOMPurify in a chunk of its own, imported at the page's first write.
  build({
    ...browser,
    entryPoints: { core: 'src/client/core.ts' },
    format: 'esm',
    splitting: true,
    outdir: 'dist/client',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'core-[name]-[hash]',
  }),
  // Readable, with the debug log kept: turn it on with localStorage.debug = 'ptth:*'.
  build({
    ...browser,
    minify: false,
    dropLabels: [],
    entryPoints: ['src/client/script.ts'],
    format: 'iife',
    outfile: 'dist/client/client.debug.js',
  }),
  // dist/server/{index,cli}.js and dist/test/index.js (ptth/test), sharing chunks kept in
  // dist/server/ (ptth-handler.ts finds the package root two folders up from there).
  build({
    entryPoints: ['src/server/index.ts', 'src/server/cli.ts', 'src/test/index.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    splitting: true,
    packages: 'external',
    outdir: 'dist',
    outbase: 'src',
    chunkNames: 'server/chunk-[hash]',
    sourcemap: true,
    logLevel: 'warning',
  }),
  // The Node peer (ptth/peer): dials a hub and serves HTTP over the turned socket.
  build({
    entryPoints: ['src/peer/index.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outfile: 'dist/peer/index.js',
    sourcemap: true,
    dropLabels: ['DEBUG'],
    logLevel: 'warning',
  }),
]);
// The `ptth` bin: its shebang survives bundling, the mode makes ./dist/server/cli.js runnable.
chmodSync('dist/server/cli.js', 0o755);

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log(
  'built dist/client/ (client.js, client.mjs, client.debug.js, core.mjs), dist/server/, dist/peer/, dist/test/, dist/types/',
);
