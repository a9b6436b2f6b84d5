/**
 * Small process helpers shared by the test-server modules (private).
 *
 * @module
 */

/** What a finished tool run left behind. */
export interface ToolOutput {
  /** The exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/** Runs a program to completion, optionally feeding `input` on stdin. Never throws on exit codes. */
export async function runTool(
  program: string,
  args: string[],
  input?: string,
): Promise<ToolOutput> {
  const child = new Deno.Command(program, {
    args,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Runs a program and throws with its stderr when it fails. */
export async function mustRun(program: string, args: string[], input?: string): Promise<string> {
  const out = await runTool(program, args, input);
  if (out.code !== 0) {
    throw new Error(
      `Command failed with exit code ${out.code}: ${program} ${
        args.join(" ")
      }\n${out.stderr.trim()}`,
    );
  }
  return out.stdout;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A random URL-safe token of `bytes` random bytes. */
export function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
}

/** Finds the first existing executable among absolute candidates, else via `command -v`. */
export async function findProgram(name: string, candidates: string[]): Promise<string | undefined> {
  for (const path of candidates) {
    try {
      const info = await Deno.stat(path);
      if (info.isFile) return path;
    } catch {
      // try the next one
    }
  }
  const out = await runTool("/bin/sh", ["-c", `command -v ${name}`]);
  const found = out.stdout.trim();
  return out.code === 0 && found.startsWith("/") ? found : undefined;
}
