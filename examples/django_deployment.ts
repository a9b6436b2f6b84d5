/**
 * The Django tutorial of python-deployer's documentation: one `DjangoDeployment` (git
 * checkout, virtualenv, settings, gunicorn under supervisord, migrations, static files)
 * used for staging and production with different hosts. `tests/e2e/django_test.ts` deploys
 * it to two real Debian machines. Print the plan instead of running it:
 *   deno run --allow-run --allow-read --allow-env examples/django_deployment.ts run \
 *     --sandbox --non-interactive -- production.deploy main
 *
 * @module
 */
import { child, LocalHost, Node, ParallelNode, required, runCli, sh } from "../mod.ts";
import { Config, Git } from "../src/contrib/mod.ts";

/** A Python virtualenv on every host, with requirements files installed. */
export class VirtualEnv extends ParallelNode {
  /** Directory of the virtualenv. */
  location: string = required<string>("directory of the virtualenv");
  /** `requirements.txt` files to install (`pip install -r`). */
  requirementsFiles: string[] = [];
  /** Whether the system's packages are visible (e.g. Debian's Django and gunicorn). */
  systemSitePackages = false;

  /** Creates the virtualenv unless it exists, then installs the requirements. */
  async setup(): Promise<void> {
    if (!(await this.host.exists(`${this.location}/bin/python`))) {
      const options = this.systemSitePackages ? ["--system-site-packages"] : [];
      await this.host.run(sh`python3 -m venv ${options} ${this.location}`);
    }
    for (const file of this.requirementsFiles) {
      await this.host.run(sh`${`${this.location}/bin/pip`} install -q -r ${file}`);
    }
  }
}

/** `manage.py` of a Django project on every host, run with the virtualenv's Python. */
export class Django extends ParallelNode {
  /** The project directory (where `manage.py` is). */
  projectDirectory: string = required<string>("directory of the Django project");
  /** The virtualenv directory. */
  virtualenvLocation: string = required<string>("directory of the virtualenv");

  /** Runs `python manage.py <args>` in the project; resolves to its output. */
  async manage(...args: string[]): Promise<string> {
    using _ = this.host.cd(this.projectDirectory);
    const python = `${this.virtualenvLocation}/bin/python`;
    return (await this.host.run(sh`${python} manage.py ${args}`)).stdout;
  }

  /** `manage.py migrate --noinput`. */
  async migrate(): Promise<string> {
    return await this.manage("migrate", "--noinput");
  }

  /** `manage.py collectstatic --noinput`. */
  async collectstatic(): Promise<string> {
    return await this.manage("collectstatic", "--noinput");
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
}

/** A configuration file that is written only where its content differs. */
export class ConfigFile extends Config {
  /** Writes the file unless it already has `content`; resolves to whether it wrote. */
  async apply(): Promise<boolean> {
    const options = { useSudo: this.useSudo };
    const same = await this.host.exists(this.remotePath, options) &&
      (await this.host.readText(this.remotePath, options)) === this.content;
    if (!same) await this.setup();
    return !same;
  }
}

/** A Django project served by gunicorn under supervisord, on every host of the node. */
export class DjangoDeployment extends Node {
  /** Short name: supervisor program, log directory. */
  name = "django-project";
  /** Where to clone from, and the revision deployed when none is given. */
  repository = "https://github.com/example/django-project.git";
  defaultRevision = "main";
  /** Everything lives below it: `code/`, `env/`, `static/`, `data/`. */
  home = "/srv/django-project";
  /** Who owns `home` (the login user) and who runs gunicorn. */
  owner = "deploy";
  user = "www-data";
  /** Gunicorn's address and worker processes. */
  bind = "127.0.0.1:8000";
  workers = 3;
  /** Where `migrate` runs: on the first host (one shared database) or on every host. */
  migrateOn: "first" | "every" = "first";

  git = child(Git, {
    set: () => ({
      repository: this.repository,
      repositoryLocation: `${this.home}/code`,
      defaultRevision: this.defaultRevision,
    }),
  });
  virtualenv = child(VirtualEnv, {
    set: () => ({
      location: `${this.home}/env`,
      requirementsFiles: [`${this.home}/code/requirements.txt`],
      systemSitePackages: true,
    }),
  });
  settings = child(ConfigFile, {
    set: () => ({
      remotePath: `${this.home}/code/local_settings.py`,
      content: this._settings(),
      useSudo: false,
    }),
  });
  program = child(ConfigFile, {
    set: () => ({
      remotePath: `/etc/supervisor/conf.d/${this.name}.conf`,
      content: this._program(),
    }),
  });
  django = child(Django, {
    set: () => ({ projectDirectory: `${this.home}/code`, virtualenvLocation: `${this.home}/env` }),
  });
  supervisor = child(Supervisor, { set: () => ({ program: this.name }) });

  /** Creates `home` (owned by `owner`) and the log directory (owned by `user`). */
  async prepare(): Promise<void> {
    const dirs = ["", "/data", "/static"].map((dir) => `${this.home}${dir}`);
    await this.hosts.sudo(sh`install -d -o ${this.owner} -g ${this.owner} ${dirs}`);
    await this.hosts.sudo(sh`install -d -o ${this.user} ${`/var/log/${this.name}`}`);
  }

  /** Deploys `commit` (asked for when not given) on every host. */
  async deploy(commit = ""): Promise<void> {
    await this.git.checkout(commit);
    await this.virtualenv.setup();
    await this.settings.apply();
    await this.program.apply();
    if (this.migrateOn === "every") await this.django.migrate();
    else await this.django.isolate(0).migrate();
    await this.django.collectstatic();
    await this.supervisor.update();
    await this.supervisor.restart();
  }

  /** First installation: directories, then a deployment. */
  async setup(commit = ""): Promise<void> {
    await this.prepare();
    await this.deploy(commit);
  }

  /** The content of `local_settings.py`. */
  _settings(): string {
    return [
      "DEBUG = False",
      "ALLOWED_HOSTS = ['*']",
      `STATIC_ROOT = ${JSON.stringify(`${this.home}/static`)}`,
      `DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",`,
      `  "NAME": ${JSON.stringify(`${this.home}/data/db.sqlite3`)}}}`,
      "",
    ].join("\n");
  }

  /** The supervisord program that runs gunicorn (`python -m`: pip may not install its script). */
  _program(): string {
    return [
      `[program:${this.name}]`,
      `command = ${this.home}/env/bin/python -m gunicorn --bind ${this.bind} ` +
      `--workers ${this.workers} project.wsgi:application`,
      `directory = ${this.home}/code`,
      `user = ${this.user}`,
      `stdout_logfile = /var/log/${this.name}/gunicorn.log`,
      "redirect_stderr = true",
      "stopasgroup = true",
      "",
    ].join("\n");
  }
}

/** Production: more workers, its own branch. */
export class ProductionDeployment extends DjangoDeployment {
  override workers = 8;
  override defaultRevision = "production";
}

/** Staging and production: the same deployment, different hosts. */
export class Root extends Node {
  staging = child(DjangoDeployment, { hosts: { web: new LocalHost({ slug: "staging1" }) } });
  production = child(ProductionDeployment, {
    hosts: { web: [new LocalHost({ slug: "web1" }), new LocalHost({ slug: "web2" })] },
  });
}

export default Root;

if (import.meta.main) await runCli(Root);
