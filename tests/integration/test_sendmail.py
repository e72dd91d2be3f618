"""preflightd inside a real Sendmail 8.17, delivering to maillab.py's SMTP sink: a tagged mail, the To/Cc ->
Bcc rewrite (header by header as delivered), a held mail approved and released to a second Sendmail
listener that has no filter, a reject, and the queue id Sendmail gives the milter.

Sendmail is unpacked into a private root (scripts/sendmaillab.py; scripts/setup.sh fetches it).
Run: python3 tests/integration/test_sendmail.py BUILD_DIR   (as root; ctest does this)
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from maillab import MailLab, free_port, wait_port  # noqa: E402
import sendmaillab  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build")

# The release goes to the second Sendmail listener by host:port ({reinject_port}).
CONFIG = """\
milter: {{socket: "inet:{milter_port}@127.0.0.1", timeout: 60, memory_limit: 65536}}
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}}}
queue: {{reinject: "127.0.0.1:{reinject_port}", notice_from: preflight@example.co.jp, interval: 0.2, lease: 5}}
web: {{listen: "127.0.0.1:{web_port}", base_url: "http://127.0.0.1:{web_port}"}}
"""

POLICY = """\
organisation:
  internal_domains: [example.co.jp]
  roles: {security: [sec@example.co.jp]}
  approval_fatigue: {after: 0}
rules:
  - id: visible-external-to-bcc
    when: "recipients.visible_external >= 3"
    action: bcc
  - id: tag-external
    when: 'message.subject contains "TAG"'
    action: {type: tag, tag: external, subject_prefix: "[EXTERNAL]"}
  - id: approve-quote
    when: 'message.subject contains "QUOTE"'
    action: {type: approve, approvers: ["role:security"], expire: 1h}
  - id: reject-secret
    when: 'message.subject contains "TOP-SECRET"'
    action: {type: reject, message: "Subject marked TOP-SECRET may not leave"}
"""

SENDER = "taro@example.co.jp"
SECURITY = "sec@example.co.jp"


def headers(to, subject, cc=None):
    out = [("From", "Taro <%s>" % SENDER), ("To", ", ".join(to))]
    if cc:
        out.append(("Cc", ", ".join(cc)))
    return out + [("Subject", subject), ("Date", "Mon, 23 Nov 2026 10:00:00 +0900"),
                  ("Message-ID", "<%d@example.co.jp>" % time.time_ns()), ("MIME-Version", "1.0"),
                  ("Content-Type", "text/plain; charset=utf-8")]


def message(head, body="Please find the quote below.\r\n"):
    return ("".join("%s: %s\r\n" % h for h in head) + "\r\n" + body).encode()


def delivered_headers(mail):
    """The delivered header fields in order, as (name, value) with folding undone, Received left out."""
    head = mail.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    fields = re.split(r"\n(?=[^ \t])", head)
    out = []
    for f in fields:
        name, _, value = f.partition(":")
        if name.lower() != "received":
            out.append((name, re.sub(r"\n[ \t]+", " ", value).strip()))
    return out


def body(mail):
    """The delivered body in CRLF lines, without the line ends the sink adds at the end of its file."""
    crlf = mail.raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return crlf.split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n")


class SendmailIntegration(unittest.TestCase):
    lab = None
    gateway = None
    reinject = None

    @classmethod
    def setUpClass(cls):
        root = sendmaillab.fetch()
        cls.version = sendmaillab.version(root)
        print("Sendmail", cls.version, "from", root, file=sys.stderr)
        ports = {"reinject": free_port()}
        lab = MailLab(os.path.join(BUILD, "src/bin/preflightd"), CONFIG, POLICY, ports=ports)
        cls.lab = lab
        try:
            lab.start_sink()
            lab.start_preflightd()
            cls.gateway = sendmaillab.Listener(root, os.path.join(lab.root, "sendmail-gateway"), "MTA",
                                               free_port(), lab.sink_port, milter_port=lab.milter_port)
            cls.reinject = sendmaillab.Listener(root, os.path.join(lab.root, "sendmail-reinject"), "REINJECT",
                                                lab.reinject_port, lab.sink_port)
            for listener in (cls.gateway, cls.reinject):
                listener.start()
            for listener in (cls.gateway, cls.reinject):
                if not wait_port(listener.port, timeout=30):
                    raise RuntimeError("sendmail %s did not open port %d: %s" %
                                       (listener.name, listener.port, listener.errors()))
        except Exception:
            cls.tear_down()
            raise

    @classmethod
    def tear_down(cls):
        for listener in (cls.gateway, cls.reinject):
            if listener:
                listener.stop()
        cls.lab.finish()

    @classmethod
    def tearDownClass(cls):
        cls.tear_down()

    def setUp(self):
        for listener in (self.gateway, self.reinject):
            self.assertTrue(listener.wait_queue_empty(), "sendmail %s kept mail: %s" %
                            (listener.name, listener.queued()))
        self.lab.clear_sink()

    # --- helpers ---------------------------------------------------------------------------------
    def send(self, rcpts, raw, port=None):
        return self.lab.send(SENDER, rcpts, raw, port=port or self.gateway.port)

    def deliver(self, rcpts, raw):
        """Sends through the gateway; returns the one transaction the sink got with this Message-ID (a notice
        of an earlier test may arrive meanwhile)."""
        code, text = self.send(rcpts, raw)
        self.assertEqual(code, 250, text)
        message_id = re.search(rb"^Message-ID: (\S+)", raw, re.M).group(1).decode()
        deadline = time.time() + 30
        while True:
            mails = [m for m in self.lab.wait_for_sink(0, timeout=0.3) if m.message["Message-ID"] == message_id]
            if mails or time.time() > deadline:
                break
            time.sleep(0.2)
        time.sleep(0.5)  # a second copy would be a duplicate delivery
        mails = [m for m in self.lab.wait_for_sink(0, timeout=0.3) if m.message["Message-ID"] == message_id]
        self.assertEqual(len(mails), 1, "sink received %d transactions: %s" % (len(mails), self.gateway.errors()))
        return mails

    def log(self):
        return self.lab.read(self.lab.log_file)

    def ctl(self, *args):
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "queue", *args, "--config",
                            self.lab.config_file, "--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def mails(self, subject_part, notice=None, expect=1, timeout=15):
        """Waits until `expect` sink transactions with that subject (mail, or a notice of that kind) arrived."""
        deadline = time.time() + timeout
        while True:
            got = [m for m in self.lab.wait_for_sink(0, timeout=0.3)
                   if m.message["X-Preflight-Notice"] == notice and subject_part in str(m.message["Subject"])]
            if len(got) >= expect or time.time() > deadline:
                return got
            time.sleep(0.2)

    @staticmethod
    def queue_ids(mail):
        """The queue ids of the Sendmail Received fields ("by gateway.preflight.test (8.17...) with ESMTP id
        6B26IMGs017285"), newest first; the sink's own field is left out."""
        fields = [str(v) for v in mail.message.get_all("Received", []) if "by " + sendmaillab.HOSTNAME in str(v)]
        return [re.search(r"\bid ([0-9A-Za-z]+)", f).group(1) for f in fields]

    @staticmethod
    def accepted_id(text):
        """The queue id in Sendmail's answer to DATA: "2.0.0 6B26IJbE017266 Message accepted for delivery"."""
        found = re.match(r"2\.0\.0 ([0-9A-Za-z]+) Message accepted", text)
        return found.group(1) if found else None

    # --- tests ---------------------------------------------------------------------------------------
    def test_a_tagged_mail_arrives_with_the_prefix_the_tag_and_the_verdict_and_nothing_else_changed(self):
        head = headers(["x@partner.example.com"], "TAG invoice")
        mail = self.deliver(["x@partner.example.com"], message(head))[0]
        self.assertEqual(mail.recipients, ["x@partner.example.com"])
        expect = [(n, "[EXTERNAL] TAG invoice" if n == "Subject" else v) for n, v in head]
        expect += [("X-Preflight-Tag", "external"), ("X-Preflight-Verdict", "tag; rules=tag-external")]
        self.assertEqual(delivered_headers(mail), expect)
        self.assertEqual(body(mail), b"Please find the quote below.")

    def test_the_log_line_has_the_queue_id_sendmail_gave_the_mail(self):
        mail = self.deliver(["y@partner.example.com"], message(headers(["y@partner.example.com"], "TAG qid")))[0]
        ids = self.queue_ids(mail)
        self.assertEqual(len(ids), 1, mail.message.get_all("Received"))
        self.assertRegex(self.log(), r"qid=%s from=<%s> recipients.total=1 .* action=tag rules=tag-external" %
                         (ids[0], re.escape(SENDER)))

    def test_visible_external_recipients_are_removed_from_to_and_cc_and_all_receive_it(self):
        external = ["user%d@partner%d.example.com" % (i, i) for i in range(3)]
        cc = ["c@three.example.com"]
        head = headers(external + ["Hanako <hanako@example.co.jp>"], "Minutes", cc=cc)
        rcpts = external + cc + ["hanako@example.co.jp"]
        mail = self.deliver(rcpts, message(head))[0]
        self.assertEqual(sorted(mail.recipients), sorted(rcpts))
        # preflight writes the address list it keeps with quoted display names
        expect = [(n, '"Hanako" <hanako@example.co.jp>' if n == "To" else v) for n, v in head if n != "Cc"]
        expect.append(("X-Preflight-Verdict", "bcc; rules=visible-external-to-bcc"))
        self.assertEqual(delivered_headers(mail), expect)

    def test_only_external_recipients_leave_one_added_to_undisclosed_recipients(self):
        to = ["a@one.example.com", "b@two.example.com"]
        cc = ["c@three.example.com", "d@four.example.com"]
        head = headers(to, "Invitation", cc=cc)
        mail = self.deliver(to + cc, message(head))[0]
        self.assertEqual(sorted(mail.recipients), sorted(to + cc))
        # Sendmail inserts the added To before the first To it has, deleted or not: where the original was
        # (Postfix appends it after the last field).
        expect = [("To", "undisclosed-recipients:;") if n == "To" else (n, v) for n, v in head if n != "Cc"]
        expect.append(("X-Preflight-Verdict", "bcc; rules=visible-external-to-bcc"))
        self.assertEqual(delivered_headers(mail), expect)

    def test_a_held_mail_is_not_delivered_until_approved_then_released_through_the_listener_without_filter(self):
        rcpts = ["buyer@vip.example.com", "other@vip.example.com"]
        head = headers(rcpts, "QUOTE for approval")
        code, text = self.send(rcpts, message(head))
        self.assertEqual(code, 250, text)  # Sendmail tells the client it took the mail, then discards it
        gateway_id = self.accepted_id(text)
        self.assertTrue(gateway_id, text)
        request = self.mails("QUOTE for approval", notice="approval-requested")
        self.assertEqual(len(request), 1, self.log())
        self.assertEqual(request[0].recipients, [SECURITY])
        self.assertEqual(self.mails("QUOTE for approval", timeout=1), [], "held mail left before approval")
        rows = [r for r in self.ctl("list") if r["subject"] == "QUOTE for approval"]
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0]["state"], "held")
        self.assertEqual(self.ctl("approve", rows[0]["id"], "--comment", "ok")["state"], "approved")
        got = self.mails("QUOTE for approval")
        self.assertEqual(len(got), 1)
        mail = got[0]
        self.assertEqual(sorted(mail.recipients), sorted(rcpts))
        self.assertEqual(mail.sender, SENDER)
        expect = head + [("X-Preflight-Verdict", "approve; rules=approve-quote")]
        self.assertEqual(delivered_headers(mail), expect)
        self.assertEqual(body(mail), b"Please find the quote below.")
        # Sendmail gives milters the fields the client sent, never its own Received field: the released
        # mail has only the Received field of the listener without the filter, which delivered it. preflight
        # held it under the gateway's queue id.
        ids = self.queue_ids(mail)
        self.assertEqual(len(ids), 1, mail.message.get_all("Received"))
        self.assertNotEqual(ids[0], gateway_id)
        self.assertRegex(self.log(), r"qid=%s .*action=approve rules=approve-quote .*answer=discard held=%s" %
                         (gateway_id, rows[0]["id"]))
        with open(self.reinject.trace, errors="replace") as f:
            self.assertIn("RCPT TO:<buyer@vip.example.com>", f.read())
        time.sleep(1)
        self.assertEqual(len(self.mails("QUOTE for approval", expect=2, timeout=1)), 1, "delivered exactly once")

    def test_forged_verdict_headers_are_removed_and_only_preflights_own_arrives(self):
        head = headers(["x@partner.example.com"], "TAG forged")
        forged = head[:1] + [("X-Preflight-Verdict", "accept")] + head[1:] + [("X-Preflight-Verdict", "accept")]
        mail = self.deliver(["x@partner.example.com"], message(forged))[0]
        # preflight's verdict takes the place of the first forged one (see the Bcc test), the tag is appended
        expect = head[:1] + [("X-Preflight-Verdict", "tag; rules=tag-external")]
        expect += [(n, "[EXTERNAL] TAG forged" if n == "Subject" else v) for n, v in head[1:]]
        expect.append(("X-Preflight-Tag", "external"))
        self.assertEqual(delivered_headers(mail), expect)

    def test_a_rejected_mail_gets_the_5xx_and_the_reason_and_is_not_delivered(self):
        code, text = self.send(["x@partner.example.com"], message(headers(["x@partner.example.com"],
                                                                           "TOP-SECRET plans")))
        self.assertEqual(code, 550)
        self.assertIn("5.7.1", text)
        self.assertIn("Subject marked TOP-SECRET may not leave", text)
        self.assertTrue(self.gateway.wait_queue_empty())
        self.assertEqual(self.lab.wait_for_sink(1, timeout=2), [])
        self.assertRegex(self.log(), r"action=reject rules=reject-secret .*answer=reject")

    def test_zz_with_preflightd_stopped_sendmail_answers_4xx_and_keeps_nothing(self):
        self.lab.stop_preflightd()
        try:
            code, text = self.send(["x@partner.example.com"], message(headers(["x@partner.example.com"], "TAG")))
            self.assertEqual(code // 100, 4, text)
            self.assertEqual(self.gateway.queued(), [])
            self.assertEqual(self.lab.wait_for_sink(1, timeout=2), [])
        finally:
            self.lab.start_preflightd()


if __name__ == "__main__":
    unittest.main(verbosity=2)
