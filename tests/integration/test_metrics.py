"""/metrics of a running preflightd behind a real Postfix: the counters a mail and a refused SIGHUP reload
leave, the bearer token, and Debian's promtool accepting the exposition.

Run: python3 tests/integration/test_metrics.py BUILD_DIR   (as root; ctest does this)
"""
import os
import re
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from maillab import MailLab, free_port, wait_port  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build")
TOKEN = "scrape-token-0123456789"

CONFIG = """\
milter: {{socket: "inet:{milter_port}@127.0.0.1"}}
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}}}
queue: {{reinject: "unix:{reinject_socket}", interval: 0.2}}
web: {{listen: "127.0.0.1:{web_port}", base_url: "http://127.0.0.1:{web_port}"}}
metrics: {{listen: "127.0.0.1:METRICS_PORT", token_file: token}}
"""

POLICY = """\
organisation:
  internal_domains: [example.co.jp]
rules:
  - id: visible-external-to-bcc
    when: "recipients.visible_external >= 2"
    action: bcc
  - id: watch-partner
    when: 'recipients.external_addresses matches "*@partner.example.com"'
    mode: monitor
    action: {type: tag, tag: watched}
"""


def message(to):
    return ("From: Taro <taro@example.co.jp>\r\nTo: %s\r\nSubject: metrics\r\n"
            "Message-ID: <%d@example.co.jp>\r\n\r\nHello.\r\n" % (", ".join(to), time.time_ns())).encode()


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.lab = MailLab(os.path.join(BUILD, "src", "bin", "preflightd"),
                          CONFIG.replace("METRICS_PORT", str(cls.port)), POLICY)
        with open(os.path.join(cls.lab.root, "token"), "w") as f:
            f.write(TOKEN + "\n")
        cls.lab.start()
        if not wait_port(cls.port):
            raise RuntimeError("no metrics listener: " + cls.lab.read(cls.lab.log_file))

    @classmethod
    def tearDownClass(cls):
        cls.lab.finish()

    def scrape(self, token=TOKEN):
        req = urllib.request.Request("http://127.0.0.1:%d/metrics" % self.port)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertTrue(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
            return r.read().decode()

    def value(self, text, series):
        m = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
        return float(m.group(1)) if m else None

    def wait_log(self, needle, count=1):
        deadline = time.time() + 20
        while time.time() < deadline and self.lab.read(self.lab.log_file).count(needle) < count:
            time.sleep(0.05)
        self.assertGreaterEqual(self.lab.read(self.lab.log_file).count(needle), count, needle)

    def test_a_mail_a_refused_reload_and_promtool(self):
        for token in (None, "wrong-token-0123456789"):
            with self.assertRaises(urllib.error.HTTPError) as e:
                self.scrape(token)
            self.assertEqual(e.exception.code, 401)
        before = self.scrape()
        self.assertEqual(self.value(before, 'preflight_policy_reloads_total{result="success"}'), 1)
        self.assertEqual(self.value(before, "preflight_end_of_message_seconds_count"), 0)

        to = ["a@partner.example.com", "b@partner.example.com"]
        code, text = self.lab.send("taro@example.co.jp", to, message(to))
        self.assertEqual(code, 250, text)
        self.lab.wait_for_sink(1)
        # an empty policy file (a truncated edit) is refused on SIGHUP; the old policy stays
        with open(self.lab.policy_file, "w"):
            pass
        self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
        self.wait_log("policy not loaded")
        self.assertIn("the file is empty", self.lab.read(self.lab.log_file))
        self.lab.clear_sink()
        code, text = self.lab.send("taro@example.co.jp", to, message(to))
        self.assertEqual(code, 250, text)
        self.assertEqual(self.lab.wait_for_sink(1)[0].message.get_all("To"), ["undisclosed-recipients:;"])

        after = self.scrape()
        self.assertEqual(self.value(after, 'preflight_messages_total{action="bcc",mode="enforce"}'), 2)
        self.assertEqual(self.value(after, 'preflight_messages_total{action="tag",mode="monitor"}'), 2)
        self.assertEqual(self.value(after, 'preflight_rule_matches_total{rule="visible-external-to-bcc",mode="enforce"}'), 2)
        self.assertEqual(self.value(after, 'preflight_rule_matches_total{rule="watch-partner",mode="monitor"}'), 2)
        self.assertEqual(self.value(after, "preflight_end_of_message_seconds_count"), 2)
        self.assertGreater(self.value(after, "preflight_end_of_message_seconds_sum"), 0)
        self.assertEqual(self.value(after, 'preflight_policy_reloads_total{result="failure"}'), 1)
        self.assertEqual(self.value(after, 'preflight_held_messages{state="held"}'), 0)
        self.assertEqual(self.value(after, "preflight_outbox_notices"), 0)
        self.assertEqual(self.value(after, "preflight_store_errors_total"), 0)
        self.assertIsNotNone(self.value(after, "preflight_policy_last_reload_success_timestamp_seconds"))
        r = subprocess.run(["promtool", "check", "metrics"], input=after, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout + r.stderr, "")  # not even a lint remark


if __name__ == "__main__":
    unittest.main()
