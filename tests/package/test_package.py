"""The Debian package on this machine: built with scripts/package.sh (lintian clean), installed with dpkg -i,
the installed preflightd started from the installed files as the preflight user behind a private Postfix,
then removed (dpkg -r: programs gone, state kept) and purged (dpkg -P: state, configuration and user gone).

Run: python3 tests/package/test_package.py   (as root, on a machine where preflight may be installed and
removed; ctest does this). No systemd runs as PID 1 in CI: the unit is checked by systemd-analyze verify.
"""
import grp
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from maillab import MailLab, free_port, wait_port, wait_unix  # noqa: E402

UNIT = "/lib/systemd/system/preflightd.service"
SOCKET = "/var/spool/postfix/preflight/package-test.sock"
# setpriv execs preflightd itself as the preflight user with its groups (runuser would stay its parent and
# turn a SIGTERM into a killed session)
AS_PREFLIGHT = ["setpriv", "--reuid=preflight", "--regid=preflight", "--init-groups", "--"]
DOMAIN_LINE = re.compile(r"^  internal_domains: \[\].*$", re.M)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def installed():
    r = run(["dpkg-query", "-W", "-f=${Status}", "preflight"])
    return r.returncode == 0 and "installed" in r.stdout and "not-installed" not in r.stdout


def conffiles():
    r = run(["dpkg-query", "-W", "-f=${Conffiles}", "preflight"])
    return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if installed() or run(["dpkg-query", "-W", "preflight"]).returncode == 0:
            run(["dpkg", "-P", "preflight"])  # a package left by an earlier run
        cls.deb = os.environ.get("PREFLIGHT_DEB")  # a package built (and lintian-checked) before: not again
        if not cls.deb:
            r = run([os.path.join(ROOT, "scripts", "package.sh")])
            if r.returncode != 0:
                raise RuntimeError("scripts/package.sh failed:\n" + r.stdout + r.stderr)
            cls.deb = r.stdout.strip().splitlines()[-1]

    def test_package(self):
        self.assertRegex(os.path.basename(self.deb), r"^preflight_[0-9.]+_amd64\.deb$")
        self.install()
        self.check_files()
        self.check_refuses_without_internal_domains()
        self.check_unit()
        self.check_answers_mail()
        self.check_remove()
        self.check_purge()

    def install(self):
        r = run(["dpkg", "-i", self.deb])
        if r.returncode != 0:  # dependencies missing: apt brings them and finishes the configuration
            r = run(["apt-get", "-f", "install", "-y"], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(installed())

    def check_files(self):
        for path in ("/usr/sbin/preflightd", "/usr/bin/preflightctl"):
            self.assertTrue(os.access(path, os.X_OK), path)
        for page in ("man8/preflightd.8.gz", "man8/preflightctl.8.gz", "man5/preflight.yaml.5.gz"):
            self.assertTrue(os.path.exists("/usr/share/man/" + page), page)
        self.assertEqual(set(conffiles()) >= {"/etc/preflight/preflight.yaml",
                                               "/etc/preflight/policies.d/default.yaml",
                                               "/etc/logrotate.d/preflight"}, True, conffiles())
        user = pwd.getpwnam("preflight")
        self.assertLess(user.pw_uid, 1000)  # a system user
        self.assertEqual(grp.getgrgid(user.pw_gid).gr_name, "preflight")
        st = os.stat("/var/lib/preflight")
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o700, user.pw_uid))
        st = os.stat("/var/spool/postfix/preflight")
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid), (0o750, user.pw_uid, user.pw_gid))
        self.assertIn("postfix", grp.getgrnam("preflight").gr_mem)
        self.assertIn("preflight", grp.getgrnam("postdrop").gr_mem)
        with open("/etc/preflight/policies.d/default.yaml") as f:
            self.assertRegex(f.read(), DOMAIN_LINE)

    def check_refuses_without_internal_domains(self):
        r = run(AS_PREFLIGHT + ["/usr/sbin/preflightd",
                 "--config", "/etc/preflight/preflight.yaml"], timeout=30)
        self.assertEqual(r.returncode, 78, r.stdout + r.stderr)
        self.assertIn("organisation.internal_domains is empty", r.stderr)
        self.assertIn("/etc/preflight/policies.d/default.yaml", r.stderr)

    def check_unit(self):
        r = run(["systemd-analyze", "verify", UNIT])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(UNIT) as f:
            unit = f.read()
        for line in ("Type=notify", "WatchdogSec=", "ProtectSystem=strict", "NoNewPrivileges=yes",
                     "PrivateTmp=yes", "ProtectHome=yes", "RestrictAddressFamilies=", "UMask=0077",
                     "SystemCallFilter=@system-service", "StateDirectoryMode=0700", "ReadWritePaths="):
            self.assertIn(line, unit)

    def check_answers_mail(self):
        """The installed programs and files, with internal_domains set in a copy of the installed policy,
        listening on the unix socket in /var/spool/postfix/preflight that Postfix reaches as a member of
        preflight's group."""
        work = tempfile.mkdtemp(prefix="preflight-package-")
        os.chmod(work, 0o755)
        with open("/etc/preflight/policies.d/default.yaml") as f:
            policy = DOMAIN_LINE.sub("  internal_domains: [example.co.jp]", f.read())
        lab = MailLab("/usr/sbin/preflightd", "", policy, root=os.path.join(work, "lab"))
        with open("/etc/preflight/preflight.yaml") as f:
            config = f.read()
        web_port = free_port()
        config = (config.replace("socket: inet:8891@127.0.0.1", "socket: unix:" + SOCKET)
                  .replace("/etc/preflight/policies.d/default.yaml", lab.policy_file)
                  .replace("/var/spool/postfix/public/preflight-reinject", lab.reinject_socket)
                  .replace("127.0.0.1:8025", "127.0.0.1:%d" % web_port))
        self.assertIn(SOCKET, config)
        config_file = os.path.join(work, "preflight.yaml")
        with open(config_file, "w") as f:
            f.write(config)
        os.chmod(lab.policy_file, 0o644)
        daemon = None
        try:
            lab.start_sink()
            daemon = subprocess.Popen(AS_PREFLIGHT + ["/usr/sbin/preflightd",
                                       "--config", config_file],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.assertTrue(wait_unix(SOCKET, timeout=20.0), "preflightd did not listen on " + SOCKET)
            st = os.stat(SOCKET)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
            self.assertEqual(grp.getgrgid(st.st_gid).gr_name, "preflight")
            self.assertTrue(wait_port(web_port))
            lab.start_postfix()
            r = run(["postconf", "-c", lab.postfix_dir, "-e", "smtpd_milters=unix:" + SOCKET])
            self.assertEqual(r.returncode, 0, r.stderr)
            run(["postfix", "-c", lab.postfix_dir, "reload"])
            raw = ("From: Taro <taro@example.co.jp>\r\nTo: hanako@example.co.jp\r\nSubject: package\r\n"
                   "Message-ID: <package-test@example.co.jp>\r\n\r\nHello.\r\n").encode()
            code, text = lab.send("taro@example.co.jp", ["hanako@example.co.jp"], raw)
            self.assertEqual(code, 250, text)
            mails = lab.wait_for_sink(1)
            self.assertEqual(len(mails), 1)
            self.assertEqual(mails[0].message["X-Preflight-Verdict"], "accept")
            self.assertTrue(os.path.exists("/var/lib/preflight/preflight.db"))
            self.assertEqual(stat.S_IMODE(os.stat("/var/lib/preflight/preflight.db").st_mode), 0o600)
        finally:
            if daemon:
                daemon.terminate()
                try:
                    _, err = daemon.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    _, err = daemon.communicate()
                print(err[-3000:], file=sys.stderr)
            lab.stop()
            shutil.rmtree(work, ignore_errors=True)
        self.assertEqual(daemon.returncode, 0)

    def check_remove(self):
        files = run(["dpkg", "-L", "preflight"]).stdout.split()
        kept = set(conffiles())
        r = run(["dpkg", "-r", "preflight"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        left = [p for p in files if p not in kept and os.path.isfile(p)]
        self.assertEqual(left, [])
        self.assertFalse(os.path.exists("/usr/sbin/preflightd"))
        self.assertTrue(os.path.isdir("/var/lib/preflight"))  # held mail survives a removal
        self.assertTrue(os.path.exists("/etc/preflight/preflight.yaml"))
        self.assertEqual(run(["pgrep", "-u", "preflight"]).stdout, "")

    def check_purge(self):
        r = run(["dpkg", "-P", "preflight"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for path in ("/var/lib/preflight", "/etc/preflight", "/var/spool/postfix/preflight", "/var/log/preflight"):
            self.assertFalse(os.path.exists(path), path)
        self.assertRaises(KeyError, pwd.getpwnam, "preflight")
        self.assertRaises(KeyError, grp.getgrnam, "preflight")
        self.assertNotIn("preflight", grp.getgrnam("postdrop").gr_mem)
        self.assertEqual(run(["dpkg-query", "-W", "preflight"]).returncode, 1)


if __name__ == "__main__":
    unittest.main()
