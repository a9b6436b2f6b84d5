/**
 * The Django tutorial of python-deployer's documentation, as reusable nodes: one
 * `DjangoDeployment` definition (git checkout, virtualenv with the requirements, Django
 * settings, gunicorn and supervisor configuration, migrations, static files, restart)
 * used twice, for staging and production, with different hosts in the role `web`.
 *
 * Every "machine" is a copy of the local host with its own slug, so the example runs
 * anywhere. Print the plan of a deployment instead of running it:
 *   deno run --allow-run --allow-read --allow-env examples/django_deployment.ts run \
 *     --sandbox --non-interactive -- production.deploy main
 *
 * Real servers are SSH hosts in the same places:
 * ```ts ignore
 * const web1 = new SshHost({ slug: "web1", address: "10.0.0.11", username: "deploy" });
 * const web2 = new SshHost({ slug: "web2", address: "10.0.0.12", username: "deploy" });
 * production = child(Production, { group: production, hosts: { web: [web1, web2] } });
 * ```
 *
 * @module
 */
import {
  action,
  child,
  LocalHost,
  Node,
  ParallelNode,
  production,
  q,
  required,
  runCli,
  sh,
  staging,
} from "../mod.ts";
import { AptGet, Config, Git } from "../src/contrib/mod.ts";

/** A Python virtualenv on every host, with packages and requirements files installed. */
export class VirtualEnv extends ParallelNode {
  /** Directory of the virtualenv. */
  location: string = required<string>("directory of the virtualenv");
  /** `requirements.txt` files to install (`pip install -r`). */
  requirementsFiles: string[] = [];
  /** Extra packages to install. */
  packages: string[] = [];
  /** The Python that creates the virtualenv. */
  python = "python3";

  /** Activates the virtualenv for the commands that follow (`. <location>/bin/activate`). */
  async #activate(): Promise<Disposable> {
    const activate = `${await this.host.expandPath(this.location)}/bin/activate`;
    return this.host.prefix(sh`. ${activate}`);
  }

  /** Creates the virtualenv unless it exists. */
  async create(): Promise<void> {
    const location = await this.host.expandPath(this.location);
    if (await this.host.exists(`${location}/bin/activate`)) return;
    await this.host.run(sh`${this.python} -m venv ${location}`);
  }

  /** `pip install` some packages inside the virtualenv. */
  async installPackage(...names: string[]): Promise<void> {
    using _ = await this.#activate();
    await this.host.run(sh`pip install ${names}`);
  }

  /** `pip install -r` every requirements file. */
  async installRequirements(): Promise<void> {
    using _ = await this.#activate();
    for (const file of this.requirementsFiles) {
      await this.host.run(sh`pip install -r ${await this.host.expandPath(file)}`);
    }
  }

  /** Creates the virtualenv and installs everything into it. */
  async setup(): Promise<void> {
    await this.create();
    if (this.packages.length) await this.installPackage(...this.packages);
    await this.installRequirements();
  }
}

/** `manage.py` of a Django project on every host, run inside its virtualenv. */
export class Django extends ParallelNode {
  /** The project directory (where `manage.py` is). */
  projectDirectory: string = required<string>("directory of the Django project");
  /** The virtualenv directory. */
  virtualenvLocation: string = required<string>("directory of the virtualenv");

  /** Runs `python manage.py <args>` in the project, in the virtualenv. */
  async manage(...args: string[]): Promise<string> {
    const env = await this.host.expandPath(this.virtualenvLocation);
    using _venv = this.host.prefix(sh`. ${`${env}/bin/activate`}`);
    using _cd = this.host.cd(this.projectDirectory, { expand: true });
    return (await this.host.run(sh`python manage.py ${args}`)).stdout;
  }

  /** `manage.py migrate --noinput`. */
  async migrate(): Promise<string> {
    return await this.manage("migrate", "--noinput");
  }

  /** `manage.py collectstatic --noinput`. */
  async collectstatic(): Promise<string> {
    return await this.manage("collectstatic", "--noinput");
  }

  /** An interactive Django shell on one host. */
  @action({ isolateOneOnly: true })
  async shell(): Promise<void> {
    const env = await this.host.expandPath(this.virtualenvLocation);
    using _venv = this.host.prefix(sh`. ${`${env}/bin/activate`}`);
    using _cd = this.host.cd(this.projectDirectory, { expand: true });
    await this.host.run(sh`python manage.py shell`, { interactive: true });
  }
}

/** One supervisord program on every host. */
export class Supervisor extends ParallelNode {
  /** The program name (`[program:<name>]`). */
  program: string = required<string>("supervisor program name");

  /** Loads changed configuration (`supervisorctl reread` + `update`). */
  async update(): Promise<void> {
    await this.host.sudo(sh`supervisorctl reread`);
    await this.host.sudo(sh`supervisorctl update`);
  }

  /** Restarts the program. */
  async restart(): Promise<void> {
    await this.host.sudo(sh`supervisorctl restart ${this.program}`);
  }

  /** The program's status. */
  async status(): Promise<string> {
    return (await this.host.sudo(sh`supervisorctl status ${this.program}`, { noThrow: true }))
      .stdout;
  }
}

/**
 * A Django project served by gunicorn under supervisord, on every host of the role
 * `web`. Change the fields in a subclass (or with `set:`); the children follow.
 */
export class DjangoDeployment extends Node {
  /** The short name: supervisor program, config file names. */
  name = "django-project";
  /** Where to clone from. */
  repository = "https://github.com/example/django-project.git";
  /** The revision deployed when none is given. */
  defaultRevision = "main";
  /** Where the code is checked out. */
  projectDirectory = "/srv/django-project/code";
  /** Where the virtualenv lives. */
  virtualenvLocation = "/srv/django-project/env";
  /** The user gunicorn runs as. */
  user = "www-data";
  /** Where gunicorn listens. */
  bind = "127.0.0.1:8000";
  /** Gunicorn worker processes. */
  workers = 3;
  /** The WSGI application. */
  wsgiApplication = "project.wsgi:application";
  /** The content of `local_settings.py`. */
  djangoSettings = [
    "DEBUG = False",
    "ALLOWED_HOSTS = ['*']",
    "STATIC_ROOT = '/srv/django-project/static'",
    "",
  ].join("\n");

  /** System packages. */
  packages = child(AptGet, {
    roles: { host: "web" },
    set: { packages: ["git", "python3-venv", "supervisor"] },
  });
  /** The checkout. */
  git = child(Git, {
    roles: { host: "web" },
    set: {
      repository: q(() => this.repository),
      repositoryLocation: q(() => this.projectDirectory),
      defaultRevision: q(() => this.defaultRevision),
    },
  });
  /** The virtualenv with the project's requirements and gunicorn. */
  virtualenv = child(VirtualEnv, {
    roles: { host: "web" },
    set: {
      location: q(() => this.virtualenvLocation),
      packages: ["gunicorn"],
      requirementsFiles: q(() => [`${this.projectDirectory}/requirements.txt`]),
    },
  });
  /** `local_settings.py`, owned by the deploy user. */
  settings = child(Config, {
    roles: { host: "web" },
    set: {
      remotePath: q(() => `${this.projectDirectory}/local_settings.py`),
      content: q(() => this.djangoSettings),
      useSudo: false,
    },
  });
  /** The gunicorn configuration. */
  gunicornConfig = child(Config, {
    roles: { host: "web" },
    set: {
      remotePath: q(() => `${this.projectDirectory}/gunicorn.conf.py`),
      content: q(() =>
        [`bind = ${pyString(this.bind)}`, `workers = ${this.workers}`, ""].join("\n")
      ),
      useSudo: false,
    },
  });
  /** The supervisord program that runs gunicorn. */
  supervisorConfig = child(Config, {
    roles: { host: "web" },
    set: {
      remotePath: q(() => `/etc/supervisor/conf.d/${this.name}.conf`),
      content: q(() => this.#supervisorProgram()),
    },
  });
  /** `manage.py`. */
  django = child(Django, {
    roles: { host: "web" },
    set: {
      projectDirectory: q(() => this.projectDirectory),
      virtualenvLocation: q(() => this.virtualenvLocation),
    },
  });
  /** supervisorctl. */
  supervisor = child(Supervisor, { roles: { host: "web" }, set: { program: q(() => this.name) } });

  #supervisorProgram(): string {
    return [
      `[program:${this.name}]`,
      `command = ${this.virtualenvLocation}/bin/gunicorn --config ` +
      `${this.projectDirectory}/gunicorn.conf.py ${this.wsgiApplication}`,
      `directory = ${this.projectDirectory}`,
      `user = ${this.user}`,
      `stdout_logfile = /var/log/${this.name}/gunicorn.log`,
      "redirect_stderr = true",
      "",
    ].join("\n");
  }

  /** First installation: system packages, then a deployment. */
  async setup(commit = ""): Promise<void> {
    await this.packages.install();
    await this.deploy(commit);
  }

  /**
   * Deploys `commit` (asked for when not given) on every web host: checkout,
   * virtualenv, configuration, migrations (on one host), static files, restart.
   */
  async deploy(commit = ""): Promise<void> {
    await this.git.checkout(commit);
    await this.virtualenv.setup();
    await this.settings.setup();
    await this.gunicornConfig.setup();
    await this.supervisorConfig.setup();
    const hosts = this.django.isolations();
    if (hosts.length) await hosts[0].migrate();
    await this.django.collectstatic();
    await this.supervisor.update();
    await this.supervisor.restart();
  }

  /** Shows what the configuration files would change, per host. */
  async diffConfig(): Promise<void> {
    await this.settings.diff();
    await this.gunicornConfig.diff();
    await this.supervisorConfig.diff();
  }
}

function pyString(value: string): string {
  return JSON.stringify(value);
}

/** Production: its own domain settings and more workers. */
export class ProductionDeployment extends DjangoDeployment {
  override workers = 8;
  override defaultRevision = "production";
}

/** Staging and production: the same deployment, different hosts. */
export class Root extends Node {
  staging = child(DjangoDeployment, {
    group: staging,
    hosts: { web: new LocalHost({ slug: "staging1" }) },
  });
  production = child(ProductionDeployment, {
    group: production,
    hosts: { web: [new LocalHost({ slug: "web1" }), new LocalHost({ slug: "web2" })] },
  });
}

export default Root;

if (import.meta.main) await runCli(Root);
