/**
 * Shell text for the programs a test starts in a terminal.
 *
 * @module
 */

/** Quotes one word for a POSIX shell (`'...'`, with `'\''` for a quote inside). */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The shell text that runs `words`, each quoted. */
export function commandLine(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}

/** The shell text that runs `deno run <flags> <script> <args>` with this Deno. */
export function denoLine(
  flags: readonly string[],
  script: string,
  args: readonly string[] = [],
): string {
  return commandLine([Deno.execPath(), "run", ...flags, script, ...args]);
}
