/**
 * `npm start`: the dev server on PORT/HOST (default 127.0.0.1:8080), with the REPL when stdin is
 * a terminal. Without a terminal (CI, `npm start &`) the server simply keeps running. Refusals
 * (limits, access rules) are logged to stderr, throttled.
 */
import { startDevServer } from './dev-server.ts';
import { logRefusals } from './refusal-log.ts';
import { startRepl } from './repl.ts';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const token = process.env.PTTH_TOKEN || undefined;
const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
const allowedHosts = list(process.env.PTTH_ALLOWED_HOSTS);
const allowedOrigins = list(process.env.PTTH_ALLOWED_ORIGINS);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`ptth: PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

try {
  const server = await startDevServer({ port, host, allowedHosts, allowedOrigins, ...(token ? { token } : {}) });
  logRefusals(server.hub);
  console.log(`ptth dev server at ${server.url}`);
  console.log(`  gateway: ${server.url}ptth/clients`);
  if (allowedOrigins.length > 0) console.log(`  pages may connect from: ${allowedOrigins.join(', ')}`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.stdin.isTTY) startRepl(server.hub).on('exit', stop);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EADDRINUSE'
      ? `${host}:${port} is already in use (set PORT)`
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`ptth: cannot start the dev server: ${reason}`);
  process.exit(1);
}
