/**
 * `ptth serve` (and `npm start`): the dev server on `--port`/`PORT` and `--host`/`HOST`, the demo
 * or the pages under `--root`, the log, and the REPL when asked for (a terminal).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { REPLServer } from 'node:repl';
import { CliError, type CliOptions, EXIT } from './cli-args.ts';
import type { CliIo } from './cli-commands.ts';
import { devLog, type LogFormat } from './dev-log.ts';
import { type DevServer, startDevServer } from './dev-server.ts';
import { logRefusals } from './refusal-log.ts';
import { startRepl } from './repl.ts';

/** What `serveCommand` started. */
export interface Serving {
  server: DevServer;
  /** The REPL, when one was asked for. */
  repl: REPLServer | null;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);

function portOf(options: CliOptions, env: CliIo['env']): number {
  const given = options.port ?? env.PORT;
  const port = Number(given ?? 8080);
  if (given === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    const name = options.port !== undefined ? '--port' : 'PORT';
    throw new CliError(`${name} must be a port number, got "${given}"`, EXIT.usage);
  }
  return port;
}

function logFormatOf(options: CliOptions, env: CliIo['env']): LogFormat {
  const format = options['log-format'] ?? env.PTTH_LOG_FORMAT ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new CliError(`--log-format must be "text" or "json", got "${format}"`, EXIT.usage);
  }
  return format;
}

/** Starts the dev server as the options and environment say; throws a `CliError` when it cannot. */
export async function serveCommand(options: CliOptions, io: CliIo, withRepl = false): Promise<Serving> {
  const port = portOf(options, io.env);
  const host = options.host ?? io.env.HOST ?? '127.0.0.1';
  const token = options.token ?? (io.env.PTTH_TOKEN || undefined);
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  const allowedHosts = list(options['allowed-hosts'] ?? io.env.PTTH_ALLOWED_HOSTS);
  const allowedOrigins = list(options['allowed-origins'] ?? io.env.PTTH_ALLOWED_ORIGINS);
  const verbose = options.verbose === true || TRUE.has((io.env.PTTH_LOG ?? '').toLowerCase());
  const format = logFormatOf(options, io.env);
  const pages = options.root === undefined ? undefined : resolve(options.root);
  if (pages !== undefined && !statSync(pages, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError(`--root ${options.root} is not a folder`, EXIT.usage);
  }
  // Lines go to stdout; once the REPL runs, they are written above its prompt.
  let writeLine = (line: string) => io.stdout.write(`${line}\n`);
  const log = devLog({ format, verbose, write: (line) => writeLine(line) });
  let server: DevServer;
  try {
    server = await startDevServer({
      port,
      host,
      allowedHosts,
      allowedOrigins,
      log,
      ...(token ? { token } : {}),
      ...(pages !== undefined ? { pages } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? `${host}:${port} is already in use (set PORT or --port)`
        : error instanceof Error
          ? error.message
          : String(error);
    throw new CliError(`cannot start the dev server: ${reason}`, EXIT.failed);
  }
  // Refusals by limits and access rules go to stderr, at most one line per kind every 10 s.
  logRefusals(server.hub, { write: (line) => io.stderr.write(`${line}\n`) });
  if (allowedOrigins.length > 0) writeLine(`  pages may connect from: ${allowedOrigins.join(', ')}`);
  if (!withRepl) return { server, repl: null };
  // With the log verbose, the REPL does not announce clients as well: the log says it.
  const repl = startRepl(server.hub, { announce: !verbose });
  writeLine = (line) => {
    io.stdout.write(`\n${line}\n`);
    repl.displayPrompt(true);
  };
  return { server, repl };
}
