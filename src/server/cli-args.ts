/**
 * The CLI's command line: which command, its options and its arguments, checked against what
 * that command takes. Parsing is `node:util` `parseArgs`; options may come before or after the
 * arguments, and `--` ends the options (for an XPath that starts with `-`).
 */
import { parseArgs } from 'node:util';

/** Exit codes: `4`/`5` for a 4xx/5xx answer (as HTTPie's `--check-status`), `7` when the server cannot be reached (as curl). */
export const EXIT = { ok: 0, failed: 1, usage: 2, clientError: 4, serverError: 5, unreachable: 7 } as const;

/** An error that ends the CLI with a message and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The HTTP methods the CLI has a command for, by command name. */
export const METHOD_COMMANDS = {
  get: 'GET',
  head: 'HEAD',
  put: 'PUT',
  post: 'POST',
  patch: 'PATCH',
  delete: 'DELETE',
  options: 'OPTIONS',
} as const;

/** A command name. */
export type CommandName = 'serve' | 'clients' | 'watch' | 'tour' | 'help' | keyof typeof METHOD_COMMANDS;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  token: { type: 'string' },
  include: { type: 'boolean', short: 'i' },
  header: { type: 'string', short: 'H', multiple: true },
  json: { type: 'boolean' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  root: { type: 'string' },
  'allowed-hosts': { type: 'string' },
  'allowed-origins': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  'log-format': { type: 'string' },
  wait: { type: 'string' },
  count: { type: 'string' },
  delay: { type: 'string' },
} as const;

/** The parsed options; which ones a command accepts is checked by `parseCli`. */
export interface CliOptions {
  help?: boolean;
  url?: string;
  token?: string;
  include?: boolean;
  header?: string[];
  json?: boolean;
  port?: string;
  host?: string;
  root?: string;
  'allowed-hosts'?: string;
  'allowed-origins'?: string;
  verbose?: boolean;
  'log-format'?: string;
  wait?: string;
  count?: string;
  delay?: string;
}

type OptionName = keyof CliOptions;

const REMOTE: OptionName[] = ['help', 'url', 'token'];
const REQUEST: OptionName[] = [...REMOTE, 'include', 'header'];

/** What each command accepts, and how many arguments (`[min, max]`). */
export const COMMANDS: Record<CommandName, { options: OptionName[]; args: [number, number] }> = {
  serve: {
    options: ['help', 'port', 'host', 'root', 'token', 'allowed-hosts', 'allowed-origins', 'verbose', 'log-format'],
    args: [0, 0],
  },
  clients: { options: [...REMOTE, 'json'], args: [0, 0] },
  get: { options: REQUEST, args: [2, 2] },
  head: { options: REQUEST, args: [2, 2] },
  options: { options: REQUEST, args: [2, 2] },
  delete: { options: REQUEST, args: [2, 2] },
  put: { options: REQUEST, args: [3, 3] },
  post: { options: REQUEST, args: [3, 3] },
  patch: { options: REQUEST, args: [3, 3] },
  watch: { options: [...REQUEST, 'wait', 'count'], args: [2, 2] },
  tour: { options: [...REMOTE, 'delay'], args: [0, 1] },
  help: { options: ['help'], args: [0, 1] },
};

/** A parsed command line. */
export interface ParsedCli {
  command: CommandName;
  options: CliOptions;
  args: string[];
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Parses `argv` (without `node` and the script); no command means `serve`. Throws a usage `CliError`. */
export function parseCli(argv: readonly string[]): ParsedCli {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}; see "ptth --help"`, EXIT.usage);
  }
  const [first, ...args] = parsed.positionals;
  const options = parsed.values as CliOptions;
  if (first === undefined) return { command: options.help ? 'help' : 'serve', options, args: [] };
  if (!isCommand(first)) throw new CliError(`Unknown command "${first}"; see "ptth --help"`, EXIT.usage);
  const spec = COMMANDS[first];
  const stray = (Object.keys(options) as OptionName[]).filter((name) => !spec.options.includes(name));
  if (stray.length > 0) {
    const names = stray.map((name) => `--${name}`).join(', ');
    throw new CliError(`"ptth ${first}" does not take ${names}; see "ptth ${first} --help"`, EXIT.usage);
  }
  if (!options.help && (args.length < spec.args[0] || args.length > spec.args[1])) {
    const wanted = spec.args[0] === spec.args[1] ? `${spec.args[0]}` : `${spec.args[0]} to ${spec.args[1]}`;
    throw new CliError(
      `"ptth ${first}" takes ${wanted} arguments, got ${args.length}; see "ptth ${first} --help"`,
      EXIT.usage,
    );
  }
  return { command: first, options, args };
}

/** A whole number option within `[min, max]`, or `fallback` when absent. */
export function integerOption(value: string | undefined, name: string, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new CliError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`, EXIT.usage);
  }
  return number;
}

/** `-H 'name: value'` options as headers. */
export function headerOptions(values: readonly string[] = []): Headers {
  const headers = new Headers();
  for (const value of values) {
    const colon = value.indexOf(':');
    if (colon <= 0) throw new CliError(`-H wants "name: value", got "${value}"`, EXIT.usage);
    try {
      headers.append(value.slice(0, colon).trim(), value.slice(colon + 1).trim());
    } catch {
      throw new CliError(`-H "${value}" is not a valid header`, EXIT.usage);
    }
  }
  return headers;
}
