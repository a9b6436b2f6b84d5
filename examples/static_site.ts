/**
 * A static website behind nginx on every web host. Each `deploy` uploads the local site
 * directory as a new release (`<home>/releases/<id>`), writes the nginx server block with
 * sudo and checks it with `nginx -t` (a refused block is put back), switches the `current`
 * symlink to the release atomically (a rename) and reloads nginx; `rollback` switches `current` back to the release before it.
 * `tests/e2e/static_site_test.ts` deploys it to two real Debian machines.
 *
 *   deno run --allow-run --allow-read --allow-env examples/static_site.ts run \
 *     --sandbox --non-interactive -- site.deploy
 *
 * @module
 */
import { action, child, LocalHost, Node, ParallelNode, required, runCli, sh } from "../mod.ts";

/** The files below `dir`, as paths relative to it (sorted). */
async function filesBelow(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) files.push(...await filesBelow(dir, `${path}/`));
    else if (entry.isFile) files.push(path);
  }
  return files.sort();
}

/** A static site served by nginx from `<home>/current`, on every host of the node. */
export class StaticSite extends ParallelNode {
  /** The local directory with the site. */
  source: string = required<string>("local directory with the site");
  /** Where releases live on the host. */
  home = "/srv/static-site";
  /** Who owns the releases (the login user). */
  owner = "deploy";
  /** nginx's `server_name` and `listen` port. */
  serverName = "example.org";
  port = 80;
  /** The nginx server block file. */
  nginxSite = "/etc/nginx/sites-enabled/static-site";

  /** Uploads the site as a new release on every host, switches to it, reloads nginx. */
  @action({ dontIsolateYet: true })
  async deploy(): Promise<void> {
    const release = new Date().toISOString().replace(/\D/g, "").slice(0, 17);
    await this._deploy(release);
  }

  /** Deploys release `release` on this host; resolves to its directory. */
  async _deploy(release: string): Promise<string> {
    const target = `${this.home}/releases/${release}`;
    await this.host.sudo(
      sh`install -d -o ${this.owner} -g ${this.owner} ${this.home} ${`${this.home}/releases`}`,
    );
    const files = await filesBelow(this.source);
    const dirs = new Set(files.map((file) => `${target}/${file}`.replace(/\/[^/]*$/, "")));
    await this.host.run(sh`mkdir -p ${[...dirs]}`);
    for (const file of files) {
      await this.host.putFile(`${this.source}/${file}`, `${target}/${file}`);
    }
    await this._writeServerBlock();
    await this._switch(target);
    await this.host.sudo(sh`nginx -s reload`);
    return target;
  }

  /** Writes the server block; when `nginx -t` refuses it, puts the old one back and fails. */
  async _writeServerBlock(): Promise<void> {
    const sudo = { useSudo: true };
    const old = await this.host.exists(this.nginxSite, sudo)
      ? await this.host.readText(this.nginxSite, sudo)
      : undefined;
    await this.host.writeFile(this.nginxSite, this._serverBlock(), sudo);
    const check = await this.host.sudo(sh`nginx -t -q`, { noThrow: true });
    if (check.code === 0) return;
    if (old === undefined) await this.host.sudo(sh`rm -f ${this.nginxSite}`);
    else await this.host.writeFile(this.nginxSite, old, sudo);
    throw new Error(
      `nginx -t refused the server block on host "${this.host.slug}": ${check.stderr}`,
    );
  }

  /** Switches `current` back to the release before it, on every host; resolves to it. */
  async rollback(): Promise<string> {
    const releases = (await this.host.listdir(`${this.home}/releases`)).sort();
    const current = await this.currentRelease();
    const previous = releases[releases.indexOf(current) - 1];
    if (!previous) {
      throw new Error(`No release before "${current}" on host "${this.host.slug}"`);
    }
    await this._switch(`${this.home}/releases/${previous}`);
    return previous;
  }

  /** The release `current` points to. */
  async currentRelease(): Promise<string> {
    const { stdout } = await this.host.run(sh`readlink ${`${this.home}/current`}`);
    return stdout.trim().split("/").pop()!;
  }

  /** Points `current` at `target` with one rename, so no request sees a missing site. */
  async _switch(target: string): Promise<void> {
    const next = `${this.home}/current.next`;
    await this.host.run(sh`ln -sfn ${target} ${next} && mv -T ${next} ${`${this.home}/current`}`);
  }

  /** The nginx server block. */
  _serverBlock(): string {
    return [
      "server {",
      `    listen ${this.port};`,
      `    server_name ${this.serverName};`,
      `    root ${this.home}/current;`,
      "    index index.html;",
      "    location / { try_files $uri $uri/ =404; }",
      "}",
      "",
    ].join("\n");
  }
}

/** One site on two hosts (local copies here; SshHosts in real life). */
export class Root extends Node {
  site = child(StaticSite, {
    hosts: { host: [new LocalHost({ slug: "web1" }), new LocalHost({ slug: "web2" })] },
    set: { source: new URL("./site", import.meta.url).pathname },
  });
}

export default Root;

if (import.meta.main) await runCli(Root);
