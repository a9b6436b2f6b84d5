/**
 * The architecture chapter of python-deployer's documentation: one `WebSystem`
 * definition, instantiated twice (staging and production) with different hosts per
 * role; children get their hosts through role mapping.
 *
 * Every "machine" here is a copy of the local host with its own slug, so the example
 * runs anywhere. Try it in the sandbox, which prints the plan instead of running it:
 *   deno run --allow-run --allow-read --allow-env examples/web_system.ts run --sandbox \
 *     --non-interactive -- production.database.start
 *
 * @module
 */
import {
  child,
  LocalHost,
  Node,
  ParallelNode,
  production,
  required,
  runCli,
  sh,
  staging,
} from "../mod.ts";

const staging0 = new LocalHost({ slug: "staging0" });
const [lb0, lb1] = [new LocalHost({ slug: "lb0" }), new LocalHost({ slug: "lb1" })];
const webServers = [1, 2, 3].map((n) => new LocalHost({ slug: `web${n}` }));
const masterDb = new LocalHost({ slug: "master-db" });
const slaveDb = new LocalHost({ slug: "slave-db" });
const queueHost = new LocalHost({ slug: "queue" });
const cacheHost = new LocalHost({ slug: "cache" });

/** Any system service with start / stop / status. */
export class Service extends Node {
  /** The service name. */
  name = required<string>("name of the system service");

  /** Starts the service on every host. */
  async start(): Promise<void> {
    await this.hosts.sudo(sh`service ${this.name} start`);
  }

  /** Stops the service on every host. */
  async stop(): Promise<void> {
    await this.hosts.sudo(sh`service ${this.name} stop`);
  }

  /** Shows the service status on every host. */
  async status(): Promise<void> {
    await this.hosts.sudo(sh`service ${this.name} status`);
  }
}

/** The application checkout, one isolation per host. */
export class Git extends ParallelNode {
  /** Where the code lives. */
  location = "/srv/webapp";

  /** Checks out a commit. */
  async checkout(commit: string): Promise<string> {
    using _ = this.host.cd(this.location);
    return (await this.host.run(sh`git checkout ${commit}`)).stdout;
  }

  /** Shows the current commit. */
  async show(): Promise<string> {
    using _ = this.host.cd(this.location);
    return (await this.host.run(sh`git show --stat HEAD`)).stdout;
  }
}

/** The definition of a web system; roles: cache, queue, master_db, slave_db, web, load_balancer. */
export class WebSystem extends Node {
  cache = child(Service, { roles: { host: "cache" }, set: { name: "redis" } });
  queue = child(Service, { roles: { host: "queue" }, set: { name: "rabbitmq" } });
  loadBalancer = child(Service, { roles: { host: "load_balancer" }, set: { name: "haproxy" } });
  database = child(Service, {
    roles: { master: "master_db", slave: "slave_db" },
    set: { name: "postgresql" },
  });
  git = child(Git, { roles: { host: ["web", "load_balancer", "queue"] } });

  /** Checks out `commit` everywhere, then restarts the services. */
  async deploy(commit: string): Promise<void> {
    await this.git.checkout(commit);
    await this.database.start();
    await this.queue.start();
    await this.cache.start();
  }
}

/** Staging and production: the same system, different hosts. */
export class Root extends Node {
  staging = child(WebSystem, {
    group: staging,
    hosts: {
      load_balancer: staging0,
      web: staging0,
      master_db: staging0,
      slave_db: [],
      queue: staging0,
      cache: staging0,
    },
  });
  production = child(WebSystem, {
    group: production,
    hosts: {
      load_balancer: [lb0, lb1],
      web: webServers,
      master_db: masterDb,
      slave_db: slaveDb,
      queue: queueHost,
      cache: cacheHost,
    },
  });
}

export default Root;

if (import.meta.main) await runCli(Root);
