// Bundle sizes, minified and gzipped: ptth's browser bundles, its long-poll transport alone
// (built here the way scripts/build.mjs builds the client), and socket.io-client's browser bundle.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sizes(bytes) {
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The transport alone: `Connection` (connect, poll, acks, both wires) without the DOM handler. */
async function coreBundle() {
  const result = await build({
    stdin: { contents: "export { Connection } from './src/client/long-poll.ts';", resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    format: 'iife',
    globalName: 'ptthCore',
    minify: true,
    dropLabels: ['DEBUG'],
    legalComments: 'none',
  });
  return result.outputFiles[0].contents;
}

/** Sizes in bytes of each bundle, `{min, gzip}`. */
export async function bundleSizes() {
  const require = createRequire(import.meta.url);
  const socketIoDist = join(dirname(require.resolve('socket.io-client/package.json')), 'dist');
  return {
    'ptth client.js': sizes(readFileSync(join(ROOT, 'dist/client/client.js'))),
    'ptth client.mjs': sizes(readFileSync(join(ROOT, 'dist/client/client.mjs'))),
    'ptth core (transport alone)': sizes(await coreBundle()),
    'socket.io.min.js': sizes(readFileSync(join(socketIoDist, 'socket.io.min.js'))),
  };
}
