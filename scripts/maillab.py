"""A private mail lab on loopback: a real Postfix (own config and queue directories), an SMTP sink that
keeps every transaction as a file, and preflightd wired in as Postfix's milter.

Used by the integration tests and by `scripts/run.sh --demo`. Needs root (Postfix drops to its
`postfix` user) and Debian's postfix package. Everything lives below one directory; stop() ends every
process it started.
"""
import email
import email.policy
import glob
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time

POSTFIX_SERVICES = """\
{smtpd_port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
preflight-reinject unix n - n - - smtpd
  -o smtpd_milters= -o content_filter= -o smtpd_recipient_limit=1000
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o mynetworks=127.0.0.0/8 -o smtpd_client_restrictions=permit_mynetworks,reject
"""

# A second smtpd for mail that comes in (inbound=True): it names itself "inbound" to milters, so preflightd
# with milter.learn_daemons: [inbound] learns from its mail and never checks it, and it accepts mail when
# preflightd does not answer (default_action=accept for this listener only).
INBOUND_SERVICE = """\
{inbound_port} inet n - n - - smtpd
  -o milter_macro_daemon_name=inbound
  -o {{ smtpd_milters = {{ inet:127.0.0.1:{milter_port}, default_action=accept }} }}
"""

POSTFIX_MAIN = """\
compatibility_level = 3.6
queue_directory = {root}/postfix/queue
data_directory = {root}/postfix/data
mail_owner = postfix
setgid_group = postdrop
myhostname = gateway.preflight.test
mydomain = preflight.test
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
relay_domains =
relayhost = [127.0.0.1]:{sink_port}
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
disable_dns_lookups = yes
smtp_dns_support_level = disabled
smtpd_milters = {smtpd_milters}
milter_default_action = tempfail
milter_protocol = 6
maillog_file = {root}/postfix/maillog
maillog_file_prefixes = {root}
message_size_limit = 52428800
smtpd_recipient_limit = 10000
alias_maps =
alias_database =
biff = no
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def wait_unix(path, timeout=15.0):
    """Waits until something accepts connections on the unix socket `path`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(path)
                return True
        except OSError:
            time.sleep(0.1)
    return False


def make_socket_dir(path):
    """A directory for a milter socket as packaging makes it: group postfix, setgid, 2750, so that the socket
    belongs to group postfix (preflightd makes it 0660) and only Postfix's daemons reach it."""
    os.makedirs(path, exist_ok=True)
    shutil.chown(path, "root", "postfix")
    os.chmod(path, 0o2750)


class SinkMail:
    """One transaction the sink received: envelope and the parsed message."""

    def __init__(self, path):
        with open(path, "rb") as f:
            raw = f.read()
        self.path = path
        self.sender = None
        self.recipients = []
        self.mail_args = ""   # the whole MAIL FROM argument: "<a@b> BODY=8BITMIME RET=HDRS ..."
        self.rcpt_args = []   # the whole RCPT TO argument of each recipient
        # smtp-sink writes X-Client-*, X-Helo-Args, X-Mail-Args and X-Rcpt-Args lines, then the message
        lines = raw.split(b"\n")
        i = 0
        envelope = (b"X-Client-Addr:", b"X-Client-Proto:", b"X-Helo-Args:", b"X-Mail-Args:", b"X-Rcpt-Args:")
        while i < len(lines) and lines[i].startswith(envelope):
            name, _, value = lines[i].decode("utf-8", "replace").strip().partition(":")
            first = value.strip().split(" ")[0].strip("<>")
            if name == "X-Mail-Args":
                self.sender = first
                self.mail_args = value.strip()
            elif name == "X-Rcpt-Args":
                self.recipients.append(first)
                self.rcpt_args.append(value.strip())
            i += 1
        self.raw = b"\n".join(lines[i:])
        self.message = email.message_from_bytes(self.raw, policy=email.policy.default)


class MailLab:
    def __init__(self, preflightd, config_yaml, policy_yaml, root=None, ports=None, inbound=False, unix_milter=False):
        self.preflightd = preflightd
        if root:
            os.makedirs(root, exist_ok=True)
        self.root = os.path.abspath(root) if root else tempfile.mkdtemp(prefix="preflight-lab-")
        os.chmod(self.root, 0o755)  # Postfix and smtp-sink run as `postfix` and must reach their dirs
        ports = ports or {}
        self.smtpd_port = ports.get("smtpd") or free_port()
        self.sink_port = ports.get("sink") or free_port()
        self.milter_port = ports.get("milter") or free_port()
        self.reinject_port = ports.get("reinject") or free_port()  # unused: re-injection is a unix socket
        self.web_port = ports.get("web") or free_port()
        self.inbound_port = (ports.get("inbound") or free_port()) if inbound else None
        self.procs = {}
        # What Postfix's smtpd_milters names: preflightd on its TCP port unless the caller changes it before
        # start_postfix() (the benchmark points it at a unix socket, another milter, or nothing).
        self.smtpd_milters = "inet:127.0.0.1:%d" % self.milter_port
        # unix_milter: preflightd listens on {milter_socket}, in a directory of group postfix as packaging sets
        # it up (setgid, 2750), and Postfix connects there.
        self.milter_socket = os.path.join(self.root, "milter", "milter.sock") if unix_milter else None
        if self.milter_socket:
            make_socket_dir(os.path.dirname(self.milter_socket))
            self.smtpd_milters = "unix:" + self.milter_socket
        self.main_cf_extra = ""  # main.cf lines a caller adds before start_postfix() (the benchmark's limits)
        self.postfix_dir = os.path.join(self.root, "postfix")
        self.sink_dir = os.path.join(self.root, "sink")
        self.state_dir = os.path.join(self.root, "state")
        # Postfix makes an unprivileged ("n") unix service's socket in queue/public, which only root and the
        # postdrop group may enter: no other local user can hand mail to the listener without milters.
        self.reinject_socket = os.path.join(self.postfix_dir, "queue", "public", "preflight-reinject")
        self.log_file = os.path.join(self.root, "preflightd.log")
        self.config_file = os.path.join(self.root, "preflight.yaml")
        self.policy_file = os.path.join(self.root, "policy.yaml")
        with open(self.policy_file, "w") as f:
            f.write(policy_yaml)
        with open(self.config_file, "w") as f:
            f.write(config_yaml.format(milter_port=self.milter_port, milter_socket=self.milter_socket,
                                       state_dir=self.state_dir,
                                       policy=self.policy_file, log=self.log_file,
                                       reinject_port=self.reinject_port, web_port=self.web_port,
                                       reinject_socket=self.reinject_socket))

    # --- processes -------------------------------------------------------------------------------
    def start(self):
        self.start_sink()
        self.start_preflightd()
        self.start_postfix()
        return self

    def start_sink(self):
        os.makedirs(self.sink_dir, exist_ok=True)
        shutil.chown(self.sink_dir, "postfix", "postfix")
        self.procs["sink"] = subprocess.Popen(
            ["smtp-sink", "-u", "postfix", "-d", os.path.join(self.sink_dir, "%Y%m%d%H%M%S."),
             "127.0.0.1:%d" % self.sink_port, "100"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.root, "sink.log"), "ab"))
        if not wait_port(self.sink_port):
            raise RuntimeError("smtp-sink did not start")

    def start_preflightd(self, wait=True):
        self.procs["preflightd"] = subprocess.Popen(
            [self.preflightd, "--config", self.config_file],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.root, "preflightd.stderr"), "ab"))
        if wait and not (wait_unix(self.milter_socket) if self.milter_socket else wait_port(self.milter_port)):
            raise RuntimeError("preflightd did not start: " + self.read(self.log_file) +
                               self.read(os.path.join(self.root, "preflightd.stderr")))

    def wait_reinject(self, timeout=15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.reinject_socket)
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("postfix re-injection listener did not open " + self.reinject_socket)

    def stop_preflightd(self, sig=signal.SIGTERM):
        p = self.procs.pop("preflightd", None)
        if p and p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return p.returncode if p else None

    def start_postfix(self):
        os.makedirs(os.path.join(self.postfix_dir, "queue"), exist_ok=True)
        os.makedirs(os.path.join(self.postfix_dir, "data"), exist_ok=True)
        shutil.chown(os.path.join(self.postfix_dir, "data"), "postfix", "postfix")
        with open(os.path.join(self.postfix_dir, "main.cf"), "w") as f:
            f.write(POSTFIX_MAIN.format(root=self.root, sink_port=self.sink_port, smtpd_milters=self.smtpd_milters))
            f.write(self.main_cf_extra)
        with open(os.path.join(self.postfix_dir, "master.cf"), "w") as f:
            f.write(POSTFIX_SERVICES.format(smtpd_port="127.0.0.1:%d" % self.smtpd_port))
            if self.inbound_port:
                f.write(INBOUND_SERVICE.format(inbound_port="127.0.0.1:%d" % self.inbound_port,
                                               milter_port=self.milter_port))
        for cmd in (["postfix", "-c", self.postfix_dir, "check"], ["postfix", "-c", self.postfix_dir, "start"]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError("%s failed: %s%s%s" % (" ".join(cmd), r.stdout, r.stderr,
                                                          self.read(os.path.join(self.postfix_dir, "maillog"))))
        for port in filter(None, (self.smtpd_port, self.inbound_port)):
            if not wait_port(port):
                raise RuntimeError("postfix smtpd did not open port %d: %s" %
                                   (port, self.read(os.path.join(self.postfix_dir, "maillog"))))

    def stop(self):
        subprocess.run(["postfix", "-c", self.postfix_dir, "stop"], capture_output=True)
        self.stop_preflightd()
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        self.procs.clear()

    def remove(self):
        """Deletes the lab directory (after stop)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def finish(self):
        """Stops everything; deletes the lab unless PREFLIGHT_KEEP_LAB is set (to look at it after a failure)."""
        self.stop()
        if os.environ.get("PREFLIGHT_KEEP_LAB"):
            print("lab kept in", self.root)
        else:
            self.remove()

    def ready(self):
        """Before each test: preflightd running, Postfix's queue drained, the sink empty."""
        if "preflightd" not in self.procs:
            self.start_preflightd()
        self.wait_queue_empty()
        self.clear_sink()

    # --- mail ------------------------------------------------------------------------------------
    def send(self, sender, recipients, raw, port=None, mail_options=(), rcpt_options=()):
        """Sends over SMTP to Postfix (the outgoing listener unless `port` is given); returns (code, text) of
        the final answer (DATA or earlier refusal). The options are ESMTP parameters of MAIL FROM and of
        every RCPT TO."""
        with smtplib.SMTP("127.0.0.1", port or self.smtpd_port, timeout=120) as s:
            s.ehlo("client.preflight.test")
            code, text = s.mail(sender, list(mail_options))
            if code >= 400:
                return code, text.decode("utf-8", "replace")
            for r in recipients:
                code, text = s.rcpt(r, [o.replace("{rcpt}", r) for o in rcpt_options])
                if code >= 400:
                    return code, text.decode("utf-8", "replace")
            code, text = s.data(raw)
            return code, text.decode("utf-8", "replace")

    def flush(self):
        subprocess.run(["postfix", "-c", self.postfix_dir, "flush"], capture_output=True)

    def sink_files(self):
        return sorted(glob.glob(os.path.join(self.sink_dir, "*")))

    def wait_for_sink(self, count, timeout=30.0):
        """Waits until the sink holds at least `count` transactions; returns them all."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            files = self.sink_files()
            if len(files) >= count:
                time.sleep(0.3)  # let smtp-sink finish writing the last file
                return [SinkMail(p) for p in self.sink_files()]
            time.sleep(0.2)
        return [SinkMail(p) for p in self.sink_files()]

    def queue(self):
        """Postfix's queue as a list of JSON lines (postqueue -j)."""
        r = subprocess.run(["postqueue", "-c", self.postfix_dir, "-j"], capture_output=True, text=True)
        return [line for line in r.stdout.splitlines() if line.strip()]

    def wait_queue_empty(self, timeout=60.0):
        """Flushes and waits until Postfix has delivered (or dropped) everything it holds."""
        deadline = time.time() + timeout
        while time.time() < deadline and self.queue():
            self.flush()
            time.sleep(0.3)
        time.sleep(0.3)  # the sink may still be writing the last transaction

    def clear_sink(self):
        for p in self.sink_files():
            os.unlink(p)

    @staticmethod
    def read(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""
