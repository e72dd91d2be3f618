"""Serialises generated mails as RFC 5322 files the way Japanese mail clients write them (ISO-2022-JP,
UTF-8 in base64 or quoted-printable, Shift_JIS 8bit; encoded-word or RFC 2231 attachment names), and the
envelope list (envelopes.jsonl / inbound.jsonl) the replay reads."""
import base64
import html
import json
import os
import quopri
from email.header import Header
from email.utils import format_datetime

MAILERS = ["Microsoft Outlook 16.0", "Microsoft Outlook 16.0", "Microsoft Outlook 16.0", "Thunderbird 115.4.1",
           "Becky! ver. 2.81.04", "Apple Mail (2.3774.300.61.1.2)", "iPhone Mail (21A360)", None]
CHARSET_NAME = {"iso-2022-jp": "ISO-2022-JP", "utf-8-b64": "UTF-8", "utf-8-qp": "UTF-8", "utf-8-8bit": "UTF-8",
                "shift_jis": "Shift_JIS"}


class Mail:
    """One message and its envelope. to/cc are Persons (name, addr); bcc exists only in the envelope."""

    def __init__(self, time, sender, to, subject, body, cc=(), bcc=(), **kw):
        self.time, self.sender, self.to, self.cc, self.bcc = time, sender, list(to), list(cc), list(bcc)
        self.subject, self.body = subject, body
        self.env_from = kw.pop("env_from", sender.addr)
        self.style = kw.pop("style", "utf-8-b64")
        self.attachments = kw.pop("attachments", [])  # (filename, bytes, mime type, name style)
        self.calendar = kw.pop("calendar", None)
        self.html = kw.pop("html", False)
        self.msgid = kw.pop("msgid", None)
        self.in_reply_to = kw.pop("in_reply_to", None)
        self.references = kw.pop("references", [])
        self.mailer = kw.pop("mailer", None)
        self.to_header = kw.pop("to_header", None)  # e.g. "undisclosed-recipients:;"
        self.label = kw.pop("label", "ordinary")
        self.expect = kw.pop("expect", "accept")
        self.kind = kw.pop("kind")
        self.direction = kw.pop("direction", "out")
        assert not kw, kw

    def rcpts(self):
        seen, out = set(), []
        for p in self.to + self.cc + self.bcc:
            if p.addr.lower() not in seen:
                seen.add(p.addr.lower())
                out.append(p.addr)
        return out


def _codec(style):
    return {"iso-2022-jp": "iso-2022-jp", "shift_jis": "cp932"}.get(style, "utf-8")


def _fits(text, style):
    try:
        text.encode(_codec(style))
        return True
    except UnicodeEncodeError:
        return False


def encode_words(text, style):
    if all(ord(c) < 128 for c in text):
        return text
    charset = {"iso-2022-jp": "iso-2022-jp", "shift_jis": "shift_jis"}.get(style, "utf-8")
    if charset == "shift_jis":  # Python's Header has no Shift_JIS codec alias for B encoding; do it by hand
        return "=?Shift_JIS?B?%s?=" % base64.b64encode(text.encode("cp932")).decode()
    return Header(text, charset).encode(linesep="\r\n")


def address(p, style):
    if not p.name:
        return p.addr
    if all(ord(c) < 128 for c in p.name):
        return '"%s" <%s>' % (p.name, p.addr)
    return "%s <%s>" % (encode_words(p.name, style), p.addr)


def address_list(people, style):
    return ",\r\n ".join(address(p, style) for p in people)


def _body_part(text, style, subtype="plain"):
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    cs = CHARSET_NAME[style]
    head = "Content-Type: text/%s; charset=\"%s\"\r\n" % (subtype, cs)
    if style == "iso-2022-jp":
        return head + "Content-Transfer-Encoding: 7bit\r\n\r\n", text.encode("iso-2022-jp") + b"\r\n"
    if style == "shift_jis":
        return head + "Content-Transfer-Encoding: 8bit\r\n\r\n", text.encode("cp932") + b"\r\n"
    if style == "utf-8-qp":
        return head + "Content-Transfer-Encoding: quoted-printable\r\n\r\n", \
            quopri.encodestring(text.encode("utf-8")).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n"
    if style == "utf-8-8bit":
        return head + "Content-Transfer-Encoding: 8bit\r\n\r\n", text.encode("utf-8") + b"\r\n"
    return head + "Content-Transfer-Encoding: base64\r\n\r\n", _b64(text.encode("utf-8"))


def _b64(data):
    enc = base64.b64encode(data).decode()
    return ("\r\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + "\r\n").encode()


def _filename_params(name, how):
    if all(ord(c) < 128 for c in name):
        return '; name="%s"' % name, '; filename="%s"' % name
    if how == "rfc2231":
        from urllib.parse import quote
        v = "UTF-8''" + quote(name.encode("utf-8"), safe="")
        return '; name="%s"' % encode_words(name, "utf-8-b64"), ";\r\n filename*=%s" % v
    style = "iso-2022-jp" if how == "iso-2022-jp" and _fits(name, "iso-2022-jp") else "utf-8-b64"
    w = encode_words(name, style)
    return '; name="%s"' % w, ';\r\n filename="%s"' % w


def _attachment_part(filename, data, mime, how):
    name_p, file_p = _filename_params(filename, how)
    head = ("Content-Type: %s%s\r\nContent-Disposition: attachment%s\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            % (mime, name_p, file_p))
    return head.encode("ascii") + _b64(data)


def _as_html(text):
    paras = "".join("<p class=MsoNormal>%s</p>\r\n" % (html.escape(l) or "&nbsp;") for l in text.split("\n"))
    return "<html><head><meta charset=\"utf-8\"></head><body lang=JA>\r\n%s</body></html>" % paras


def _alternative(m, style, boundary):
    parts = [_body_part(m.body, style)]
    if m.html:
        parts.append(_body_part(_as_html(m.body), style, "html"))
    if m.calendar:
        parts.append(("Content-Type: text/calendar; charset=\"utf-8\"; method=REQUEST\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n", _b64(m.calendar)))
    if len(parts) == 1:
        return parts[0]
    out = b"".join(("--%s\r\n" % boundary).encode() + h.encode() + b for h, b in parts)
    return ("Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n" % boundary,
            out + ("--%s--\r\n" % boundary).encode())


def render(m, rng):
    style = m.style
    if not (_fits(m.body, style) and _fits(m.subject, style) and all(_fits(p.name, style) for p in m.to + m.cc)):
        style = "utf-8-b64"  # what Thunderbird and Outlook do when ISO-2022-JP cannot carry a character
    tag = "%08x" % rng.getrandbits(32)
    h = ["From: %s" % address(m.sender, style),
         "To: %s" % (m.to_header or address_list(m.to, style))]
    if m.cc:
        h.append("Cc: %s" % address_list(m.cc, style))
    h += ["Subject: %s" % encode_words(m.subject, style), "Date: %s" % format_datetime(m.time),
          "Message-ID: %s" % m.msgid]
    if m.in_reply_to:
        h.append("In-Reply-To: %s" % m.in_reply_to)
    if m.references:
        h.append("References: %s" % "\r\n ".join(m.references))
    if m.mailer:
        h.append(("X-Mailer: %s" if "Outlook" in m.mailer or "Becky" in m.mailer else "User-Agent: %s") % m.mailer)
    h += ["MIME-Version: 1.0", "Content-Language: ja-JP" if style != "utf-8-qp" else "Content-Language: ja"]
    head, body = _alternative(m, style, "alt_%s" % tag)
    if m.attachments:
        mixed = "mix_%s" % tag
        body = ("--%s\r\n" % mixed).encode() + head.encode() + body
        for a in m.attachments:
            body += ("--%s\r\n" % mixed).encode() + _attachment_part(*a)
        body += ("--%s--\r\n" % mixed).encode()
        head = "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n" % mixed
    return ("\r\n".join(h) + "\r\n").encode("ascii") + head.encode("ascii") + body


def write_all(out_dir, mails, sub, listing, rng, first=1):
    """Writes mails as sub/NNNNN.eml numbered from `first`; a `first` above 1 appends to the listing."""
    os.makedirs(os.path.join(out_dir, sub), exist_ok=True)
    with open(os.path.join(out_dir, listing), "w" if first == 1 else "a", encoding="utf-8") as env:
        for i, m in enumerate(mails, first):
            rel = "%s/%05d.eml" % (sub, i)
            with open(os.path.join(out_dir, rel), "wb") as f:
                f.write(render(m, rng))
            rec = {"file": rel, "from": m.env_from, "rcpts": m.rcpts(), "time": m.time.isoformat(),
                   "label": m.label, "expect": m.expect, "kind": m.kind}
            if m.direction == "in":
                rec["direction"] = "in"
            env.write(json.dumps(rec, ensure_ascii=False) + "\n")
