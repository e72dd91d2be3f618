"""The held-mail queue through a real Postfix: hold, approve (CLI and signed link), reject, cancel,
delay-send, crash recovery, a full spool, link tokens, forged headers, the delivery history, web
sign-in sessions that survive a restart of preflightd, and release: the ESMTP parameters of the original
transaction, 1,500 recipients through Postfix's default smtpd_recipient_limit (1000) on the re-injection
listener, and a raw 8-bit Subject that a tag prefixes.

Run: python3 tests/integration/test_queue.py BUILD_DIR   (as root; ctest does this)
"""
import email
import email.policy
import hashlib
import html
import http.cookiejar
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from maillab import MailLab, wait_port  # noqa: E402

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
  roles: {security: [sec@example.co.jp]}
  directory: directory.csv
  approval_fatigue: {after: 0}   # these tests approve the same sender and domain many times
rules:
  - id: delay-short
    description: "Delay-send for checking (short)"
    when: 'message.subject contains "DELAY"'
    action: {type: hold, delay: 2s}
  - id: delay-long
    description: "Delay-send for checking (long)"
    when: 'message.subject contains "WAIT"'
    action: {type: hold, delay: 1h}
  - id: approve-vip
    description: "Important customer: supervisor approves"
    when: 'recipients.external_addresses matches "*@vip.example.com"'
    action: {type: approve, approvers: [supervisor], expire: 1h, bcc: external}
  - id: approve-visible
    description: "Several companies see each other: supervisor approves, may choose Bcc"
    when: 'message.subject contains "VISIBLE"'
    action: {type: approve, approvers: [supervisor], expire: 1h, allow_bcc: external}
  - id: tag-8bit
    description: "External: the Subject gets a prefix"
    when: 'message.subject contains "8BIT"'
    action: {type: tag, tag: external, subject_prefix: "[社外]"}
  - id: delay-8bit
    description: "Delay-send (with the prefix)"
    when: 'message.subject contains "8BIT"'
    action: {type: hold, delay: 1s}
  - id: approve-expiring
    description: "Security approves, quickly"
    when: 'message.subject contains "EXPIRE"'
    action: {type: approve, approvers: ["role:security"], expire: 3s, on_expiry: return}
"""

DIRECTORY = "address,supervisor,deputy,department\ntaro@example.co.jp,boss@example.co.jp,deputy@example.co.jp,sales\n"
SENDER = "taro@example.co.jp"
BOSS = "boss@example.co.jp"


def message(to, subject, body="Please find the quote below.\r\nTotal: 1,000 JPY\r\n", extra=""):
    head = ["From: Taro <%s>" % SENDER, "To: " + ", ".join(to), "Subject: " + subject,
            "Date: Mon, 23 Nov 2026 10:00:00 +0900", "Message-ID: <%d@example.co.jp>" % time.time_ns(),
            "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    if extra:
        head.append(extra)
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


class Browser:
    """A cookie-keeping HTTP client for the action-link pages."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


class QueueIntegration(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        lab = MailLab(os.path.join(BUILD, "src/bin/preflightd"), CONFIG, POLICY)
        with open(os.path.join(lab.root, "directory.csv"), "w") as f:
            f.write(DIRECTORY)
        # umask 0000: preflightd must still make its state private by itself (test_state_is_private...).
        old = os.umask(0)
        try:
            cls.lab = lab.start()
        finally:
            os.umask(old)
        cls.lab.wait_reinject()

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["umount", os.path.join(cls.lab.state_dir, "spool")], capture_output=True)
        cls.lab.finish()

    def setUp(self):
        self.lab.ready()

    # --- helpers ---------------------------------------------------------------------------------
    def ctl(self, *args):
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "queue", *args, "--config",
                            self.lab.config_file, "--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def held(self, subject_part):
        rows = [m for m in self.ctl("list") if subject_part in m["subject"]]
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    def state_becomes(self, subject_part, state, timeout=10):
        """Waits until the held row's state is `state`; returns the state it has at the end."""
        deadline = time.time() + timeout
        while True:
            now = self.held(subject_part)["state"]
            if now == state or time.time() > deadline:
                return now
            time.sleep(0.2)

    def send_held(self, rcpts, raw, **options):
        code, text = self.lab.send(SENDER, rcpts, raw, **options)
        self.assertEqual(code, 250, text)  # the client is told the mail was taken
        return text

    def mails(self, min_count=0, timeout=15):
        self.lab.flush()
        return self.lab.wait_for_sink(min_count, timeout=timeout) if min_count else \
            [m for m in self.lab.wait_for_sink(0, timeout=0.5)]

    def delivered(self, subject_part, expect, timeout=15):
        """Waits until `expect` transactions whose subject contains subject_part have arrived (not notices)."""
        deadline = time.time() + timeout
        while True:
            self.lab.flush()
            got = [m for m in self.lab.wait_for_sink(0, timeout=0.3)
                   if m.message["X-Preflight-Notice"] is None and subject_part in str(m.message["Subject"])]
            if len(got) >= expect or time.time() > deadline:
                return got
            time.sleep(0.3)

    def notices(self, kind, to, timeout=15):
        deadline = time.time() + timeout
        while True:
            self.lab.flush()
            got = [m for m in self.lab.wait_for_sink(0, timeout=0.3)
                   if m.message["X-Preflight-Notice"] == kind and to in m.recipients]
            if got or time.time() > deadline:
                return got
            time.sleep(0.3)

    def links(self, notice):
        body = notice.message.get_body(preferencelist=("plain",)).get_content()
        found = re.findall(r"http://127\.0\.0\.1:%d/link/[A-Za-z0-9_\-.]+" % self.lab.web_port, body)
        return list(dict.fromkeys(found))  # the Japanese and the English part list the same links

    def history(self, sender, address):
        with sqlite3.connect(os.path.join(self.lab.state_dir, "preflight.db")) as db:
            return db.execute("SELECT count FROM history WHERE sender=? AND address=?", (sender, address)).fetchone()

    # --- tests ---------------------------------------------------------------------------------------
    def test_state_is_private_though_preflightd_started_with_umask_0000(self):
        self.send_held(["x@partner.example.com"], message(["x@partner.example.com"], "WAIT private files"))
        row = self.held("WAIT private files")
        state = self.lab.state_dir
        expect = {state: 0o700, os.path.join(state, "tmp"): 0o700, os.path.join(state, "spool"): 0o700,
                  os.path.join(state, "spool", "tmp"): 0o700, os.path.join(state, "link.key"): 0o600,
                  os.path.join(state, "spool", row["id"] + ".eml"): 0o600}
        for suffix in ("", "-wal", "-shm"):
            expect[os.path.join(state, "preflight.db" + suffix)] = 0o600
        for path, mode in expect.items():
            self.assertEqual(oct(os.stat(path).st_mode & 0o777), oct(mode), path)
        # Another local user cannot read the database (notices, password hashes) nor the held mail.
        for path in (os.path.join(state, "preflight.db"), os.path.join(state, "spool", row["id"] + ".eml")):
            r = subprocess.run(["runuser", "-u", "nobody", "--", "cat", path], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0, path)
            self.assertIn("Permission denied", r.stderr)
        self.ctl("cancel", row["id"])

    def test_the_outbox_keeps_no_approve_link_only_the_sent_notice_has_one(self):
        self.send_held(["buyer@vip.example.com"], message(["buyer@vip.example.com"], "Quote OUTBOX"))
        row = self.held("Quote OUTBOX")
        request = self.notices("approval-requested", BOSS)
        self.assertTrue(request and self.links(request[0]))  # the mail that left carries the signed links
        with sqlite3.connect(os.path.join(self.lab.state_dir, "preflight.db")) as db:
            stored = [r[0] for r in db.execute("SELECT raw FROM notices WHERE held_id = ?", (row["id"],))]
        self.assertGreaterEqual(len(stored), 2)
        for raw in stored:
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            self.assertEqual(json.loads(text)["notice_spec"], 1)
            self.assertNotIn("/link/", text)
        self.ctl("reject", row["id"])

    def test_no_other_local_user_can_hand_mail_to_the_listener_without_milters(self):
        probe = ("import socket, sys\n"
                 "s = socket.socket(socket.AF_UNIX)\n"
                 "s.settimeout(10)\n"
                 "s.connect(sys.argv[1])\n"
                 "print(s.recv(200).decode())\n")
        as_preflight = subprocess.run([sys.executable, "-c", probe, self.lab.reinject_socket],
                                      capture_output=True, text=True, timeout=30)
        self.assertIn("220", as_preflight.stdout, as_preflight.stderr)
        # The system's Python: a per-user interpreter may not be readable by nobody.
        as_other = subprocess.run(["runuser", "-u", "nobody", "--", "/usr/bin/python3", "-c", probe,
                                   self.lab.reinject_socket], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(as_other.returncode, 0, as_other.stdout)
        self.assertIn("PermissionError", as_other.stderr)
        # No TCP listener without milters is left: the only inet smtpd is the one preflight checks.
        services = subprocess.run(["postconf", "-c", self.lab.postfix_dir, "-M"], capture_output=True,
                                  text=True).stdout.splitlines()
        inet = [s for s in services if s.split()[1:2] == ["inet"]]
        self.assertEqual(len(inet), 1, inet)
        self.assertTrue(inet[0].startswith("127.0.0.1:%d " % self.lab.smtpd_port), inet)

    def test_a_sender_without_a_supervisor_is_approved_by_the_fallback_role_not_by_themself(self):
        stranger = "stranger+quotes@example.co.jp"
        raw = message(["buyer@vip.example.com"], "Quote STRANGER").replace(SENDER.encode(), stranger.encode())
        code, text = self.lab.send(stranger, ["buyer@vip.example.com"], raw)
        self.assertEqual(code, 250, text)
        row = self.held("Quote STRANGER")
        self.assertEqual(row["approvers"], ["sec@example.co.jp"])
        self.assertEqual(len(self.notices("approval-requested", "sec@example.co.jp")), 1)
        self.assertEqual(self.notices("approval-requested", stranger, timeout=1), [])
        self.ctl("reject", row["id"])

    def test_a_held_mail_waits_and_is_delivered_once_after_cli_approval(self):
        rcpts = ["buyer-cli@vip.example.com", "other@vip.example.com"]
        raw = message(rcpts, "Quote CLI")
        self.send_held(rcpts, raw)
        time.sleep(1.5)
        self.assertEqual(self.delivered("Quote CLI", 1, timeout=1), [])
        row = self.held("Quote CLI")
        self.assertEqual(row["state"], "held")
        self.assertEqual(row["approvers"], [BOSS])
        self.assertIsNone(self.history(SENDER, "buyer-cli@vip.example.com"), "history must not learn held mail")
        request = self.notices("approval-requested", BOSS)
        self.assertEqual(len(request), 1)
        self.assertEqual(len(self.links(request[0])), 2, "approve and reject links")
        self.assertEqual(self.ctl("approve", row["id"], "--comment", "ok")["state"], "approved")
        got = self.delivered("Quote CLI", 1)
        self.assertEqual(len(got), 1)
        time.sleep(1.5)
        got = self.delivered("Quote CLI", 2, timeout=1)
        self.assertEqual(len(got), 1, "delivered exactly once")
        mail = got[0]
        self.assertEqual(sorted(mail.recipients), sorted(rcpts))
        sent_body = raw.split(b"\r\n\r\n", 1)[1]
        got_body = mail.raw.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n").split(b"\r\n\r\n", 1)[1]
        self.assertEqual(got_body.rstrip(b"\r\n"), sent_body.rstrip(b"\r\n"), "body byte-identical")
        self.assertEqual(mail.message.get_all("To"), ["undisclosed-recipients:;"], "approve, then deliver as Bcc")
        self.assertEqual(mail.message["X-Preflight-Verdict"], "approve; rules=approve-vip")
        self.assertEqual(self.ctl("show", row["id"])["state"], "released")
        self.assertEqual(self.history(SENDER, "buyer-cli@vip.example.com"), (1,))
        self.assertEqual(len(self.notices("approved", SENDER)), 1)

    def test_approval_through_the_signed_link_and_a_get_changes_nothing(self):
        rcpts = ["buyer@vip.example.com"]
        self.send_held(rcpts, message(rcpts, "Quote LINK"))
        request = self.notices("approval-requested", BOSS)
        approve = [u for u in self.links(request[0])][0]
        row = self.held("Quote LINK")
        browser = Browser()
        for _ in range(3):  # a mail scanner opening the link, several times
            status, page = browser.request(approve)
            self.assertEqual(status, 200)
        self.assertEqual(self.ctl("show", row["id"])["state"], "held", "a GET must never approve")
        self.assertIn("Quote LINK", page)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        status, _ = Browser().request(approve, {"csrf": csrf, "comment": "no cookie"})
        self.assertEqual(status, 403, "a POST without the CSRF cookie is refused")
        status, page = browser.request(approve, {"comment": "forgot the token"})
        self.assertEqual(status, 403)
        self.assertEqual(self.ctl("show", row["id"])["state"], "held")
        status, page = browser.request(approve, {"csrf": csrf, "comment": "承認します"})
        self.assertEqual(status, 200, page)
        self.assertEqual(len(self.delivered("Quote LINK", 1)), 1)
        trail = self.ctl("show", row["id"])["audit"]
        approval = [e for e in trail if e["action"] == "approve"][0]
        self.assertEqual((approval["actor"], approval["address"], approval["comment"]),
                         (BOSS, "127.0.0.1", "承認します"))

    def test_the_approver_chooses_bcc_through_the_signed_link(self):
        outside = ["a@customer-a.example.com", "b@customer-b.example.net"]
        rcpts = outside + ["hanako@example.co.jp"]
        self.send_held(rcpts, message(rcpts, "Seminar VISIBLE"))
        row = self.held("Seminar VISIBLE")
        self.assertEqual(row["details"]["bcc_option"]["hidden"], outside)
        request = self.notices("approval-requested", BOSS)
        links = self.links(request[0])
        self.assertEqual(len(links), 3, "approve, reject and approve-as-Bcc links")
        browser = Browser()
        status, page = browser.request(links[2])
        self.assertEqual(status, 200)
        self.assertIn("Approve as Bcc", page)
        self.assertIn("Several companies see each other", page, "the link page shows why the mail was held")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        status, page = browser.request(links[2], {"csrf": csrf, "comment": "as Bcc"})
        self.assertEqual(status, 200, page)
        got = self.delivered("Seminar VISIBLE", 1)
        self.assertEqual(len(got), 1)
        self.assertEqual(sorted(got[0].recipients), sorted(rcpts), "everyone still receives it")
        self.assertEqual(got[0].message.get_all("To"), ["hanako@example.co.jp"], "outside addresses left To")
        self.assertIsNone(got[0].message["Bcc"])
        trail = self.ctl("show", row["id"])["audit"]
        self.assertEqual([e["actor"] for e in trail if e["action"] == "approve as bcc"], [BOSS])

    def test_approve_bcc_is_refused_where_the_policy_did_not_offer_it(self):
        rcpts = ["x2@partner.example.com"]
        self.send_held(rcpts, message(rcpts, "WAIT no Bcc option"))
        row = self.held("WAIT no Bcc option")
        self.assertIsNone(row["details"]["bcc_option"])
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "queue", "approve", row["id"], "--bcc",
                            "--config", self.lab.config_file], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not offer", r.stderr)
        self.assertEqual(self.ctl("show", row["id"])["state"], "held")

    def test_forged_and_expired_link_tokens_are_refused(self):
        self.send_held(["x@partner.example.com"], message(["x@partner.example.com"], "EXPIRE soon"))
        request = self.notices("approval-requested", "sec@example.co.jp")
        approve = self.links(request[0])[0]
        base, token = approve.rsplit("/", 1)
        payload, mac = token.split(".")
        forged = base + "/" + payload + "." + ("A" if mac[0] != "A" else "B") + mac[1:]
        status, page = Browser().request(forged)
        self.assertEqual(status, 403)
        self.assertIn("invalid signature", page)
        time.sleep(4)
        status, page = Browser().request(approve)
        self.assertEqual(status, 403)
        self.assertIn("link expired", page)
        row = self.held("EXPIRE soon")
        self.assertEqual(row["state"], "returned", "nobody decided in time: returned to the sender")
        self.assertEqual(len(self.notices("expired", SENDER)), 1)
        self.assertEqual(self.delivered("EXPIRE soon", 1, timeout=1), [])

    def test_a_rejected_mail_never_leaves_and_the_sender_is_told(self):
        self.send_held(["buyer-reject@vip.example.com"], message(["buyer-reject@vip.example.com"], "Quote REJECT"))
        row = self.held("Quote REJECT")
        self.assertEqual(self.ctl("reject", row["id"], "--comment", "wrong customer")["state"], "rejected")
        notice = self.notices("rejected", SENDER)
        self.assertEqual(len(notice), 1)
        self.assertIn("wrong customer", notice[0].message.get_body(preferencelist=("plain",)).get_content())
        time.sleep(1)
        self.assertEqual(self.delivered("Quote REJECT", 1, timeout=1), [])
        self.assertIsNone(self.history(SENDER, "buyer-reject@vip.example.com"))

    def test_a_cancelled_delay_send_never_leaves(self):
        self.send_held(["x@partner.example.com"], message(["x@partner.example.com"], "WAIT cancel me"))
        notice = self.notices("held-for-delay", SENDER)
        cancel = self.links(notice[0])[0]
        browser = Browser()
        status, page = browser.request(cancel)
        self.assertEqual(status, 200)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        status, page = browser.request(cancel, {"csrf": csrf, "comment": ""})
        self.assertEqual(status, 200, page)
        self.assertEqual(self.held("WAIT cancel me")["state"], "cancelled")
        time.sleep(1)
        self.assertEqual(self.delivered("WAIT cancel me", 1, timeout=1), [])

    def test_a_delay_send_is_released_by_itself_when_due(self):
        self.send_held(["x@partner.example.com"], message(["x@partner.example.com"], "DELAY two seconds"))
        self.assertEqual(self.held("DELAY two seconds")["state"], "held")
        got = self.delivered("DELAY two seconds", 1, timeout=20)
        self.assertEqual(len(got), 1)
        # The sink has the mail as soon as Postfix answered; the row is marked released right after.
        self.assertEqual(self.state_becomes("DELAY two seconds", "released"), "released")

    def test_kill_9_right_after_a_hold_loses_nothing(self):
        self.send_held(["buyer@vip.example.com"], message(["buyer@vip.example.com"], "Quote CRASH"))
        self.lab.stop_preflightd(signal.SIGKILL)
        self.lab.start_preflightd()
        row = self.held("Quote CRASH")
        self.assertEqual(row["state"], "held")
        self.ctl("approve", row["id"])
        self.assertEqual(len(self.delivered("Quote CRASH", 1)), 1)

    def test_a_full_spool_answers_4xx_and_nothing_is_half_stored(self):
        spool = os.path.join(self.lab.state_dir, "spool")
        before = len(self.ctl("list"))
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", spool], check=True)
        try:
            os.makedirs(os.path.join(spool, "tmp"))
            big = "filler line of the quote\r\n" * 8000  # about 200 KB: more than the spool holds
            code, text = self.lab.send(SENDER, ["buyer@vip.example.com"],
                                       message(["buyer@vip.example.com"], "Quote FULL", body=big))
            leftovers = os.listdir(os.path.join(spool, "tmp")) + [f for f in os.listdir(spool) if f != "tmp"]
        finally:
            subprocess.run(["umount", spool], check=True)
        self.assertEqual(code, 451, text)
        self.assertEqual(leftovers, [], "no partial spool file")
        self.assertEqual(len(self.ctl("list")), before, "no queue row")
        self.assertEqual(self.lab.queue(), [], "Postfix keeps nothing half-done: the client retries")
        self.assertRegex(self.lab.read(self.lab.log_file), r"cannot hold message: spool: .*No space left")

    def test_a_forged_approval_header_is_still_checked(self):
        rcpts = ["buyer@vip.example.com"]
        raw = message(rcpts, "Quote FORGED", extra="X-Preflight-Verdict: approve; rules=approve-vip\r\n"
                                                    "X-Preflight-Approved: yes")
        self.send_held(rcpts, raw)
        time.sleep(1)
        self.assertEqual(self.held("Quote FORGED")["state"], "held")
        self.assertEqual(self.delivered("Quote FORGED", 1, timeout=1), [])
        self.ctl("approve", self.held("Quote FORGED")["id"])
        mail = self.delivered("Quote FORGED", 1)[0]
        self.assertEqual(mail.message.get_all("X-Preflight-Verdict"), ["approve; rules=approve-vip"])
        self.assertIsNone(mail.message["X-Preflight-Approved"])

    def test_pending_counts_per_approver_are_visible(self):
        self.send_held(["buyer@vip.example.com"], message(["buyer@vip.example.com"], "Quote COUNT"))
        load = {a["approver"]: a for a in self.ctl("approvers")["approvers"]}
        self.assertGreaterEqual(load[BOSS]["pending"], 1)
        self.ctl("cancel", self.held("Quote COUNT")["id"])

    def test_release_replays_the_esmtp_parameters_of_the_original_transaction(self):
        rcpts = ["buyer-esmtp@vip.example.com", "other-esmtp@vip.example.com"]
        self.send_held(rcpts, message(rcpts, "Quote ESMTP"),
                       mail_options=["BODY=8BITMIME", "RET=HDRS", "ENVID=preflight-envid-42"],
                       rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;{rcpt}"])
        row = self.held("Quote ESMTP")
        self.assertEqual(self.ctl("approve", row["id"])["state"], "approved")
        got = self.delivered("Quote ESMTP", 1)
        self.assertEqual(len(got), 1)
        args = got[0].mail_args.split()
        self.assertIn("RET=HDRS", args)
        self.assertIn("ENVID=preflight-envid-42", args)
        for r, rcpt_args in zip(got[0].recipients, got[0].rcpt_args):
            self.assertIn("NOTIFY=SUCCESS,FAILURE", rcpt_args.split(), rcpt_args)
            self.assertIn("ORCPT=rfc822;" + r, rcpt_args.split(), rcpt_args)
        self.assertEqual(self.ctl("show", row["id"])["state"], "released")

    def test_a_release_to_1500_recipients_passes_postfixs_default_recipient_limit(self):
        rcpts = ["r%04d@vip.example.com" % i for i in range(1500)]
        self.send_held(rcpts, message(rcpts[:1], "Quote MANY"))
        row = self.held("Quote MANY")
        self.assertEqual(len(row["recipients"]), 1500)
        self.assertEqual(self.ctl("approve", row["id"])["state"], "approved")
        deadline = time.time() + 60
        while time.time() < deadline:
            got = self.delivered("Quote MANY", 1, timeout=1)
            delivered = [r for m in got for r in m.recipients]
            if len(delivered) >= 1500:
                break
            time.sleep(1)
        self.assertEqual(sorted(delivered), sorted(rcpts), "every recipient exactly once")
        shown = self.ctl("show", row["id"])
        self.assertEqual(shown["state"], "released", shown.get("last_error"))

    def test_a_raw_8bit_subject_with_a_prefix_is_held_and_leaves_encoded(self):
        for label, subject in (("Shift_JIS", "8BIT SJIS 見積書".encode("shift_jis")),
                               ("UTF-8", "8BIT UTF8 見積書".encode("utf-8"))):
            with self.subTest(label):
                head = ("From: Taro <%s>\r\nTo: buyer-8bit@partner.example.com\r\nMessage-ID: <%d@example.co.jp>\r\n"
                        "Date: Mon, 23 Nov 2026 10:00:00 +0900\r\n" % (SENDER, time.time_ns())).encode()
                raw = head + b"Subject: " + subject + b"\r\n\r\nPlease find the quote.\r\n"
                self.send_held(["buyer-8bit@partner.example.com"], raw)  # 250, not a tempfail
                tag = subject.split(b" ")[1].decode()
                got = self.delivered("8BIT " + tag, 1)
                self.assertEqual(len(got), 1)
                header = got[0].raw.split(b"\nSubject: ", 1)[1].split(b"\n", 1)[0].rstrip(b"\r")
                self.assertTrue(header.isascii(), header)
                self.assertEqual(str(got[0].message["Subject"]), "[社外] 8BIT %s 見積書" % tag)

    def web_get(self, path, session):
        """GET on the web role with only this session cookie (not the jar: sign-out deletes it there)."""
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.lab.web_port, path),
                                     headers={"Cookie": "pf_session=" + session})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_a_web_sign_in_survives_a_restart_and_sign_out_ends_it(self):
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "user", "add", "web-boss", "--email", BOSS,
                            "--role", "approver", "--config", self.lab.config_file],
                           input="web-boss-password-1\n", capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        base = "http://127.0.0.1:%d" % self.lab.web_port
        browser = Browser()
        self.assertEqual(browser.request(base + "/login")[0], 200)
        token = next(c.value for c in browser.jar if c.name == "pf_login")
        status, _ = browser.request(base + "/login", {"csrf": token, "user": "web-boss",
                                                      "password": "web-boss-password-1"})
        self.assertEqual(status, 200, "signed in and sent on to the queue")
        session = next(c.value for c in browser.jar if c.name == "pf_session")
        self.assertEqual(self.web_get("/api/me", session)[0], 200)

        self.lab.stop_preflightd()
        self.lab.start_preflightd()
        self.assertTrue(wait_port(self.lab.web_port), "web role back after the restart")
        status, body = self.web_get("/api/me", session)
        self.assertEqual(status, 200, "the session survived the restart")
        me = json.loads(body)
        self.assertEqual((me["name"], me["email"], me["role"]), ("web-boss", BOSS, "approver"))
        with sqlite3.connect(os.path.join(self.lab.state_dir, "preflight.db")) as db:
            rows = db.execute("SELECT key, user, csrf FROM web_sessions").fetchall()
        self.assertIn(hashlib.sha256(session.encode()).hexdigest(), [k for k, _, _ in rows])
        self.assertFalse([row for row in rows if any(session in str(v) for v in row)], "the cookie is not stored")

        status, _ = browser.request(base + "/logout", {"csrf": me["csrf"]})
        self.assertEqual(status, 200, "signed out and sent to the sign-in page")
        self.assertEqual(self.web_get("/api/me", session)[0], 401)
        with sqlite3.connect(os.path.join(self.lab.state_dir, "preflight.db")) as db:
            left = db.execute("SELECT count(*) FROM web_sessions WHERE key = ?",
                              (hashlib.sha256(session.encode()).hexdigest(),)).fetchone()
        self.assertEqual(left, (0,), "sign-out deletes the stored session")


if __name__ == "__main__":
    unittest.main(verbosity=2)
