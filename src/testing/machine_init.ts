/**
 * The two scripts that bring a test machine up (private to the machine fixture): the boot
 * script that runs in the machine's fresh mount and PID namespaces (mounts the overlay,
 * `/proc`, `/dev`, `/run`, then `chroot`s), and the init that runs as PID 1 inside.
 *
 * @module
 */

/** The line the init prints on stdout once sshd, supervisor and nginx run. */
export const READY_LINE = "deployer-machine-ready";

/** Where the init lives inside the machine (written into its writable layer). */
export const INIT_PATH = "/usr/local/sbin/deployer-init";

/**
 * Boot script, run by `/bin/sh -c` in the new namespaces with positional arguments
 * `lower upper work merged hostname`.
 */
export const BOOT_SCRIPT: string = `set -eu
lower=$1 upper=$2 work=$3 root=$4 name=$5
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$root"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=0755,size=8m,nosuid tmpfs "$root/dev"
for node in null zero full random urandom tty; do
  : >"$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m tmpfs "$root/run"
mount -t sysfs -o ro sysfs "$root/sys" 2>/dev/null || true
exec chroot "$root" /usr/bin/python3 ${INIT_PATH} "$name"
`;

/**
 * PID 1 of a machine (Python, which every machine has): sets the hostname, makes host keys
 * on first boot, starts sshd, supervisor and nginx through their init scripts, prints
 * {@linkcode READY_LINE}, reaps orphans, and on SIGTERM asks every process to stop (5 s) and exits.
 */
export const INIT_SCRIPT: string = `import os, signal, socket, subprocess, sys, time

class Stop(Exception):
    pass

def stop(signum, frame):
    raise Stop()

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
os.environ.clear()
os.environ.update(PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  LANG="C.UTF-8", HOME="/root")
os.chdir("/")
socket.sethostname(sys.argv[1])
with open("/etc/hostname", "w") as f:
    f.write(sys.argv[1] + "\\n")
log = open("/var/log/deployer-init.log", "a")
services = ["ssh", "supervisor", "nginx"]

def service(name, verb):
    code = subprocess.call(["/etc/init.d/" + name, verb], stdin=subprocess.DEVNULL,
                           stdout=log, stderr=log)
    log.write("%s %s: exit %d\\n" % (name, verb, code))
    log.flush()
    return code

try:
    subprocess.check_call(["ssh-keygen", "-A"], stdout=log, stderr=log)
    failed = [name for name in services if service(name, "start") != 0]
    if failed:
        print("deployer-machine-failed " + " ".join(failed), flush=True)
    else:
        print("${READY_LINE}", flush=True)
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            signal.pause()
except Stop:
    pass
signal.signal(signal.SIGTERM, signal.SIG_IGN)
# Like a shutdown: every other process of the machine gets SIGTERM, then 5 s to exit.
os.kill(-1, signal.SIGTERM)
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    try:
        if os.waitpid(-1, os.WNOHANG) == (0, 0):
            time.sleep(0.05)
    except ChildProcessError:
        break
sys.exit(0)
`;
