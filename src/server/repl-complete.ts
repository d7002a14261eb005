/**
 * Tab completion in the REPL, as pure functions of the line: inside the quotes of a call's
 * first argument, client ids (`get('Xq<Tab>`); on a bare word, the helpers' names, merged with
 * what Node's own completer finds (properties, globals).
 */

/** Completions and the text they replace, as readline's completer returns them. */
export type Completion = [string[], string];

/** A call's first argument being typed in quotes: `name(` then a quote, then the partial id. */
const ID_ARGUMENT = /\b[A-Za-z_$][\w$]*\(\s*(['"`])([\w-]*)$/;
/** A bare word at the end of the line (not after a `.`, which is a property). */
const WORD = /(?:^|[^\w$.])([A-Za-z_$][\w$]*)$/;

/** The client ids that complete a first argument being typed in quotes; `null` elsewhere. */
export function completeId(line: string, ids: readonly string[]): Completion | null {
  const argument = ID_ARGUMENT.exec(line);
  if (!argument) return null;
  const [, quote, partial = ''] = argument;
  const hits = ids.filter((id) => id.startsWith(partial));
  // One hit closes the string too, so the next thing to type is the comma.
  return [hits.length === 1 ? [`${hits[0]}${quote}`] : hits, partial];
}

/** The names that complete the bare word the line ends with; `null` when none does. */
export function completeName(line: string, names: readonly string[]): Completion | null {
  const word = WORD.exec(line)?.[1];
  if (word === undefined) return null;
  const hits = names.filter((name) => name.startsWith(word));
  return hits.length > 0 ? [hits, word] : null;
}

/** Our completions merged with Node's for the same text (ours first, no duplicates). */
export function mergeCompletions(ours: Completion | null, theirs: Completion | null): Completion | null {
  if (!ours) return theirs;
  if (!theirs || theirs[1] !== ours[1]) return ours;
  const names = [...ours[0], ...theirs[0].filter((name) => name !== '' && !ours[0].includes(name))];
  return [names, ours[1]];
}
