/** Whether `sudo -n` works for the user running the tests (shared by test files). */
export async function sudoWorks(): Promise<boolean> {
  try {
    const out = await new Deno.Command("sudo", { args: ["-n", "true"], stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}
