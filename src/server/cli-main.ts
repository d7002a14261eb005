/**
 * The CLI without the process: `runCli(argv, io)` runs one command and resolves with its exit
 * code. `serve` is left to the entry point (`cli.ts`), which keeps the process running.
 */
import { parseCli } from './cli-args.ts';
import { type CliIo, clientsCommand, reportError, requestCommand } from './cli-commands.ts';
import { helpText } from './cli-help.ts';
import { tourCommand } from './cli-tour.ts';
import { watchCommand } from './cli-watch.ts';

/** Runs every command but `serve`; errors are printed on stderr and become exit codes. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { command, options, args } = parseCli(argv);
    if (command === 'help' || options.help) {
      io.stdout.write(`${helpText(command === 'help' ? args[0] : command)}\n`);
      return 0;
    }
    switch (command) {
      case 'serve':
        throw new Error('"serve" runs from the entry point, not from runCli');
      case 'clients':
        return await clientsCommand(options, io);
      case 'watch':
        return await watchCommand(args, options, io);
      case 'tour':
        return await tourCommand(args, options, io);
      default:
        // What is left is one of the METHOD_COMMANDS.
        return await requestCommand(command, args, options, io);
    }
  } catch (error) {
    return reportError(error, io);
  }
}
