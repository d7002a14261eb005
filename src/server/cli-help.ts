/** The CLI's `--help` texts: one overview and one page per command. */
import type { CommandName } from './cli-args.ts';

const REMOTE = `  --url URL        the ptth server (env PTTH_URL; default http://127.0.0.1:8080)
  --token TOKEN    sent as "Authorization: Bearer TOKEN" (env PTTH_TOKEN)`;

const REQUEST = `${REMOTE}
  -i, --include    print the status line and headers before the body
  -H, --header 'Name: value'   add a request header (repeatable)`;

const CLIENT = `CLIENT is a client id or a unique prefix of one ("ptth clients" lists them).
XPATH is written as is ("//ul[@id='todo']/li[1]"); ptth percent-encodes it.`;

const EXITS = `Exit codes: 0 success, 4 a 4xx answer, 5 a 5xx answer, 7 the server cannot be reached,
2 a usage error, 1 anything else (e.g. an ambiguous client prefix).`;

const OVERVIEW = `ptth: make HTTP requests on live web pages.

Usage: ptth <command> [options]

  serve                          run the dev server (the default command; "npm start")
  clients                        list the connected pages
  get|head|options|delete CLIENT XPATH
  put|post|patch CLIENT XPATH BODY|-
                                 one request on a page, through a running server's gateway
  watch CLIENT XPATH             print a node each time it changes
  tour [CLIENT]                  drive the demo page: a counter, a todo list, a watched form
  help [COMMAND]                 this text, or a command's

"ptth COMMAND --help" tells more. ${CLIENT}

${EXITS}`;

const METHOD = (
  name: string,
  method: string,
  body: boolean,
) => `Usage: ptth ${name} CLIENT XPATH${body ? ' BODY|-' : ''} [options]

Sends ${method} to the node(s) XPATH selects on page CLIENT and prints the answer's body${
  name === 'head' || name === 'options' ? ' (for this method: the status line and headers)' : ''
}.
A 4xx or 5xx answer prints its problem on stderr instead (with -i, the whole answer on stdout).
${body ? 'BODY is the markup to send ("-" reads it from stdin), as text/html unless -H says otherwise.\n' : ''}
${CLIENT}

Options:
${REQUEST}

${EXITS}`;

const PAGES: Record<CommandName, string> = {
  help: OVERVIEW,
  serve: `Usage: ptth serve [options]

Runs the dev server: the long-poll endpoints pages connect to, the gateway
(/ptth/clients/CLIENT/XPATH) and the client script at /ptth/client.js. Without --root it
serves the demo page; with --root, your own pages, which embed the client with
  <script src="/ptth/client.js"></script>
In a terminal it opens the REPL. SIGTERM or Ctrl-C stops it.

Options:
  -p, --port PORT          default 8080 (env PORT; 0 picks a free one)
  --host HOST              default 127.0.0.1 (env HOST); beyond loopback needs a token
  --root DIR               serve the files under DIR at /
  --token TOKEN            the gateway needs "Authorization: Bearer TOKEN" (env PTTH_TOKEN)
  --allowed-hosts a,b      more Host names to accept (env PTTH_ALLOWED_HOSTS)
  --allowed-origins a,b    origins of pages on other origins that may connect, with CORS
                           (env PTTH_ALLOWED_ORIGINS)
  -v, --verbose            log clients and gateway requests (env PTTH_LOG=1)
  --log-format text|json   one line per event as key=value text or JSON (env PTTH_LOG_FORMAT)`,
  clients: `Usage: ptth clients [options]

Lists the pages connected to a running server: id, connected since, URL.

Options:
${REMOTE}
  --json           print the server's JSON as it is

${EXITS}`,
  get: METHOD('get', 'GET', false),
  head: METHOD('head', 'HEAD', false),
  options: METHOD('options', 'OPTIONS', false),
  delete: METHOD('delete', 'DELETE', false),
  put: METHOD('put', 'PUT', true),
  post: METHOD('post', 'POST', true),
  patch: METHOD('patch', 'PATCH', true),
  watch: `Usage: ptth watch CLIENT XPATH [options]

Prints what XPATH selects now, then again each time it changes (DOM changes and the user
typing), until Ctrl-C. Each wait is a GET with If-None-Match and "Prefer: wait=N"; the page
answers 200 with the new representation, or 304 after N seconds of no change.

${CLIENT}

Options:
${REQUEST}
  --wait SECONDS   how long each request waits for a change, 1 to 25 (default 20)
  --count N        stop after N changes

${EXITS}`,
  tour: `Usage: ptth tour [CLIENT] [options]

Drives the demo page (npm start, then open it): counts a counter up, edits the todo list
with POST, PUT and DELETE, then watches the form and greets whoever types a name.
CLIENT may be left out when one page is connected.

Options:
${REMOTE}
  --delay MS       pause between steps (default 400)

${EXITS}`,
};

/** The help text of a command, or the overview. */
export function helpText(command?: string): string {
  return command !== undefined && Object.hasOwn(PAGES, command) ? PAGES[command as CommandName] : OVERVIEW;
}
