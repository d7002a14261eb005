// Bundle sizes, minified and gzipped: ptth's browser bundles, its core client (`ptth/core`:
// transport, router, DOM handler, morphdom; what a page needs to be driven) and the DOMPurify
// chunk the core imports at the page's first write, its transport alone, and socket.io-client's
// browser bundle. The core and the transport are built here the way scripts/build.mjs builds
// the client. `node scripts/bench/size.mjs` prints them with what each module adds to the core,
// after `npm run build`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a page needs to be driven: `connect` (transport, DOM handler, morphdom), the router. */
const CORE = 'src/client/core.ts';
/** The transport alone: `Connection` (connect, poll, acks, both wires, tab group) without the DOM handler. */
const TRANSPORT = "export { Connection } from './src/client/long-poll.ts';";

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

function sizes(bytes) {
  return { min: bytes.length, gzip: gzip(bytes) };
}

/**
 * Builds `entry` (a file, or the code of a module) as scripts/build.mjs builds the browser
 * client, chunks split; returns the entry's code and source map, and the other chunks' code.
 */
async function bundle(entry) {
  const file = entry.endsWith('.ts');
  const result = await build({
    ...(file ? { entryPoints: { entry } } : { stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' } }),
    ...(file ? { splitting: true, outdir: join(ROOT, 'size') } : { outfile: join(ROOT, 'size/entry.js') }),
    bundle: true,
    write: false,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    format: 'esm',
    minify: true,
    dropLabels: ['DEBUG'],
    legalComments: 'none',
    sourcemap: 'external',
    logLevel: 'error',
  });
  const output = (path) => result.outputFiles.find((out) => out.path === join(ROOT, 'size', path));
  const chunks = result.outputFiles.filter((out) => out.path.endsWith('.js') && !out.path.endsWith('/entry.js'));
  return {
    code: output('entry.js').contents,
    map: JSON.parse(output('entry.js.map').text),
    chunks: chunks.map((out) => out.contents),
  };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The source index of every byte of `code`, from the source map's mappings (VLQ, per line). */
function sourceOfEachByte(code, map) {
  const owner = new Int32Array(code.length).fill(-1);
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === 10) lineStarts.push(i + 1);
  let source = 0;
  map.mappings.split(';').forEach((line, lineIndex) => {
    let column = 0;
    const segments = [];
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0];
      if (fields.length > 1) source += fields[1];
      segments.push([column, fields.length > 1 ? source : -1]);
    }
    const start = lineStarts[lineIndex] ?? code.length;
    const end = lineStarts[lineIndex + 1] ?? code.length;
    segments.forEach(([from, owned], i) => {
      const to = i + 1 < segments.length ? segments[i + 1][0] : end - start;
      owner.fill(owned, start + from, start + to);
    });
  });
  return owner;
}

/**
 * What each module adds to a bundle: its minified bytes (those the source map gives it) and its
 * gzip cost, the gzipped size of the bundle less the gzipped size without its bytes. The gzip
 * costs do not add up to the total (modules share gzip's dictionary), but each says what
 * leaving that module out would save, roughly.
 */
function contributions(code, map) {
  const owner = sourceOfEachByte(code, map);
  const total = gzip(code);
  const name = (source) =>
    source
      .replace(/^(\.\.\/)+/, '')
      .replace(/^node_modules\/([^/]+)\/.*$/, '$1')
      .replace(/^src\//, '');
  const rows = new Map();
  map.sources.forEach((source, index) => {
    const kept = code.filter((_, i) => owner[i] !== index);
    const row = rows.get(name(source)) ?? { min: 0, gzip: 0 };
    row.min += code.length - kept.length;
    row.gzip += total - gzip(kept);
    rows.set(name(source), row);
  });
  return [...rows].filter(([, row]) => row.min > 0).sort((a, b) => b[1].gzip - a[1].gzip);
}

/** Sizes in bytes of each bundle, `{min, gzip}`. */
export async function bundleSizes() {
  const require = createRequire(import.meta.url);
  const socketIoDist = join(dirname(require.resolve('socket.io-client/package.json')), 'dist');
  const core = await bundle(CORE);
  return {
    'ptth client.js': sizes(readFileSync(join(ROOT, 'dist/client/client.js'))),
    'ptth client.mjs': sizes(readFileSync(join(ROOT, 'dist/client/client.mjs'))),
    'ptth core': sizes(core.code),
    "ptth core's DOMPurify chunk (at the first write)": sizes(Buffer.concat(core.chunks)),
    'ptth transport alone': sizes((await bundle(TRANSPORT)).code),
    'socket.io.min.js': sizes(readFileSync(join(socketIoDist, 'socket.io.min.js'))),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, size] of Object.entries(await bundleSizes())) {
    console.log(`${name.padEnd(48)} ${String(size.min).padStart(7)} B min ${String(size.gzip).padStart(7)} B gzip`);
  }
  const { code, map } = await bundle(CORE);
  console.log('\nWhat each module adds to the core (minified bytes; gzip bytes saved without it):');
  for (const [name, row] of contributions(code, map)) {
    console.log(`${name.padEnd(40)} ${String(row.min).padStart(7)} B min ${String(row.gzip).padStart(7)} B gzip`);
  }
}
