"""Attachments sent as download links (the policy action `detach`) through a real Postfix: the recipient
gets the notice without the attachment, the link page and its one-time POST yield the identical bytes
under the Japanese file name, a GET alone downloads nothing, the sender's revoke link and the expiry
(a short detach.expire after a policy reload) stop the link and delete the file, a partner domain in
except_domains keeps the attachment, hold + detach releases the rewritten mail, a size limit refuses.

Run: python3 tests/integration/test_detach.py BUILD_DIR   (as root; ctest does this)
"""
import email
import email.policy
import html
import os
import re
import signal
import sqlite3
import stat
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from maillab import MailLab  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build")

CONFIG = """\
milter: {{socket: "inet:{milter_port}@127.0.0.1", timeout: 60, memory_limit: 65536}}
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}}}
queue: {{reinject: "unix:{reinject_socket}", notice_from: preflight@example.co.jp, interval: 0.2, lease: 5}}
web: {{listen: "127.0.0.1:{web_port}", base_url: "http://127.0.0.1:{web_port}"}}
"""

POLICY = """\
organisation:
  internal_domains: [example.co.jp]
  detach:
    expire: {expire}
    max_file_size: 1000000
    downloads_per_minute: 30
    except_domains: [legacy.example.jp]
rules:
  - id: attachments-as-links
    description: "Attachments to outsiders leave as download links"
    when: 'message.subject contains "DETACH"'
    action: detach
  - id: hold-and-detach
    description: "Delay-send, and the attachments leave as links"
    when: 'message.subject contains "HOLDLINK"'
    action: {{type: hold, delay: 1s, detach: true}}
"""

SENDER = "taro@example.co.jp"
RCPT = "client@partner.example"
NAME = "見積書 2026年度.pdf"
PAYLOAD = b"%PDF-1.4\n" + os.urandom(150 * 1024) + b"\n%%EOF\n"  # crosses libmilter's 64 KiB body chunks


def attachment_mail(subject, payload=PAYLOAD, to=RCPT):
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"] = "Taro <%s>" % SENDER
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = "<%d@example.co.jp>" % time.time_ns()
    msg.set_content("お見積りをお送りします。\nPlease find the quote attached.\n")
    msg.add_attachment(payload, maintype="application", subtype="pdf", filename=NAME)
    return msg.as_bytes()


def request(url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def form_token(page):
    m = re.search(r'name="fetch" value="([^"]+)"', page.decode())
    return html.unescape(m.group(1)) if m else None


class DetachIntegration(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        cls.lab = MailLab(os.path.join(BUILD, "src/bin/preflightd"), CONFIG, POLICY.format(expire="1h")).start()
        cls.lab.wait_reinject()

    @classmethod
    def tearDownClass(cls):
        cls.lab.finish()

    def setUp(self):
        self.lab.ready()

    # --- helpers ---------------------------------------------------------------------------------
    def db(self, sql, *args):
        with sqlite3.connect(os.path.join(self.lab.state_dir, "preflight.db")) as db:
            return db.execute(sql, args).fetchall()

    def arrived(self, subject, rcpt, notice=None, timeout=30):
        """The transactions for `rcpt` whose Subject contains `subject` (notices of kind `notice` instead)."""
        deadline = time.time() + timeout
        while True:
            self.lab.flush()
            got = [m for m in self.lab.wait_for_sink(0, timeout=0.3) if rcpt in m.recipients and
                   m.message["X-Preflight-Notice"] == notice and subject in str(m.message["Subject"])]
            if got or time.time() > deadline:
                return got
            time.sleep(0.3)

    def detached_mail(self, subject, to=RCPT):
        code, text = self.lab.send(SENDER, [to], attachment_mail(subject, to=to))
        self.assertEqual(code, 250, text)
        got = self.arrived(subject, to)
        self.assertEqual(len(got), 1, self.lab.read(self.lab.log_file))
        return got[0]

    def texts(self, sink_mail):
        return "\n".join(p.get_content() for p in sink_mail.message.walk() if p.get_content_maintype() == "text")

    def links(self, sink_mail, kind):
        return sorted(set(re.findall(r"http://127\.0\.0\.1:%d/%s/[A-Za-z0-9_\-.]+" % (self.lab.web_port, kind),
                                     self.texts(sink_mail))))

    def latest_file(self):
        rows = self.db("SELECT id, state, downloads FROM detached ORDER BY rowid DESC LIMIT 1")
        return rows[0]

    def wait_for(self, what, timeout=15):
        deadline = time.time() + timeout
        while not what():
            self.assertLess(time.time(), deadline, "timed out")
            time.sleep(0.1)

    # --- tests ---------------------------------------------------------------------------------------
    def test_the_recipient_gets_the_notice_and_the_link_yields_the_identical_bytes(self):
        mail = self.detached_mail("DETACH quote")
        self.assertEqual(list(mail.message.iter_attachments()), [])
        self.assertEqual(mail.message.get_content_type(), "multipart/mixed")
        for part in mail.message.walk():
            self.assertEqual(part.defects, [], part)
        text = self.texts(mail)
        self.assertIn("Please find the quote attached.", text)
        self.assertIn("download links", text)
        self.assertIn(NAME, text)
        links = self.links(mail, "file")
        self.assertEqual(len(links), 1, text)
        file_id, state, downloads = self.latest_file()
        self.assertEqual((state, downloads), ("active", 0))
        path = os.path.join(self.lab.state_dir, "detached", file_id + ".bin")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 0o700)

        status, page, _ = request(links[0])  # what a link scanner does
        self.assertEqual(status, 200)
        self.assertIn(html.escape(NAME).encode(), page)
        self.assertEqual(self.latest_file()[2], 0, "a GET downloaded something")
        token = form_token(page)
        status, body, headers = request(links[0], {"fetch": token})
        self.assertEqual(status, 200)
        self.assertEqual(body, PAYLOAD)
        disposition = headers["Content-Disposition"]
        encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
        self.assertEqual(urllib.parse.unquote(encoded), NAME)
        self.assertEqual(request(links[0], {"fetch": token})[0], 403, "a form token works once")
        audit = self.db("SELECT action, address, comment FROM audit WHERE action = 'download' AND held_id = "
                        "(SELECT batch FROM detached WHERE id = ?)", file_id)
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0][1], "127.0.0.1")
        self.assertIn(NAME, audit[0][2])

    def test_the_senders_revoke_link_stops_the_link_and_deletes_the_file(self):
        mail = self.detached_mail("DETACH revoke me")
        link = self.links(mail, "file")[0]
        file_id = self.latest_file()[0]
        notice = self.arrived("DETACH revoke me", SENDER, notice="detached")
        self.assertEqual(len(notice), 1)
        revoke = self.links(notice[0], "revoke")
        self.assertEqual(len(revoke), 1, self.texts(notice[0]))
        early_token = form_token(request(link)[1])  # a download page opened before the revocation
        status, page, _ = request(revoke[0])
        self.assertEqual(status, 200)
        self.assertTrue(os.path.exists(os.path.join(self.lab.state_dir, "detached", file_id + ".bin")))
        status, _, _ = request(revoke[0], {"fetch": form_token(page)})
        self.assertEqual(status, 200)
        self.assertFalse(os.path.exists(os.path.join(self.lab.state_dir, "detached", file_id + ".bin")))
        self.assertEqual(request(link, {"fetch": early_token})[0], 410)
        self.assertIsNone(form_token(request(link)[1]), "the page of a revoked file offers no download")
        self.assertEqual(self.db("SELECT state FROM detached WHERE id = ?", file_id), [("revoked",)])
        actions = [a for (a,) in self.db("SELECT action FROM audit WHERE held_id = "
                                         "(SELECT batch FROM detached WHERE id = ?) ORDER BY seq", file_id)]
        self.assertEqual(actions, ["detach", "revoke"])

    def test_the_link_stops_working_after_the_configured_expiry(self):
        log_loaded = self.lab.read(self.lab.log_file).count("policy loaded")
        try:
            with open(self.lab.policy_file, "w") as f:
                f.write(POLICY.format(expire="2s"))
            self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
            self.wait_for(lambda: self.lab.read(self.lab.log_file).count("policy loaded") > log_loaded)
            mail = self.detached_mail("DETACH short-lived")
            link = self.links(mail, "file")[0]
            file_id = self.latest_file()[0]
            path = os.path.join(self.lab.state_dir, "detached", file_id + ".bin")
            self.wait_for(lambda: not os.path.exists(path))  # the scheduler's pass after the expiry
            self.assertEqual(self.db("SELECT state FROM detached WHERE id = ?", file_id), [("expired",)])
            status, page, _ = request(link)
            self.assertEqual(status, 403)
            self.assertIn("expired".encode(), page)
        finally:
            with open(self.lab.policy_file, "w") as f:
                f.write(POLICY.format(expire="1h"))
            loaded = self.lab.read(self.lab.log_file).count("policy loaded")
            self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
            self.wait_for(lambda: self.lab.read(self.lab.log_file).count("policy loaded") > loaded)

    def test_a_partner_in_except_domains_keeps_the_attachment(self):
        mail = self.detached_mail("DETACH legacy partner", to="old@legacy.example.jp")
        attachments = list(mail.message.iter_attachments())
        self.assertEqual(len(attachments), 1)
        self.assertEqual(attachments[0].get_content(), PAYLOAD)
        self.assertIn("detach-skipped=except_domains", self.lab.read(self.lab.log_file))

    def test_hold_with_detach_releases_the_mail_as_links(self):
        mail = self.detached_mail("HOLDLINK delayed")
        self.assertEqual(list(mail.message.iter_attachments()), [])
        link = self.links(mail, "file")[0]
        page = request(link)[1]
        self.assertEqual(request(link, {"fetch": form_token(page)})[1], PAYLOAD)

    def test_an_attachment_over_the_size_limit_is_refused_with_a_reason(self):
        code, text = self.lab.send(SENDER, [RCPT], attachment_mail("DETACH too big", payload=os.urandom(1_100_000)))
        self.assertEqual(code, 550, text)
        self.assertIn("too large", text)
        self.assertEqual(self.db("SELECT COUNT(*) FROM detached WHERE size > 1000000"), [(0,)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
