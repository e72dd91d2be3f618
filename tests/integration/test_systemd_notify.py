"""preflightd's sd_notify messages, received on a notification socket as systemd would (Type=notify):
READY=1 once the milter listens, RELOADING=1 then READY=1 around a SIGHUP, WATCHDOG=1 pings while
WATCHDOG_USEC is set, STOPPING=1 on SIGTERM.

Run: python3 tests/integration/test_systemd_notify.py BUILD_DIR
"""
import os
import signal
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from maillab import MailLab, wait_port  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build")
CONFIG = """\
roles: [milter]
milter: {{socket: "inet:{milter_port}@127.0.0.1"}}
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}}}
"""
POLICY = """\
organisation: {internal_domains: [example.co.jp]}
rules:
  - {id: r, when: "recipients.external >= 50", action: bcc}
"""


class Notify(unittest.TestCase):
    def test_ready_reloading_watchdog_stopping(self):
        lab = MailLab(os.path.join(BUILD, "src", "bin", "preflightd"), CONFIG, POLICY)
        path = os.path.join(tempfile.mkdtemp(prefix="preflight-notify-"), "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(10)
        os.environ.update(NOTIFY_SOCKET=path, WATCHDOG_USEC="2000000")
        try:
            lab.start_preflightd(wait=False)
            self.assertEqual(self.next_state(sock), "READY=1")
            self.assertTrue(wait_port(lab.milter_port, timeout=1))  # READY means the milter listens
            self.assertEqual(self.next_state(sock, skip_watchdog=False), "WATCHDOG=1")
            lab.procs["preflightd"].send_signal(signal.SIGHUP)
            self.assertEqual(self.next_state(sock), "RELOADING=1")
            self.assertEqual(self.next_state(sock), "READY=1")
            lab.procs["preflightd"].send_signal(signal.SIGTERM)
            self.assertEqual(self.next_state(sock), "STOPPING=1")
            self.assertEqual(lab.stop_preflightd(), 0)
        finally:
            del os.environ["NOTIFY_SOCKET"], os.environ["WATCHDOG_USEC"]
            sock.close()
            lab.finish()

    @staticmethod
    def next_state(sock, skip_watchdog=True):
        """The first line of the next notification (skipping watchdog pings unless asked for them)."""
        deadline = time.time() + 10
        while time.time() < deadline:
            first = sock.recv(4096).decode().splitlines()[0]
            if not (skip_watchdog and first == "WATCHDOG=1"):
                return first
        return None


if __name__ == "__main__":
    unittest.main()
