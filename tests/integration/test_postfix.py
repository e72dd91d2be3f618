"""preflightd inside a real Postfix, delivering to a real SMTP sink.

Run: python3 tests/integration/test_postfix.py BUILD_DIR   (as root; ctest does this)
"""
import base64
import io
import os
import re
import json
import signal
import smtplib
import socket
import subprocess
import struct
import sys
import threading
import time
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from maillab import MailLab  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build")

CONFIG = """\
milter:
  socket: inet:{milter_port}@127.0.0.1
  timeout: 60
  on_error: tempfail
  memory_limit: 65536
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}}}
queue: {{reinject: "unix:{reinject_socket}", interval: 0.2}}
web: {{listen: "127.0.0.1:{web_port}", base_url: "http://127.0.0.1:{web_port}"}}
"""

POLICY = """\
organisation:
  internal_domains: [example.co.jp]
rules:
  - id: visible-external-to-bcc
    when: "recipients.visible_external >= 3"
    action: bcc
  - id: reject-secret
    when: 'message.subject contains "TOP-SECRET"'
    action: {type: reject, message: "Subject marked TOP-SECRET may not leave"}
  - id: watch-partner
    when: 'recipients.external_addresses matches "*@watch.example.com"'
    mode: monitor
    action: bcc
  - id: first-time
    senders: ["learner@example.co.jp"]
    when: "recipients.first_time_count >= 1"
    action: {type: tag, tag: first-time}
  - id: new-outsider-in-thread
    senders: ["learner@example.co.jp"]
    when: "thread.new_external_count >= 1"
    action: {type: tag, tag: new-outsider}
  - id: executable-attachment
    when: "attachments.executables >= 1"
    action: {type: reject, message: "Executables may not be mailed"}
  - id: my-number
    when: "content.my_number >= 1"
    action: {type: reject, message: "My Numbers may not leave"}
"""

SENDER = "taro@example.co.jp"

# The milter protocol's "no reply" step flags (libmilter/mfdef.h SMFIP_NR_*): connect, MAIL, RCPT, DATA,
# header, end of headers, body.
NR_STEPS = {"connect": 0x1000, "mail": 0x4000, "rcpt": 0x8000, "data": 0x10000, "header": 0x80,
            "eoh": 0x40000, "body": 0x80000}


def negotiated_steps(connect):
    """Speaks option negotiation to preflightd as an MTA offering every action and step flag (protocol 6);
    returns the protocol flags preflightd answers with. `connect` returns a connected socket."""
    with connect() as s:
        s.settimeout(10)
        body = b"O" + struct.pack(">III", 6, 0x1FF, 0x1FFFFF)
        s.sendall(struct.pack(">I", len(body)) + body)
        head = s.recv(4, socket.MSG_WAITALL)
        reply = s.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL)
    assert reply[:1] == b"O", reply
    return struct.unpack(">III", reply[1:13])[2]


def message(to, subject="Test", cc=None, extra_headers="", body="Hello.\r\n"):
    lines = ["From: Taro <%s>" % SENDER, "To: " + ", ".join(to)]
    if cc:
        lines.append("Cc: " + ", ".join(cc))
    lines += ["Subject: " + subject, "Date: Mon, 23 Nov 2026 10:00:00 +0900", "Message-ID: <%s@example.co.jp>" % time.time_ns(), "MIME-Version: 1.0",
              "Content-Type: text/plain; charset=utf-8"]
    if extra_headers:
        lines.append(extra_headers)
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


class PostfixIntegration(unittest.TestCase):
    lab = None

    @classmethod
    def setUpClass(cls):
        cls.lab = MailLab(os.path.join(BUILD, "src/bin/preflightd"), CONFIG, POLICY).start()

    @classmethod
    def tearDownClass(cls):
        cls.lab.finish()

    def setUp(self):
        self.lab.ready()

    def deliver(self, rcpts, raw, transactions=1, sender=SENDER):
        code, text = self.lab.send(sender, rcpts, raw)
        self.assertEqual(code, 250, text)
        self.lab.flush()
        mails = self.lab.wait_for_sink(transactions)
        self.assertEqual(len(mails), transactions, "sink received %d transactions" % len(mails))
        return mails

    def log(self):
        return self.lab.read(self.lab.log_file)

    def test_over_tcp_every_step_is_answered(self):
        # No "no reply" step over TCP: Postfix's next small packet would wait for a delayed ACK.
        flags = negotiated_steps(lambda: socket.create_connection(("127.0.0.1", self.lab.milter_port)))
        self.assertEqual({k for k, bit in NR_STEPS.items() if flags & bit}, set(), hex(flags))

    def test_ten_external_recipients_in_to_are_moved_to_bcc_and_all_receive_it(self):
        external = ["user%d@partner%d.example.com" % (i, i) for i in range(10)]
        rcpts = external + ["hanako@example.co.jp"]
        mail = self.deliver(rcpts, message(external + ["Hanako <hanako@example.co.jp>"]))[0]
        self.assertEqual(sorted(mail.recipients), sorted(rcpts))
        to = str(mail.message["To"])
        for addr in external:
            self.assertNotIn(addr, to)
            self.assertNotIn(addr, mail.raw.decode(errors="replace").split("\n\n")[0].replace(
                "X-Rcpt-Args", ""), "external address left in the headers")
        self.assertIn("hanako@example.co.jp", to)
        self.assertIsNone(mail.message["Bcc"])
        self.assertEqual(mail.message["X-Preflight-Verdict"], "bcc; rules=visible-external-to-bcc")

    def test_only_external_recipients_leave_undisclosed_recipients(self):
        to = ["a@one.example.com", "b@two.example.com"]
        cc = ["c@three.example.com"]
        mail = self.deliver(to + cc, message(to, cc=cc))[0]
        self.assertEqual(sorted(mail.recipients), sorted(to + cc))
        self.assertEqual(mail.message.get_all("To"), ["undisclosed-recipients:;"])
        self.assertIsNone(mail.message["Cc"])

    def test_a_rejected_mail_gets_the_5xx_and_the_reason_and_is_not_delivered(self):
        code, text = self.lab.send(SENDER, ["x@partner.example.com"], message(["x@partner.example.com"],
                                                                               subject="TOP-SECRET plans"))
        self.assertEqual(code, 550)
        self.assertIn("5.7.1", text)
        self.assertIn("Subject marked TOP-SECRET may not leave", text)
        self.lab.flush()
        time.sleep(1)
        self.assertEqual(self.lab.sink_files(), [])
        self.assertEqual(self.lab.queue(), [])

    def test_an_iso_with_an_executable_and_a_pdf_quote_with_a_my_number_are_rejected(self):
        corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "incidents")
        for name, reason in [("32-exe-in-iso.eml", "Executables may not be mailed"),
                             ("29-my-number-in-pdf-quote.eml", "My Numbers may not leave")]:
            with open(os.path.join(corpus, name), "rb") as f:
                raw = f.read()
            code, text = self.lab.send(SENDER, ["tanaka@sample.co.jp"], raw)
            self.assertEqual(code, 550, name)
            self.assertIn(reason, text, name)
        self.lab.flush()
        time.sleep(1)
        self.assertEqual(self.lab.sink_files(), [])

    def test_internal_mail_arrives_unchanged_except_for_the_verdict_header(self):
        raw = message(["Hanako <hanako@example.co.jp>", "jiro@sales.example.co.jp"], subject="Lunch",
                      body="Line one\r\nLine two\r\n")
        mail = self.deliver(["hanako@example.co.jp", "jiro@sales.example.co.jp"], raw)[0]
        got = mail.raw.replace(b"\r\n", b"\n")
        sent = raw.replace(b"\r\n", b"\n")
        sent_head, sent_body = sent.split(b"\n\n", 1)
        got_head, got_body = got.split(b"\n\n", 1)
        self.assertEqual(got_body.rstrip(b"\n"), sent_body.rstrip(b"\n"))  # the sink ends its file with a newline
        added = [line for line in got_head.split(b"\n") if line not in sent_head.split(b"\n")]
        # Postfix adds its Received header (with continuation lines); preflight adds only its verdict.
        others = [a for a in added if not a.startswith(b"Received:") and not a.startswith((b"\t", b" "))]
        self.assertEqual(others, [b"X-Preflight-Verdict: accept"])

    def test_a_monitor_rule_changes_nothing_but_is_logged(self):
        to = ["watched@watch.example.com", "other@partner.example.com"]
        mail = self.deliver(to, message(to))[0]
        self.assertIn("watched@watch.example.com", str(mail.message["To"]))
        self.assertEqual(mail.message["X-Preflight-Verdict"], "accept")
        self.assertRegex(self.log(), r"action=accept rules= monitor=watch-partner\(bcc\)")

    def test_history_and_threads_are_learned_from_mail_that_left(self):
        learner = "learner@example.co.jp"
        first = self.deliver(["learn@newpartner.example.com"], message(["learn@newpartner.example.com"]),
                             sender=learner)[0]
        self.assertEqual(first.message.get_all("X-Preflight-Tag"), ["first-time"])
        self.lab.wait_queue_empty()
        self.lab.clear_sink()
        again = message(["learn@newpartner.example.com"], subject="Re: Test",
                        extra_headers="In-Reply-To: " + str(first.message["Message-ID"]))
        second = self.deliver(["learn@newpartner.example.com", "intruder@other.example.com"], again, sender=learner)[0]
        self.assertEqual(second.message.get_all("X-Preflight-Tag"), ["first-time", "new-outsider"],
                         "known address no longer first-time; the added outsider is, and is new to the thread")
        self.assertRegex(self.log(), r"rules=first-time,new-outsider-in-thread")

    def test_a_forged_verdict_header_is_removed(self):
        raw = message(["hanako@example.co.jp"], extra_headers="X-Preflight-Verdict: accept; approved=yes")
        mail = self.deliver(["hanako@example.co.jp"], raw)[0]
        self.assertEqual(mail.message.get_all("X-Preflight-Verdict"), ["accept"])

    def test_japanese_display_names_survive_the_rewrite(self):
        to = ["=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.co.jp>"] + \
             ["p%d@partner.example.com" % i for i in range(3)]
        rcpts = ["yamada@example.co.jp"] + ["p%d@partner.example.com" % i for i in range(3)]
        mail = self.deliver(rcpts, message(to, subject="=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="))[0]
        self.assertEqual(str(mail.message["To"]), "山田 <yamada@example.co.jp>")
        self.assertEqual(str(mail.message["Subject"]), "日本語")

    def test_five_thousand_recipients_are_handled(self):
        rcpts = ["r%d@bulk%d.example.com" % (i, i % 50) for i in range(5000)]
        code, text = self.lab.send(SENDER, rcpts, message(rcpts[:3] + ["undisclosed-recipients:;"]))
        self.assertEqual(code, 250, text)
        self.assertRegex(self.log(), r"recipients.total=5000 recipients.internal=0 recipients.external=5000 "
                                           r"recipients.visible_external=3 action=bcc")
        self.assertIsNone(self.lab.procs["preflightd"].poll())
        self.lab.flush()
        mails = self.lab.wait_for_sink(100, timeout=120)  # Postfix sends 50 recipients per transaction
        delivered = sorted(r for m in mails for r in m.recipients)
        self.assertEqual(delivered, sorted(rcpts))

    def test_a_30_mb_message_is_handled_in_bounded_memory(self):
        pid = self.lab.procs["preflightd"].pid
        payload = (b"A" * 76 + b"\r\n") * (30 * 1024 * 1024 // 78)
        raw = (b"From: %s\r\nTo: hanako@example.co.jp\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nsee "
               b"attached\r\n--XX\r\nContent-Type: application/octet-stream; name=big.bin\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\n" % SENDER.encode()) + payload + b"--XX--\r\n"
        self.reset_peak(pid)  # the peak of this mail alone, not of the tests before it
        code, text = self.lab.send(SENDER, ["hanako@example.co.jp"], raw)
        self.assertEqual(code, 250, text)
        hwm_kb = self.status_kb(pid, "VmHWM")
        self.assertLess(hwm_kb * 1024, 3 * len(raw), "peak resident memory %d kB" % hwm_kb)

    def test_ten_34_mib_messages_in_a_row_leave_memory_where_it_was(self):
        # glibc keeps freed memory in its arenas: without handing it back after a large message, the resident
        # size grows with each one (19.7 -> 94 MiB over eight such mails) and never comes down.
        pid = self.lab.procs["preflightd"].pid
        payload = base64.encodebytes(os.urandom(25 * 1024 * 1024)).replace(b"\n", b"\r\n")
        raw = (b"From: %s\r\nTo: hanako@example.co.jp\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nsee "
               b"attached\r\n--XX\r\nContent-Type: application/octet-stream; name=big.bin\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\n" % SENDER.encode()) + payload + b"--XX--\r\n"
        self.assertGreater(len(raw), 34 * 1024 * 1024)
        self.reset_peak(pid)
        start_kb = self.status_kb(pid, "VmRSS")
        rss = []
        for i in range(10):
            code, text = self.lab.send(SENDER, ["hanako@example.co.jp"], raw)
            self.assertEqual(code, 250, "mail %d: %s" % (i + 1, text))
            rss.append(self.status_kb(pid, "VmRSS"))
        peak_kb = self.status_kb(pid, "VmHWM")
        print("ten %d-byte mails: resident kB before %d, after each %s, peak %d" % (len(raw), start_kb, rss, peak_kb),
              file=sys.stderr)
        self.assertLess(peak_kb * 1024, 3 * len(raw), "peak resident memory %d kB" % peak_kb)
        self.assertLess(rss[-1] - start_kb, 10 * 1024,
                        "resident kB before: %d, after each mail: %s" % (start_kb, rss))
        self.lab.wait_queue_empty()
        self.assertEqual(len(self.lab.sink_files()), 10, "every large mail delivered")

    @staticmethod
    def reset_peak(pid):
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")  # peak resident size (VmHWM) := resident size now

    @staticmethod
    def status_kb(pid, key):
        with open("/proc/%d/status" % pid) as f:
            return int(re.search(key + r":\s+(\d+) kB", f.read()).group(1))

    def test_sighup_keeps_the_old_policy_when_the_new_one_is_broken(self):
        with open(self.lab.policy_file) as f:
            good = f.read()
        start = len(self.log())  # other tests reload too
        try:
            with open(self.lab.policy_file, "w") as f:
                f.write(good.replace('"recipients.visible_external >= 3"', '"recipients.visible_externl >= 3"'))
            self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
            self.wait_log("policy not loaded", since=start)
            self.assertIn("unknown fact 'recipients.visible_externl'", self.log())
            to = ["a%d@partner.example.com" % i for i in range(3)]
            mail = self.deliver(to, message(to))[0]
            self.assertEqual(mail.message.get_all("To"), ["undisclosed-recipients:;"])
            with open(self.lab.policy_file, "w") as f:
                f.write(good.replace(">= 3", ">= 30"))
            self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
            self.wait_log("policy loaded: 7 rule(s)", since=start)
            self.lab.clear_sink()
            mail = self.deliver(to, message(to))[0]
            self.assertIn("a0@partner.example.com", str(mail.message["To"]))
        finally:
            with open(self.lab.policy_file, "w") as f:
                f.write(good)
            self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
            self.wait_log("policy loaded: 7 rule(s)", count=2, since=start)

    def test_a_burst_of_sighups_never_stops_the_milter(self):
        # libmilter has a thread that stops the milter on SIGHUP; each signal here must reach the reload.
        log_start = len(self.log())
        for n in range(1, 31):  # each one as soon as the one before was taken
            self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
            until = time.time() + 10
            while time.time() < until and self.log()[log_start:].count("SIGHUP: reloading policy") < n:
                time.sleep(0.001)
        self.assertEqual(self.log()[log_start:].count("SIGHUP: reloading policy"), 30)
        self.assertIsNone(self.lab.procs["preflightd"].poll())
        to = ["hanako@example.co.jp"]
        self.lab.clear_sink()
        self.assertEqual(len(self.deliver(to, message(to, subject="after the burst"))), 1)

    def test_two_quick_sighups_during_traffic_lose_no_mail(self):
        log_start = len(self.log())
        to = ["hanako@example.co.jp"]
        answers = []

        def traffic():
            for i in range(8):
                answers.append(self.lab.send(SENDER, to, message(to, subject="during reload %d" % i)))

        sender = threading.Thread(target=traffic)
        sender.start()
        while not answers and sender.is_alive():
            time.sleep(0.01)
        for n in (1, 2):  # two in a row, while mail is being checked; the second as soon as the first is
            # taken (the kernel merges a SIGHUP sent while another is still pending into one)
            self.lab.procs["preflightd"].send_signal(signal.SIGHUP)
            until = time.time() + 10
            while time.time() < until and self.log()[log_start:].count("SIGHUP: reloading policy") < n:
                time.sleep(0.005)
        sender.join(timeout=120)
        self.assertFalse(sender.is_alive())
        self.assertEqual([code for code, _ in answers], [250] * 8, answers)
        deadline = time.time() + 10
        while time.time() < deadline and "policy loaded: 7 rule(s)" not in self.log()[log_start:]:
            time.sleep(0.1)
        since = self.log()[log_start:]
        self.assertEqual(since.count("SIGHUP: reloading policy"), 2)
        self.assertIn("policy loaded: 7 rule(s)", since)
        self.assertNotIn("policy not loaded", since)
        self.assertIsNone(self.lab.procs["preflightd"].poll())
        self.lab.flush()
        mails = self.lab.wait_for_sink(8)
        self.assertEqual(len(mails), 8)
        self.assertEqual([m.message["X-Preflight-Verdict"] for m in mails], ["accept"] * 8)

    def test_malformed_mime_and_8bit_garbage_pass_without_harming_the_daemon(self):
        raw = (b"From: \xff\xfe <taro@example.co.jp>\r\nTo: \x82\xa0 <hanako@example.co.jp>\r\n"
               b"Subject: \x93\xfa\x96\x7b =?ISO-2022-JP?B?broken\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: multipart/mixed; boundary=\"never-closed\"\r\n\r\n--never-closed\r\n"
               b"Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               b"!!!not base64!!!\r\n--never-closed\r\nContent-Type: application/zip; name*0*=bad'';"
               b" name*1=\"=?x?Q?\"\r\n\r\nPK\x03\x04\r\n")
        mail = self.deliver(["hanako@example.co.jp"], raw)[0]
        self.assertEqual(mail.message["X-Preflight-Verdict"], "accept")
        self.assertIsNone(self.lab.procs["preflightd"].poll())

    def test_a_spill_failure_answers_4xx_and_postfix_keeps_nothing(self):
        spill = os.path.join(self.lab.state_dir, "tmp")
        os.rename(spill, spill + ".away")  # the next spill file cannot be created
        try:
            body = "x" * 100 + "\r\n"
            code, text = self.lab.send(SENDER, ["hanako@example.co.jp"],
                                       message(["hanako@example.co.jp"], body=body * 1000))
        finally:
            os.rename(spill + ".away", spill)
        self.assertEqual(code, 451, text)
        self.assertIn("4.3.0", text)
        self.assertRegex(self.log(), r"error=\"cannot create spill file in .*\" answer=tempfail")
        self.lab.flush()
        time.sleep(1)
        self.assertEqual(self.lab.queue(), [])
        self.assertEqual(self.lab.sink_files(), [])

    def wait_log(self, text, count=1, timeout=10, since=0):
        """Waits until the log, from character `since` on, shows `text` `count` times."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.log()[since:].count(text) >= count:
                return
            time.sleep(0.1)
        self.fail("log never showed %r %d times:\n%s" % (text, count, self.log()[-2000:]))

    def test_zz_with_preflightd_stopped_postfix_answers_4xx_and_keeps_nothing(self):
        self.lab.stop_preflightd()
        code, text = self.lab.send(SENDER, ["x@partner.example.com"], message(["x@partner.example.com"]))
        self.assertGreaterEqual(code, 400)
        self.assertLess(code, 500, text)
        self.lab.flush()
        time.sleep(1)
        self.assertEqual(self.lab.queue(), [])
        self.assertEqual(self.lab.sink_files(), [])


# The same lab with `on_error: accept`: failures before a verdict let the mail pass unchecked, but a mail
# the policy holds (or approves) must never leave because holding it failed.
CONFIG_ACCEPT = CONFIG.replace("on_error: tempfail", "on_error: accept")
assert CONFIG_ACCEPT != CONFIG

POLICY_HOLD = POLICY + """\
  - id: delay-wait
    when: 'message.subject contains "WAIT"'
    action: {type: hold, delay: 1h}
  - id: approve-self
    when: 'message.subject contains "CONFIRM"'
    action: {type: approve, approvers: [self]}
"""


class LabCase(unittest.TestCase):
    """One lab per class, made from the class's CONFIG and POLICY (and an inbound listener if INBOUND)."""
    lab = None
    CONFIG = POLICY = None
    INBOUND = False
    UNIX = False  # preflightd on a unix socket (MailLab unix_milter)

    @classmethod
    def setUpClass(cls):
        cls.lab = MailLab(os.path.join(BUILD, "src/bin/preflightd"), cls.CONFIG, cls.POLICY,
                          inbound=cls.INBOUND, unix_milter=cls.UNIX).start()

    @classmethod
    def tearDownClass(cls):
        cls.lab.finish()

    def setUp(self):
        self.lab.ready()

    def log(self):
        return self.lab.read(self.lab.log_file)


class PostfixOnErrorAccept(LabCase):
    CONFIG, POLICY = CONFIG_ACCEPT, POLICY_HOLD

    def held(self):
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "queue", "list", "--config",
                            self.lab.config_file, "--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_a_hold_that_cannot_be_stored_answers_4xx_even_with_on_error_accept(self):
        spool = os.path.join(self.lab.state_dir, "spool")
        self.assertTrue(os.path.isdir(spool), "spool layout changed: %s" % spool)
        before = len(self.held())
        log_start = len(self.log())
        rcpt = ["x@partner.example.com"]
        os.rename(spool, spool + ".away")
        try:
            with open(spool, "w") as f:  # a file where the spool directory belongs: nothing can be stored
                f.write("not a directory\n")
            answers = [self.lab.send(SENDER, rcpt, message(rcpt, subject="WAIT for the numbers")),
                       self.lab.send(SENDER, rcpt, message(rcpt, subject="CONFIRM the numbers"))]
        finally:
            os.unlink(spool)
            os.rename(spool + ".away", spool)
        for (code, text), action in zip(answers, ["hold", "approve"]):
            self.assertEqual(code, 451, "%s: %s" % (action, text))
            self.assertIn("4.3.0", text)
            self.assertRegex(self.log(), r"error=\"cannot hold message: spool: [^\"]*\" answer=tempfail action=%s "
                                         r"\(on_error: accept does not apply" % action)
        self.assertNotIn("answer=accept", self.log()[log_start:])
        self.lab.flush()
        time.sleep(1)
        self.assertEqual(self.lab.queue(), [], "Postfix keeps nothing accepted unchanged: the client retries")
        self.assertEqual(self.lab.sink_files(), [], "nothing left without its hold or approval")
        self.assertEqual(len(self.held()), before, "no queue row")
        # With the spool back the same mail is held as the policy says: the 4xx was the failed hold only.
        code, text = self.lab.send(SENDER, rcpt, message(rcpt, subject="WAIT once more"))
        self.assertEqual(code, 250, text)
        self.assertEqual([m["state"] for m in self.held() if "WAIT once more" in m["subject"]], ["held"])
        self.lab.flush()
        notices = self.lab.wait_for_sink(1, timeout=10)  # the sender's notice with its cancel link
        time.sleep(1)
        self.assertEqual([m.recipients for m in self.lab.wait_for_sink(1, timeout=1)], [[SENDER]])
        self.assertEqual(notices[0].message["X-Preflight-Notice"], "held-for-delay")

    def test_a_failure_before_the_verdict_still_accepts_unchecked(self):
        spill = os.path.join(self.lab.state_dir, "tmp")
        os.rename(spill, spill + ".away")  # the next spill file cannot be created
        try:
            body = "x" * 100 + "\r\n"
            code, text = self.lab.send(SENDER, ["hanako@example.co.jp"],
                                       message(["hanako@example.co.jp"], subject="WAIT big", body=body * 1000))
        finally:
            os.rename(spill + ".away", spill)
        self.assertEqual(code, 250, text)
        self.assertRegex(self.log(), r"error=\"cannot create spill file in .*\" answer=accept \(on_error: accept\)")
        self.lab.flush()
        mails = self.lab.wait_for_sink(1)
        self.assertEqual(len(mails), 1)
        self.assertIsNone(mails[0].message["X-Preflight-Verdict"], "passed unchecked, as configured")


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
with open(os.path.join(ROOT, "policies", "checklist.yaml"), encoding="utf-8") as _f:
    POLICY_CHECKLIST = _f.read()


# preflightd on a unix socket, where the steps before end of message send no reply (SMFIP_NR_*): Postfix
# streams connect, envelope, headers and body, and everything is answered at end of message.
CONFIG_UNIX = CONFIG.replace("socket: inet:{milter_port}@127.0.0.1", "socket: unix:{milter_socket}")
assert CONFIG_UNIX != CONFIG


class PostfixUnixSocket(LabCase):
    CONFIG, POLICY, UNIX = CONFIG_UNIX, POLICY_HOLD, True

    def test_every_step_before_end_of_message_is_negotiated_without_reply(self):
        def connect():
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.lab.milter_socket)
            return s
        flags = negotiated_steps(connect)
        self.assertEqual({k for k, bit in NR_STEPS.items() if flags & bit}, set(NR_STEPS), hex(flags))

    def test_the_listener_says_its_steps_send_no_reply(self):
        self.assertIn("milter listening on unix:%s (steps before end of message send no reply)" %
                      self.lab.milter_socket, self.log())

    def test_a_bcc_rewrite_and_a_reject_are_answered_at_end_of_message(self):
        external = ["a@one.example.com", "b@two.example.com", "c@three.example.com"]
        code, text = self.lab.send(SENDER, external, message(external))
        self.assertEqual(code, 250, text)
        code, text = self.lab.send(SENDER, external[:1], message(external[:1], subject="TOP-SECRET plans"))
        self.assertEqual(code, 550, text)
        self.assertIn("Subject marked TOP-SECRET may not leave", text)
        self.lab.flush()
        mails = self.lab.wait_for_sink(1)
        self.assertEqual(len(mails), 1, "the rejected mail never arrives")
        self.assertEqual(sorted(mails[0].recipients), sorted(external))
        self.assertEqual(mails[0].message.get_all("To"), ["undisclosed-recipients:;"])
        self.assertEqual(mails[0].message["X-Preflight-Verdict"], "bcc; rules=visible-external-to-bcc")

    def test_two_mails_in_one_session_are_each_judged_on_their_own(self):
        external = ["a@one.example.com", "b@two.example.com", "c@three.example.com"]
        with smtplib.SMTP("127.0.0.1", self.lab.smtpd_port, timeout=60) as smtp:
            smtp.sendmail(SENDER, external, message(external))
            smtp.sendmail(SENDER, ["hanako@example.co.jp"], message(["hanako@example.co.jp"]))
        self.lab.flush()
        mails = self.lab.wait_for_sink(2)
        verdicts = sorted(m.message["X-Preflight-Verdict"] for m in mails)
        self.assertEqual(verdicts, ["accept", "bcc; rules=visible-external-to-bcc"])

    def test_a_failure_in_a_step_without_reply_answers_4xx_at_end_of_message(self):
        spill = os.path.join(self.lab.state_dir, "tmp")
        os.rename(spill, spill + ".away")  # the body step cannot spill: it fails and sends no reply
        try:
            code, text = self.lab.send(SENDER, ["hanako@example.co.jp"],
                                       message(["hanako@example.co.jp"], body=("x" * 100 + "\r\n") * 1000))
        finally:
            os.rename(spill + ".away", spill)
        self.assertEqual(code, 451, text)
        self.assertIn("4.3.0", text)
        self.assertRegex(self.log(), r"error=\"cannot create spill file in .*\" answer=tempfail")
        self.assertEqual(self.lab.queue(), [], "Postfix refused the mail at end of data: nothing queued")

    def test_a_held_mail_is_stored_and_only_the_notice_leaves(self):
        rcpt = ["x@partner.example.com"]
        code, text = self.lab.send(SENDER, rcpt, message(rcpt, subject="WAIT over the unix socket"))
        self.assertEqual(code, 250, text)
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "queue", "list", "--config",
                            self.lab.config_file, "--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        held = [m for m in json.loads(r.stdout) if m["subject"] == "WAIT over the unix socket"]
        self.assertEqual([m["state"] for m in held], ["held"])
        self.lab.flush()
        notices = self.lab.wait_for_sink(1, timeout=10)
        self.assertEqual([m.recipients for m in notices], [[SENDER]])
        self.assertEqual(notices[0].message["X-Preflight-Notice"], "held-for-delay")


class PostfixShippedChecklist(LabCase):
    """The shipped checklist policy in front of a real Postfix."""
    CONFIG, POLICY = CONFIG, POLICY_CHECKLIST

    def preflightctl(self, *args):
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl")] + list(args) +
                           ["--config", self.lab.config_file], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_a_my_number_list_forwarded_as_attachment_waits_for_approval_and_is_not_delivered(self):
        fixture = os.path.join(ROOT, "tests", "corpus", "incidents", "29-forwarded-my-number-list.eml")
        with open(fixture, "rb") as f:
            raw = f.read()
        rcpt = ["hr@payroll.example.com"]
        verdict = json.loads(self.preflightctl("check", fixture, "--from", SENDER, "--rcpt", rcpt[0], "--json"))
        self.assertEqual(verdict["action"], "approve")
        self.assertEqual(verdict["facts"]["content.my_number"], 5)
        self.assertEqual(verdict["facts"]["message.forwarded_messages"], 1)

        code, text = self.lab.send(SENDER, rcpt, raw)
        self.assertEqual(code, 250, text)
        held = [m for m in json.loads(self.preflightctl("queue", "list", "--json"))
                if "従業員マイナンバー一覧" in m["subject"]]
        self.assertEqual(len(held), 1, held)
        self.assertEqual((held[0]["kind"], held[0]["state"]), ("approval", "held"))
        self.assertIn("security@example.co.jp", held[0]["approvers"])
        self.assertIn("my-number", [r["id"] for r in held[0]["details"]["rules"]])
        self.lab.flush()
        time.sleep(2)
        self.lab.flush()
        delivered = [m for m in self.lab.wait_for_sink(1, timeout=5) if "hr@payroll.example.com" in m.recipients]
        self.assertEqual(delivered, [], "the forwarded list must not reach the recipient before approval")


    def held(self):
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "queue", "list", "--config",
                            self.lab.config_file, "--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_an_exe_after_the_zip_entry_limit_is_held_for_approval_not_delivered(self):
        rcpt = ["tanaka@sample.co.jp"]
        raw = with_attachment(rcpt, "Tool past the limit", "tool.zip", zip_with_exe_after(2000))
        code, text = self.lab.send(SENDER, rcpt, raw)
        self.assertEqual(code, 250, text)
        held = [m for m in self.held() if m["subject"] == "Tool past the limit"]
        self.assertEqual([m["state"] for m in held], ["held"])
        self.assertRegex(self.log(), r"action=approve rules=[^ ]*incomplete-attachment")
        self.assertRegex(self.log(), r"incomplete: tool.zip \(entries\)")
        self.lab.flush()
        time.sleep(2)
        delivered = [m for m in self.lab.wait_for_sink(0, timeout=1) if "tanaka@sample.co.jp" in m.recipients]
        self.assertEqual(delivered, [], "the held mail did not leave")
        # The same files under the limit: the executable is seen and the mail refused outright.
        code, text = self.lab.send(SENDER, rcpt, with_attachment(rcpt, "Tool", "tool.zip", zip_with_exe_after(10)))
        self.assertEqual(code, 550, text)


# A deadline far below anything a large attachment can meet: the message runs out of its budget while it
# is parsed and inspected, and the default (on_budget_exhausted: error, on_error: tempfail) answers 4xx.
CONFIG_DEADLINE = CONFIG.replace("  on_error: tempfail\n", "  on_error: tempfail\n  deadline: 0.01\n")
assert CONFIG_DEADLINE != CONFIG


class PostfixDeadline(LabCase):
    CONFIG, POLICY = CONFIG_DEADLINE, POLICY_HOLD

    def test_a_message_that_outlasts_its_deadline_gets_4xx_and_nothing_is_held(self):
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(4):
                z.writestr("part%d.csv" % i, os.urandom(2000000))
        body = base64.encodebytes(archive.getvalue()).replace(b"\n", b"\r\n")
        raw = (b"From: %s\r\nTo: x@partner.example.com\r\nSubject: WAIT for the lists\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n"
               b"see attached\r\n--XX\r\nContent-Type: application/zip; name=lists.zip\r\n"
               b"Content-Transfer-Encoding: base64\r\n\r\n" % SENDER.encode()) + body + b"--XX--\r\n"
        code, text = self.lab.send(SENDER, ["x@partner.example.com"], raw)
        self.assertEqual(code, 451, text)
        self.assertIn("4.3.0", text)
        self.assertRegex(self.log(), r"error=\"budget exhausted: time\" answer=tempfail")
        self.lab.flush()
        time.sleep(1)
        self.assertEqual(self.lab.queue(), [], "Postfix keeps nothing: the client retries")
        self.assertEqual(self.lab.sink_files(), [])
        r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), "queue", "list", "--config",
                            self.lab.config_file, "--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), [], "nothing stored in the held queue")


# One preflightd for both directions: a second smtpd marked "inbound" (milter_macro_daemon_name) is
# learned from and never checked, with a policy that would reject every mail from the customer and hold
# every reply-all that adds an outsider or a first-time recipient.
CONFIG_LEARN = CONFIG.replace("  on_error: tempfail\n", "  on_error: tempfail\n  learn_daemons: [inbound]\n")
assert CONFIG_LEARN != CONFIG

POLICY_LEARN = """\
organisation:
  internal_domains: [example.co.jp]
rules:
  - id: reject-outsiders
    senders: ["*@client.co.jp", "*@outside.example"]
    when: "recipients.total >= 1"
    action: {type: reject, message: "checked as outgoing mail"}
  - id: hold-new-outsider
    when: "thread.new_external_count >= 1"
    action: {type: hold, delay: 1h}
  - id: hold-first-time-reply
    when: ["message.reply", "recipients.first_time_count >= 1"]
    action: {type: hold, delay: 1h}
"""


def headers_added(sent, got):
    """Header lines of `got` that `sent` does not have, Postfix's Received (and its continuations) aside."""
    sent_head = sent.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")
    got_head = got.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")
    added = [line for line in got_head if line not in sent_head]
    return [a for a in added if not a.startswith(b"Received:") and not a.startswith((b"\t", b" "))]


class PostfixLearnInbound(LabCase):
    CONFIG, POLICY, INBOUND = CONFIG_LEARN, POLICY_LEARN, True

    def check(self, rcpts, raw):
        """The verdict preflightctl check gives with the daemon's store, as the milter would."""
        path = os.path.join(self.lab.root, "check.eml")
        with open(path, "wb") as f:
            f.write(raw)
        args = [os.path.join(BUILD, "src/bin/preflightctl"), "check", path, "--config", self.lab.config_file,
                "--from", SENDER, "--json"]
        for r in rcpts:
            args += ["--rcpt", r]
        r = subprocess.run(args, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def inbound(self, sender, rcpts, raw):
        code, text = self.lab.send(sender, rcpts, raw, port=self.lab.inbound_port)
        self.assertEqual(code, 250, text)
        self.lab.flush()
        mails = self.lab.wait_for_sink(1)
        self.assertEqual(len(mails), 1)
        body_sent = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
        body_got = mails[0].raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
        self.assertEqual(body_got.rstrip(b"\n"), body_sent.rstrip(b"\n"))
        self.assertEqual(headers_added(raw, mails[0].raw), [], "nothing added or changed but Received")
        self.assertEqual(sorted(mails[0].recipients), sorted(rcpts))
        return mails[0]

    def test_a_customer_reply_comes_in_unchanged_and_the_reply_all_to_the_added_colleague_is_not_held(self):
        original = message(["customer@client.co.jp"], subject="見積")
        out = self.lab.send(SENDER, ["customer@client.co.jp"], original)
        self.assertEqual(out[0], 250, out[1])
        self.lab.wait_queue_empty()
        self.lab.clear_sink()
        original_id = re.search(rb"Message-ID: (<[^>]+>)", original).group(1).decode()
        reply_all = message(["customer@client.co.jp"], cc=["colleague@client.co.jp"], subject="Re: 見積",
                            extra_headers="In-Reply-To: <in1@client.co.jp>\r\nReferences: %s <in1@client.co.jp>"
                            % original_id)
        rcpts = ["customer@client.co.jp", "colleague@client.co.jp"]
        before = self.check(rcpts, reply_all)  # what an outgoing-only gateway decides
        self.assertEqual(before["action"], "hold")
        self.assertEqual(before["facts"]["thread.new_external"], ["colleague@client.co.jp"])

        customer_reply = (
            "From: =?UTF-8?B?6aGn5a6i?= <customer@client.co.jp>\r\nTo: Taro <%s>\r\n"
            "Cc: =?UTF-8?B?5ZCM5YOa?= <colleague@client.co.jp>\r\nSubject: Re: =?UTF-8?B?6KaL56mN?=\r\n"
            "Date: Mon, 23 Nov 2026 11:00:00 +0900\r\nMessage-ID: <in1@client.co.jp>\r\nIn-Reply-To: %s\r\n"
            "X-Preflight-Verdict: hold; forged\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "\r\nPlease include my colleague.\r\n" % (SENDER, original_id)).encode()
        got = self.inbound("customer@client.co.jp", [SENDER], customer_reply)
        self.assertEqual(got.message.get_all("X-Preflight-Verdict"), ["hold; forged"], "not even our own header")
        self.assertRegex(self.log(), r"mode=learn from=<customer@client.co.jp> recipients.total=1 learned=2 to=1 thread=yes "
                                     r"answer=accept")
        self.assertNotIn("reject-outsiders", self.log(), "inbound mail is never evaluated")

        after = self.check(rcpts, reply_all)
        self.assertEqual(after["facts"]["thread.new_external_count"], 0)
        self.assertEqual(after["facts"]["recipients.first_time"], [])
        self.assertEqual(after["action"], "accept")
        self.lab.clear_sink()
        code, text = self.lab.send(SENDER, rcpts, reply_all)
        self.assertEqual(code, 250, text)
        self.lab.flush()
        mails = self.lab.wait_for_sink(1)
        self.assertEqual([sorted(m.recipients) for m in mails], [sorted(rcpts)], "delivered, not held")
        self.assertEqual(mails[0].message["X-Preflight-Verdict"], "accept")

    def test_a_relayed_external_mail_passes_unchanged_teaches_nothing_and_is_a_warning(self):
        raw = ("From: a@outside.example\r\nTo: b@elsewhere.example\r\nCc: c@third.example\r\nSubject: relay\r\n"
               "Date: Mon, 23 Nov 2026 12:00:00 +0900\r\nMessage-ID: <relay1@outside.example>\r\n\r\nhello\r\n").encode()
        self.inbound("a@outside.example", ["b@elsewhere.example"], raw)
        self.assertRegex(self.log(), r"mode=learn relayed=1: a learn-mode listener carried mail to external")
        self.assertRegex(self.log(), r"mode=learn from=<a@outside.example> recipients.total=1 learned=0 "
                                     r"skipped=no-internal-recipient answer=accept")

    def test_zz_with_preflightd_stopped_inbound_mail_is_accepted_and_outgoing_mail_waits(self):
        self.lab.stop_preflightd()
        raw = ("From: customer@client.co.jp\r\nTo: %s\r\nSubject: while it is down\r\n"
               "Date: Mon, 23 Nov 2026 12:00:00 +0900\r\nMessage-ID: <down1@client.co.jp>\r\n\r\nhello\r\n"
               % SENDER).encode()
        self.inbound("customer@client.co.jp", [SENDER], raw)
        code, text = self.lab.send(SENDER, ["x@partner.example.com"], message(["x@partner.example.com"]))
        self.assertGreaterEqual(code, 400)
        self.assertLess(code, 500, text)


EXE = b"MZ" + b"\0" * 58 + b"\x40\0\0\0" + b"PE\0\0" + b"\0" * 200


def zip_with_exe_after(entries):
    """A zip of `entries` empty files and then setup.exe."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for i in range(entries):
            z.writestr("%04d" % i, b"")
        z.writestr("setup.exe", EXE)
    return buf.getvalue()


def with_attachment(to, subject, filename, data):
    head = message(to, subject=subject).split(b"\r\n\r\n", 1)[0].replace(
        b"Content-Type: text/plain; charset=utf-8", b"Content-Type: multipart/mixed; boundary=b")
    body = ("--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe tool.\r\n--b\r\n"
            "Content-Type: application/zip\r\nContent-Disposition: attachment; filename=%s\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n"
            % (filename, base64.encodebytes(data).decode().replace("\n", "\r\n")))
    return head + b"\r\n\r\n" + body.encode()


if __name__ == "__main__":
    unittest.main(verbosity=2)
