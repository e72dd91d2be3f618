"""The gateway's Postfix mail.log of the 30 days before the day, in Debian 12's rsyslog format (ISO 8601
timestamps): for each message the smtpd, cleanup, qmgr from=<…>, one smtp (external) or lmtp (internal
mailbox server) line per recipient, and removed; with the usual noise (connects, deferrals, a bounce)."""
from datetime import timedelta

INTERNAL = "example.co.jp"


def _stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d" % t.microsecond + "+09:00"


def _qid(rng):
    return "%010X" % rng.getrandbits(40)


def _line(t, prog, pid, text):
    return "%s mx1 postfix/%s[%d]: %s\n" % (_stamp(t), prog, pid, text)


def _delivery(rng, t, qid, rcpt, status="sent"):
    domain = rcpt.split("@")[1]
    if domain == INTERNAL or domain.endswith("." + INTERNAL):
        return _line(t, "lmtp", rng.randrange(2000, 30000),
                     "%s: to=<%s>, relay=mbox01.example.co.jp[10.10.0.21]:24, delay=0.31, delays=0.08/0/0.02/0.21, "
                     "dsn=2.0.0, status=sent (250 2.0.0 <%s> Saved)" % (qid, rcpt, rcpt))
    relay = "mx%d.%s[203.0.113.%d]:25" % (rng.randrange(1, 3), domain, rng.randrange(1, 255))
    if status == "deferred":
        return _line(t, "smtp", rng.randrange(2000, 30000),
                     "%s: to=<%s>, relay=%s, delay=31, delays=0.1/0/30/0, dsn=4.4.1, status=deferred "
                     "(connect to %s: Connection timed out)" % (qid, rcpt, relay, relay.split("[")[0]))
    if status == "bounced":
        return _line(t, "smtp", rng.randrange(2000, 30000),
                     "%s: to=<%s>, relay=%s, delay=1.2, delays=0.1/0/0.4/0.7, dsn=5.1.1, status=bounced (host %s said: "
                     "550 5.1.1 <%s>: Recipient address rejected: User unknown (in reply to RCPT TO command))"
                     % (qid, rcpt, relay, relay.split("[")[0], rcpt))
    return _line(t, "smtp", rng.randrange(2000, 30000),
                 "%s: to=<%s>, relay=%s, delay=1.4, delays=0.12/0.01/0.45/0.82, dsn=2.0.0, status=sent "
                 "(250 2.0.0 Ok: queued as %s)" % (qid, rcpt, relay, _qid(rng)))


def message_lines(rng, t, sender, rcpts):
    qid, pid = _qid(rng), rng.randrange(2000, 30000)
    ip = "10.20.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
    out = [_line(t, "submission/smtpd", pid, "connect from pc-%s.corp.example.co.jp[%s]" % (ip.replace(".", "-"), ip)),
           _line(t, "submission/smtpd", pid, "%s: client=pc-%s.corp.example.co.jp[%s], sasl_method=LOGIN, "
                 "sasl_username=%s" % (qid, ip.replace(".", "-"), ip, sender.split("@")[0])),
           _line(t, "cleanup", rng.randrange(2000, 30000), "%s: message-id=<%08x.%s>" % (qid, rng.getrandbits(32), sender)),
           _line(t, "qmgr", 1187, "%s: from=<%s>, size=%d, nrcpt=%d (queue active)" % (qid, sender, rng.randrange(3000, 900000),
                                                                                     len(rcpts))),
           _line(t, "submission/smtpd", pid, "disconnect from pc-%s.corp.example.co.jp[%s] ehlo=2 starttls=1 auth=1 mail=1 "
                 "rcpt=%d data=1 quit=1 commands=%d" % (ip.replace(".", "-"), ip, len(rcpts), 7 + len(rcpts)))]
    t2 = t + timedelta(seconds=1)
    for rcpt in rcpts:
        roll = rng.random()
        if roll < 0.004:
            out.append(_delivery(rng, t2, qid, rcpt, "deferred"))
            out.append(_delivery(rng, t2 + timedelta(minutes=5), qid, rcpt))
        else:
            out.append(_delivery(rng, t2, qid, rcpt))
    out.append(_line(t2 + timedelta(seconds=1), "qmgr", 1187, "%s: removed" % qid))
    return out


def write(path, rng, history, bounces=()):
    """history: [(datetime, sender, [rcpts])]; bounces: [(datetime, sender, rcpt)] never delivered."""
    items = [(t, s, r, "sent") for t, s, r in history] + [(t, s, [r], "bounced") for t, s, r in bounces]
    items.sort(key=lambda x: x[0])
    with open(path, "w", encoding="utf-8") as f:
        for t, sender, rcpts, kind in items:
            t = t.replace(microsecond=rng.randrange(1000000))
            lines = message_lines(rng, t, sender, rcpts)
            if kind == "bounced":
                lines[5] = _delivery(rng, t + timedelta(seconds=1), lines[3].split(": ")[1], rcpts[0], "bounced")
            f.writelines(lines)
            if rng.random() < 0.02:
                f.write(_line(t, "anvil", 2201, "statistics: max connection rate 4/60s for (submission:10.20.1.15) at "
                              + t.strftime("%b %d %H:%M:%S")))
