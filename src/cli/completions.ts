/**
 * Static shell completion scripts (bash, zsh, fish) for the subcommands and options of
 * the CLI.
 *
 * @module
 */

/** One option of a subcommand. */
export interface OptionSpec {
  /** Its spellings (`["-o", "--output"]`). */
  readonly names: readonly string[];
  /** What its value is, when it takes one. */
  readonly value?: "file" | "text";
  /** One line of help. */
  readonly description: string;
}

/** One subcommand. */
export interface CommandSpec {
  /** Its name. */
  readonly name: string;
  /** One line of help. */
  readonly description: string;
  /** Its options. */
  readonly options: readonly OptionSpec[];
  /** What its operands complete to: files (scripts), fixed words, or nothing. */
  readonly operands?: "file" | readonly string[];
}

/** The shells completions are written for. */
export const SHELLS: readonly ["bash", "zsh", "fish"] = ["bash", "zsh", "fish"];

/** A supported shell. */
export type ShellName = typeof SHELLS[number];

function ident(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

function quoteSh(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function bash(program: string, commands: readonly CommandSpec[]): string {
  const fn = `_${ident(program)}_complete`;
  const cases = commands.map((c) => {
    const opts = c.options.flatMap((o) => o.names).join(" ");
    const fileOpts = c.options.filter((o) => o.value === "file").flatMap((o) => o.names);
    const textOpts = c.options.filter((o) => o.value === "text").flatMap((o) => o.names);
    const operands = c.operands === "file"
      ? `COMPREPLY=($(compgen -f -- "$cur"))`
      : c.operands
      ? `COMPREPLY=($(compgen -W ${quoteSh(c.operands.join(" "))} -- "$cur"))`
      : `COMPREPLY=()`;
    return [
      `    ${c.name})`,
      `      case "$prev" in`,
      ...(fileOpts.length
        ? [`        ${fileOpts.join("|")}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;`]
        : []),
      ...(textOpts.length ? [`        ${textOpts.join("|")}) COMPREPLY=(); return 0 ;;`] : []),
      `      esac`,
      `      if [[ "$cur" == -* ]]; then`,
      `        COMPREPLY=($(compgen -W ${quoteSh(`${opts} --help`)} -- "$cur"))`,
      `      else`,
      `        ${operands}`,
      `      fi`,
      `      ;;`,
    ].join("\n");
  });
  const names = commands.map((c) => c.name).join(" ");
  return `# bash completion for ${program}
# Install: ${program} completions bash > ~/.local/share/bash-completion/completions/${program}
${fn}() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W ${quoteSh(`${names} --help --version`)} -- "$cur"))
    return 0
  fi
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    if [[ "$word" == "--" ]]; then COMPREPLY=(); return 0; fi
  done
  case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    *) COMPREPLY=() ;;
  esac
  return 0
}
complete -o default -F ${fn} ${program}
`;
}

function zshEscape(text: string): string {
  return text.replace(/[[\]:']/g, (c) => (c === "'" ? `'\\''` : `\\${c}`));
}

function zsh(program: string, commands: readonly CommandSpec[]): string {
  const fn = `_${ident(program)}`;
  const list = commands.map((c) => `    '${c.name}:${zshEscape(c.description)}'`).join("\n");
  const cases = commands.map((c) => {
    const specs = c.options.map((o) => {
      const names = o.names.length > 1 ? `{${o.names.join(",")}}` : o.names[0];
      const exclusive = o.names.length > 1 ? `'(${o.names.join(" ")})'` : "";
      const value = o.value === "file" ? ":file:_files" : o.value === "text" ? ":value: " : "";
      return `        ${exclusive}${names}'[${zshEscape(o.description)}]${value}'`;
    });
    const operand = c.operands === "file"
      ? `        '*:script:_files'`
      : c.operands
      ? `        '1:${c.name}:(${c.operands.join(" ")})'`
      : "";
    return [
      `      ${c.name})`,
      `        _arguments \\`,
      ...[...specs, `        '--help[show help]'`, operand].filter(Boolean).map((s, i, all) =>
        i < all.length - 1 ? `${s} \\` : s
      ),
      `        ;;`,
    ].join("\n");
  });
  return `#compdef ${program}
# zsh completion for ${program}
# Install: ${program} completions zsh > "\${fpath[1]}/_${program}"
${fn}() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands '${program} command' commands
    _arguments '--help[show help]' '--version[show the version]'
    return
  fi
  local cmd="\${words[2]}"
  shift words
  (( CURRENT-- ))
  case "$cmd" in
${cases.join("\n")}
  esac
}
compdef ${fn} ${program}
`;
}

function fishEscape(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function fish(program: string, commands: readonly CommandSpec[]): string {
  const names = commands.map((c) => c.name).join(" ");
  const lines = [
    `# fish completion for ${program}`,
    `# Install: ${program} completions fish > ~/.config/fish/completions/${program}.fish`,
    `complete -c ${program} -f`,
    `complete -c ${program} -n '__fish_use_subcommand' -l help -d 'Show help'`,
    `complete -c ${program} -n '__fish_use_subcommand' -l version -d 'Show the version'`,
  ];
  for (const c of commands) {
    lines.push(
      `complete -c ${program} -n '__fish_use_subcommand' -a ${c.name} -d ${
        fishEscape(c.description)
      }`,
    );
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    for (const o of c.options) {
      const flags = o.names.map((
        n,
      ) => (n.startsWith("--") ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`));
      const value = o.value === "file" ? " -r -F" : o.value === "text" ? " -r" : "";
      lines.push(
        `complete -c ${program} ${when} ${flags.join(" ")}${value} -d ${fishEscape(o.description)}`,
      );
    }
    if (c.operands === "file") lines.push(`complete -c ${program} ${when} -F`);
    else if (c.operands) {
      lines.push(`complete -c ${program} ${when} -a ${fishEscape(c.operands.join(" "))}`);
    }
  }
  lines.push(`# subcommands: ${names}`);
  return lines.join("\n") + "\n";
}

/**
 * The completion script of `program` for a shell.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { completionScript } from "./completions.ts";
 * const script = completionScript("bash", "deployer", [
 *   {
 *     name: "run",
 *     description: "Run an action",
 *     options: [{ names: ["--json"], description: "JSON" }],
 *   },
 * ]);
 * assert.ok(script.includes("complete -o default -F _deployer_complete deployer"));
 * ```
 */
export function completionScript(
  shell: ShellName,
  program: string,
  commands: readonly CommandSpec[],
): string {
  if (!/^[A-Za-z0-9_.+-]+$/.test(program)) {
    throw new TypeError(`Cannot write completions for the program name "${program}"`);
  }
  switch (shell) {
    case "bash":
      return bash(program, commands);
    case "zsh":
      return zsh(program, commands);
    case "fish":
      return fish(program, commands);
  }
}
