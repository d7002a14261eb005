/** `ptth tour [CLIENT]`: the demo tour (`tour.ts`) on a page of a running server, through its gateway. */
import { type CliOptions, EXIT, integerOption } from './cli-args.ts';
import { type CliIo, gatewayOf } from './cli-commands.ts';
import type { GatewayClient } from './cli-gateway.ts';
import { type PageFetch, runTour } from './tour.ts';

/** A `PageFetch` on client `id` through `gateway`. */
export function gatewayPage(gateway: GatewayClient, id: string): PageFetch {
  return (method, xpath, init = {}) =>
    gateway.request(id, xpath, { method, headers: init.headers ?? {}, ...(init.body ? { body: init.body } : {}) });
}

/** Runs the tour, narrating on stdout; Ctrl-C (the signal) ends its last step. */
export async function tourCommand(args: readonly string[], options: CliOptions, io: CliIo): Promise<number> {
  const delayMs = integerOption(options.delay, 'delay', 400, 0, 60_000);
  const gateway = gatewayOf(options, io);
  const id = await gateway.resolve(args[0]);
  io.stdout.write(`Touring client ${id} (watch it in the browser; Ctrl-C ends the tour)\n`);
  await runTour(gatewayPage(gateway, id), {
    delayMs,
    say: (line) => io.stdout.write(`${line}\n`),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  return EXIT.ok;
}
