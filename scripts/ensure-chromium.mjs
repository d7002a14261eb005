// Finds a Chromium for the end-to-end tests, installing Debian's package when none is there.
// PTTH_CHROMIUM names a binary explicitly; otherwise /usr/bin/chromium is used.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium.mjs';

const wanted = chromiumPath;

function install() {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : ['sudo'];
  console.log(`ptth: ${wanted} not found; installing Debian's chromium (apt-get)...`);
  const run = (args) =>
    execFileSync(sudo.length ? 'sudo' : args[0], sudo.length ? args : args.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', 'chromium']);
}

if (!existsSync(wanted)) {
  if (process.env.PTTH_CHROMIUM) {
    console.error(`ptth: PTTH_CHROMIUM=${wanted} does not exist`);
    process.exit(1);
  }
  try {
    install();
  } catch (error) {
    console.error(
      `ptth: could not install Chromium (${error.message}). Install it by hand: apt-get install -y chromium`,
    );
    process.exit(1);
  }
}
console.log(`ptth: using ${wanted}: ${execFileSync(wanted, ['--version']).toString().trim()}`);
