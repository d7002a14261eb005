// Runs the unit tests (src/**/*.test.ts, and scripts/**/*.test.mjs for the scripts themselves, such as
// the bench's smoke test) with Node's test runner, TypeScript loaded by tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return find(path);
    return /\.test\.m?[jt]s$/.test(entry.name) ? [path] : [];
  });
}

const files = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'scripts'].flatMap(find);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
