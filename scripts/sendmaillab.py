"""A private Sendmail 8.17 on loopback for the Sendmail integration test, beside maillab.py's SMTP sink.

Debian's sendmail-bin conflicts with the installed Postfix, so Sendmail is never installed: its packages
are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a private root
(/var/cache/preflight-test/sendmail, or $PREFLIGHT_SENDMAIL_ROOT). Each listener gets a .cf built with m4
from sendmail-cf, its own queue directory, a loopback port, and relays everything to the sink.

    python3 scripts/sendmaillab.py --fetch     # fetch and unpack (scripts/setup.sh does this)

Needs root: Sendmail runs as root, and each listener runs in its own UTS namespace (unshare --uts) whose
host name is fully qualified, because Sendmail sleeps a minute at start on a host with a short name.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PACKAGES = ["sendmail-bin", "sendmail-cf", "sendmail-base"]
DEFAULT_ROOT = "/var/cache/preflight-test/sendmail"
HOSTNAME = "gateway.preflight.test"
BINARY = "usr/libexec/sendmail/sendmail"
CF_DIR = "usr/share/sendmail/cf"

# The .mc of one listener. No DNS (hosts from /etc/hosts only, no canonification, unresolvable sender
# domains accepted), no interfaces probed, a fixed $j; every recipient relays to the sink. Mail from
# 127.0.0.1 may relay by Sendmail's default rules. {milter} is packaging/sendmail/sendmail.mc.snippet
# (INPUT_MAIL_FILTER and the macro lists), or nothing for the listener without the filter.
MC = """\
divert(-1)
divert(0)dnl
OSTYPE(`linux')dnl
define(`confDOMAIN_NAME', `{hostname}')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confDONT_BLAME_SENDMAIL', `GroupWritableDirPathSafe')dnl
define(`QUEUE_DIR', `{dir}/queue')dnl
define(`confPID_FILE', `{dir}/sendmail.pid')dnl
define(`STATUS_FILE', `{dir}/statistics')dnl
define(`confSERVICE_SWITCH_FILE', `{dir}/service.switch')dnl
define(`confHOSTS_FILE', `/etc/hosts')dnl
define(`HELP_FILE', `{root}/etc/mail/helpfile')dnl
define(`ALIAS_FILE', `')dnl
define(`confHOST_STATUS_DIRECTORY', `')dnl
define(`confDEAD_LETTER_DROP', `')dnl
define(`confTO_IDENT', `0s')dnl
define(`SMART_HOST', `relay:[127.0.0.1]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h {sink_port}')dnl
FEATURE(`no_default_msa')dnl
FEATURE(`nocanonify')dnl
FEATURE(`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(`Port={port}, Addr=127.0.0.1, Family=inet, Name={name}')dnl
{milter}MAILER(`smtp')dnl
"""

SNIPPET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "packaging", "sendmail",
                       "sendmail.mc.snippet")


def milter_lines(milter_port):
    """The shipped sendmail.mc lines, pointed at this lab's preflightd."""
    with open(SNIPPET) as f:
        text = f.read()
    if "S=inet:8891@127.0.0.1" not in text:
        raise RuntimeError(SNIPPET + " no longer names inet:8891@127.0.0.1")
    return text.replace("S=inet:8891@127.0.0.1", "S=inet:%d@127.0.0.1" % milter_port)


def sendmail_root():
    return os.environ.get("PREFLIGHT_SENDMAIL_ROOT", DEFAULT_ROOT)


def _download(into):
    cmd = ["apt-get", "download"] + PACKAGES
    r = subprocess.run(cmd, cwd=into, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:  # a fresh machine may have no package lists yet
        subprocess.run(["apt-get", "update"], capture_output=True, stdin=subprocess.DEVNULL)
        r = subprocess.run(cmd, cwd=into, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError("apt-get download %s failed: %s%s" % (" ".join(PACKAGES), r.stdout, r.stderr))


def fetch(root=None):
    """Unpacks Sendmail into `root` unless it is there already; returns the root."""
    root = root or sendmail_root()
    if os.path.exists(os.path.join(root, BINARY)) and os.path.isdir(os.path.join(root, CF_DIR)):
        return root
    parent = os.path.dirname(os.path.abspath(root))
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix="sendmail-", dir=parent)
    try:
        debs = os.path.join(work, "debs")
        os.makedirs(debs)
        os.chmod(work, 0o755)
        try:
            shutil.chown(debs, "_apt")  # apt downloads as _apt when it may write there
        except (LookupError, PermissionError):
            pass
        _download(debs)
        tree = os.path.join(work, "root")
        for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
            subprocess.run(["dpkg-deb", "-x", deb, tree], check=True)
        shutil.rmtree(root, ignore_errors=True)
        os.rename(tree, root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return root


def version(root):
    r = subprocess.run([os.path.join(root, BINARY), "-d0.1", "-bt", "-C", "/dev/null"], input="",
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("Version "):
            return line.split()[1]
    raise RuntimeError("cannot run %s: %s%s" % (BINARY, r.stdout, r.stderr))


class Listener:
    """One `sendmail -bD` on 127.0.0.1:port, with or without preflightd as its input mail filter."""

    def __init__(self, root, directory, name, port, sink_port, milter_port=None):
        self.root, self.dir, self.name, self.port = root, directory, name, port
        self.queue_dir = os.path.join(directory, "queue")
        self.cf = os.path.join(directory, "sendmail.cf")
        self.trace = os.path.join(directory, "smtp.trace")
        os.makedirs(self.queue_dir, exist_ok=True)
        os.chmod(self.queue_dir, 0o700)  # Sendmail refuses a queue others may write to
        with open(os.path.join(directory, "service.switch"), "w") as f:
            f.write("hosts files\naliases files\n")
        milter = milter_lines(milter_port) if milter_port else ""
        mc = MC.format(hostname=HOSTNAME, dir=directory, root=root, sink_port=sink_port, port=port,
                       name=name, milter=milter)
        with open(os.path.join(directory, "sendmail.mc"), "w") as f:
            f.write(mc)
        cf_dir = os.path.join(root, CF_DIR)
        r = subprocess.run(["m4", "-D_CF_DIR_=%s/" % cf_dir, os.path.join(cf_dir, "m4", "cf.m4"),
                            os.path.join(directory, "sendmail.mc")], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("m4 failed for %s: %s" % (name, r.stderr))
        with open(self.cf, "w") as f:
            f.write(r.stdout)
        self.proc = None

    def start(self):
        # -bD: daemon in the foreground; -X: every SMTP line of the listener, for a failure's message.
        command = "hostname %s && exec %s -bD -C %s -X %s" % (HOSTNAME, os.path.join(self.root, BINARY),
                                                               self.cf, self.trace)
        self.proc = subprocess.Popen(["unshare", "--uts", "sh", "-c", command], start_new_session=True,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "stderr"), "ab"))

    def stop(self):
        if not self.proc:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the daemon and the children it forked
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def queued(self):
        """Messages Sendmail still holds (its qf files)."""
        return glob.glob(os.path.join(self.queue_dir, "qf*"))

    def wait_queue_empty(self, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline and self.queued():
            time.sleep(0.2)
        return not self.queued()

    def errors(self):
        out = []
        for path in (os.path.join(self.dir, "stderr"), self.trace):
            try:
                with open(path, errors="replace") as f:
                    out.append(f.read()[-4000:])
            except OSError:
                pass
        return "\n".join(out)


if __name__ == "__main__":
    if sys.argv[1:] != ["--fetch"]:
        sys.exit("usage: sendmaillab.py --fetch")
    where = fetch()
    print("sendmail %s in %s" % (version(where), where))
