/**
 * The CLI commands that talk to a running server: `clients` and one request per method
 * (`get`, `head`, `put`, `post`, `patch`, `delete`, `options`). Each returns its exit code.
 */
import { reasonPhrase } from '../protocol/http-error.ts';
import { CliError, type CliOptions, EXIT, headerOptions, METHOD_COMMANDS } from './cli-args.ts';
import { exitCodeOf, failureLine, GatewayClient } from './cli-gateway.ts';

/** Where a command reads and writes; the process's streams in the CLI, buffers in tests. */
export interface CliIo {
  stdout: { write(chunk: string | Uint8Array): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
  stdin: AsyncIterable<Uint8Array | string>;
  env: Record<string, string | undefined>;
  /** Stops a long-running command (`watch`, `tour`). */
  signal?: AbortSignal;
}

/** The gateway client the options and environment describe. */
export function gatewayOf(options: CliOptions, io: CliIo): GatewayClient {
  const token = options.token ?? io.env.PTTH_TOKEN;
  const url = options.url ?? io.env.PTTH_URL;
  return new GatewayClient({
    ...(url ? { url } : {}),
    ...(token ? { token } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  });
}

/** The status line and header fields of a response, as HTTP/1.1 prints them, with the blank line. */
export function messageHead(response: Response): string {
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || reasonPhrase(response.status)}`.trimEnd()];
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
  return `${lines.join('\n')}\n\n`;
}

/** Writes a body as it is, adding a final newline only for a terminal. */
export function writeBody(io: CliIo, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  io.stdout.write(bytes);
  if (io.stdout.isTTY && bytes[bytes.length - 1] !== 0x0a) io.stdout.write('\n');
}

async function readStdin(io: CliIo): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** `ptth clients`: a table of the connected pages, or the server's JSON with `--json`. */
export async function clientsCommand(options: CliOptions, io: CliIo): Promise<number> {
  const clients = await gatewayOf(options, io).clients();
  if (options.json) {
    io.stdout.write(`${JSON.stringify(clients, null, 2)}\n`);
    return EXIT.ok;
  }
  if (clients.length === 0) {
    io.stderr.write('No page is connected. Open one that loads /ptth/client.js (the dev server shows a demo at /).\n');
    return EXIT.ok;
  }
  const rows = clients.map((client) => [client.id, client.connectedAt, String(client.pending), client.url]);
  const header = ['ID', 'CONNECTED', 'PENDING', 'URL'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  for (const row of [header, ...rows]) {
    io.stdout.write(
      `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`,
    );
  }
  return EXIT.ok;
}

/** `ptth get|head|put|post|patch|delete|options CLIENT XPATH [BODY|-]`. */
export async function requestCommand(
  command: keyof typeof METHOD_COMMANDS,
  args: readonly string[],
  options: CliOptions,
  io: CliIo,
): Promise<number> {
  const method = METHOD_COMMANDS[command];
  const [client, xpath, bodyArg] = args as [string, string, string | undefined];
  const headers = headerOptions(options.header);
  let body: Uint8Array | string | undefined;
  if (bodyArg !== undefined) {
    body = bodyArg === '-' ? await readStdin(io) : bodyArg;
    if (!headers.has('content-type')) headers.set('content-type', 'text/html');
  }
  const gateway = gatewayOf(options, io);
  const id = await gateway.resolve(client);
  const response = await gateway.request(id, xpath, {
    method,
    headers,
    ...(body !== undefined ? { body: body as BodyInit } : {}),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const code = exitCodeOf(response.status);
  const headOnly = method === 'HEAD' || method === 'OPTIONS';
  if (options.include || headOnly) io.stdout.write(messageHead(response));
  if (options.include || code === EXIT.ok) writeBody(io, bytes);
  if (code !== EXIT.ok && !options.include) {
    io.stderr.write(`ptth: ${method} ${xpath}: ${failureLine(response, new TextDecoder().decode(bytes))}\n`);
  }
  return code;
}

/** Turns an error into its message on stderr and an exit code. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CliError) {
    io.stderr.write(`ptth: ${error.message}\n`);
    return error.exitCode;
  }
  io.stderr.write(`ptth: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.failed;
}
