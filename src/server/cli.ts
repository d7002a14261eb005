#!/usr/bin/env node
/**
 * The `ptth` command (`npx ptth`, `npm start`). `ptth serve` (the default) runs the dev server,
 * with the REPL when stdin is a terminal; the other commands talk to a running server's gateway
 * (see `ptth --help`). SIGINT/SIGTERM stop the server; Ctrl-C ends `watch` and `tour`.
 */
import { parseCli } from './cli-args.ts';
import type { CliIo } from './cli-commands.ts';
import { reportError } from './cli-commands.ts';
import { runCli } from './cli-main.ts';
import { serveCommand } from './cli-serve.ts';

const argv = process.argv.slice(2);
const interrupt = new AbortController();
const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: interrupt.signal,
};

async function serve(): Promise<void> {
  const { options } = parseCli(argv);
  const { server, repl } = await serveCommand(options, io, process.stdin.isTTY === true);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  repl?.on('exit', stop);
}

let serving = false;
try {
  const parsed = parseCli(argv);
  serving = parsed.command === 'serve' && !parsed.options.help;
} catch {
  // runCli reports the usage error.
}
if (serving) {
  serve().catch((error) => process.exit(reportError(error, io)));
} else {
  // The first Ctrl-C ends a watch or a tour cleanly; a second one ends the process at once.
  process.on('SIGINT', () => (interrupt.signal.aborted ? process.exit(130) : interrupt.abort()));
  process.exitCode = await runCli(argv, io);
}
