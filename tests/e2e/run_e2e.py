"""End-to-end test of the approver web queue: a real Postfix + sink and preflightd (scripts/maillab.py),
web accounts made with preflightctl, held mail sent through Postfix, then tests/e2e/web_queue.mjs drives
headless Chromium (Debian's /usr/bin/chromium through playwright-core) against the web role. Afterwards
the mail approved in the browser must have reached the sink, and the mail outside the other approver's
scope must still be held.

Fails (never skips) when Chromium, node or tests/e2e/node_modules are missing.
Run: python3 tests/e2e/run_e2e.py BUILD_DIR   (as root; ctest does this)
"""
import base64
import email
import email.message
import email.policy
import hashlib
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from maillab import MailLab  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
ARTIFACTS = os.path.join(BUILD, "e2e-artifacts")
CHROMIUM = "/usr/bin/chromium"

CONFIG = """\
milter: {{socket: "inet:{milter_port}@127.0.0.1", timeout: 60}}
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}}}
queue: {{reinject: "unix:{reinject_socket}", notice_from: preflight@example.co.jp, interval: 0.2, lease: 5}}
web: {{listen: "127.0.0.1:{web_port}", base_url: "http://127.0.0.1:{web_port}", secure_cookies: false}}
"""

POLICY = """\
organisation:
  internal_domains: [example.co.jp]
  directory: directory.csv
rules:
  - id: partner-approval
    description: "Mail to a partner: the supervisor approves"
    when: 'recipients.external_addresses matches "*@partner.example.com"'
    action: {type: approve, approvers: [supervisor], expire: 1h}
  - id: visible-externals
    description: "Several outside companies see each other's addresses"
    when: 'recipients.visible_external >= 3'
    action: {type: approve, approvers: [supervisor], expire: 1h, allow_bcc: external}
  - id: attachments-as-links
    description: "Attachments leave as download links"
    when: 'message.subject contains "E2E-DETACH"'
    action: detach
"""

DIRECTORY = ("address,supervisor,deputy,department\n"
             "taro@example.co.jp,boss@example.co.jp,,sales\n")
SENDER = "taro@example.co.jp"
RCPT = "yamada@partner.example.com"
PASSWORDS = {"boss": "boss-password-1", "other": "other-password-1", "audit": "audit-password-1"}
USERS = [("boss", "boss@example.co.jp", "approver"), ("other", "other@example.co.jp", "approver"),
         ("audit", "audit@example.co.jp", "auditor")]


# The mail an approver approves as Bcc: three outside companies and a colleague in To/Cc.
BCC_TO = ["yamada@partner.example.com", "suzuki@another.example.net", "sato@third.example.org"]
BCC_CC = "hanako@example.co.jp"


def mime(subject, body, from_name="Taro", ctype="text/plain; charset=utf-8", cte="8bit", to=None):
    to = to or "Yamada <%s>" % RCPT
    head = ['From: %s <%s>' % (from_name, SENDER), "To: " + to, "Subject: " + subject,
            "Date: Mon, 23 Nov 2026 10:00:00 +0900", "Message-ID: <%d@example.co.jp>" % time.time_ns(),
            "MIME-Version: 1.0", "Content-Type: " + ctype, "Content-Transfer-Encoding: " + cte]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + body


def held_mails():
    jis_subject = "=?ISO-2022-JP?B?%s?=" % base64.b64encode("見積書の送付".encode("iso2022_jp")).decode()
    return [
        mime("Quote for Yamada E2E-APPROVE", b"Please find the quote below.\r\nTotal: 1,000 JPY\r\n"),
        mime("Contract draft E2E-SCOPE", b"Draft attached later.\r\n"),
        mime("<script>alert('subject');window.__xss=1</script> E2E-XSS",
             b"<html><body><p>Hello</p><script>alert('body');window.__xss=3</script>"
             b"<img src=x onerror=\"alert('img');window.__xss=4\"></body></html>\r\n",
             from_name="\"<script>alert('name');window.__xss=2</script>\"", ctype="text/html; charset=utf-8"),
        mime(jis_subject + " E2E-JIS", "お世話になっております。見積書をお送りします。\r\n".encode("iso2022_jp"),
             ctype="text/plain; charset=ISO-2022-JP", cte="7bit"),
        mime("Seminar invitation E2E-BCC", b"You are invited.\r\n",
             to=", ".join(BCC_TO) + "\r\nCc: Hanako <%s>" % BCC_CC),
    ]


def preflightctl(lab, *args, stdin=None):
    r = subprocess.run([os.path.join(BUILD, "src/bin/preflightctl"), *args, "--config", lab.config_file],
                       input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("preflightctl %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def check_prerequisites():
    missing = [p for p in (CHROMIUM, os.path.join(HERE, "node_modules", "playwright-core")) if not os.path.exists(p)]
    if missing:
        sys.exit("e2e: missing %s (run scripts/setup.sh)" % ", ".join(missing))


def wait_delivered(lab, subject_part, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        lab.flush()
        for m in lab.wait_for_sink(0, timeout=0.3):
            if m.message["X-Preflight-Notice"] is None and subject_part in str(m.message["Subject"]):
                return m
        time.sleep(0.3)
    return None


def run(lab):
    for name, email, role in USERS:
        preflightctl(lab, "user", "add", name, "--email", email, "--role", role, stdin=PASSWORDS[name] + "\n")
    for raw in held_mails():
        rcpts = BCC_TO + [BCC_CC] if b"E2E-BCC" in raw else [RCPT]
        code, text = lab.send(SENDER, rcpts, raw)
        if code != 250:
            raise RuntimeError("send: %d %s" % (code, text))
    held = json.loads(preflightctl(lab, "queue", "list", "--json"))
    if len(held) != 5:
        raise RuntimeError("expected 5 held mails, got %r" % held)
    env = dict(os.environ, PREFLIGHT_URL="http://127.0.0.1:%d" % lab.web_port, ARTIFACTS=ARTIFACTS,
               PREFLIGHT_PASSWORDS=json.dumps(PASSWORDS))
    started = time.time()
    r = subprocess.run(["node", os.path.join(HERE, "web_queue.mjs")], env=env, timeout=300)
    print("e2e: browser part took %.1f s" % (time.time() - started))
    failures = 0 if r.returncode == 0 else 1
    # (1) the mail approved in the browser arrives at the sink; (2) the other approver changed nothing.
    arrived = wait_delivered(lab, "E2E-APPROVE")
    print(("ok" if arrived else "FAIL") + ": approved mail arrived at the sink")
    failures += 0 if arrived else 1
    scope = [m for m in json.loads(preflightctl(lab, "queue", "list", "--json")) if "E2E-SCOPE" in m["subject"]]
    still_held = len(scope) == 1 and scope[0]["state"] == "held"
    print(("ok" if still_held else "FAIL") + ": mail outside the other approver's scope is still held")
    failures += 0 if still_held else 1
    failures += check_bcc_delivery(lab)
    failures += run_detach(lab)
    return failures


DETACH_NAME = "見積書 2026.pdf"
DETACH_RCPT = "client@other.example"  # not a partner-approval recipient: the mail leaves at once
DETACH_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 200 + b"\n%%EOF\n"


def run_detach(lab):
    """A mail whose attachment leaves as a link: tests/e2e/detach.mjs opens the link in Chromium,
    downloads the file and revokes the links with the sender's notice."""
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"], msg["To"], msg["Subject"] = SENDER, DETACH_RCPT, "Quote E2E-DETACH"
    msg.set_content("The quote is attached.\n")
    msg.add_attachment(DETACH_BYTES, maintype="application", subtype="pdf", filename=DETACH_NAME)
    code, text = lab.send(SENDER, [DETACH_RCPT], msg.as_bytes())
    if code != 250:
        raise RuntimeError("send: %d %s" % (code, text))
    base = "http://127.0.0.1:%d" % lab.web_port
    mail = wait_delivered(lab, "E2E-DETACH")
    notice = None
    deadline = time.time() + 30
    while notice is None and time.time() < deadline:
        lab.flush()
        notice = next((m for m in lab.wait_for_sink(0, timeout=0.3)
                       if m.message["X-Preflight-Notice"] == "detached" and SENDER in m.recipients), None)
    if mail is None or notice is None:
        print("FAIL: the detached mail or the sender's notice did not arrive")
        return 1

    def link(m, kind):
        texts = "\n".join(p.get_content() for p in m.message.walk() if p.get_content_maintype() == "text")
        found = re.findall(re.escape(base) + "/%s/[A-Za-z0-9_\\-.]+" % kind, texts)
        return found[0] if found else ""

    env = dict(os.environ, ARTIFACTS=ARTIFACTS, FILE_LINK=link(mail, "file"), REVOKE_LINK=link(notice, "revoke"),
               FILE_NAME=DETACH_NAME, FILE_SHA256=hashlib.sha256(DETACH_BYTES).hexdigest())
    r = subprocess.run(["node", os.path.join(HERE, "detach.mjs")], env=env, timeout=120)
    return 0 if r.returncode == 0 else 1


def check_bcc_delivery(lab):
    """The mail approved as Bcc reached every envelope recipient with no outside address left in To/Cc."""
    failures = 0
    arrived = wait_delivered(lab, "E2E-BCC")
    copies = [m for m in lab.wait_for_sink(0, timeout=0.3)
              if "E2E-BCC" in str(m.message["Subject"]) and m.message["X-Preflight-Notice"] is None]
    got = sorted({r for m in copies for r in m.recipients})
    want = sorted(BCC_TO + [BCC_CC])
    ok = arrived is not None and got == want
    print(("ok" if ok else "FAIL") + ": approved-as-Bcc mail reached all %d recipients (%s)" % (len(want), got))
    failures += 0 if ok else 1
    if arrived is None:
        return failures + 1
    visible = str(arrived.message["To"] or "") + " " + str(arrived.message["Cc"] or "")
    hidden = not any(a in visible for a in BCC_TO) and BCC_CC in visible and arrived.message["Bcc"] is None
    print(("ok" if hidden else "FAIL") + ": outside addresses left To/Cc, the colleague stayed (%s)" % visible)
    return failures + (0 if hidden else 1)


def main():
    check_prerequisites()
    os.makedirs(ARTIFACTS, exist_ok=True)
    lab = MailLab(os.path.join(BUILD, "src/bin/preflightd"), CONFIG, POLICY)
    with open(os.path.join(lab.root, "directory.csv"), "w") as f:
        f.write(DIRECTORY)
    started = time.time()
    try:
        lab.start()
        lab.wait_reinject()
        failures = run(lab)
    finally:
        if os.environ.get("PREFLIGHT_KEEP_LAB") is None:
            log = lab.read(lab.log_file)
            if "error" in log.lower():
                print(log[-3000:])
        lab.finish()
    print("e2e: %.1f s in all" % (time.time() - started))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
