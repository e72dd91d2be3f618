"""The benchmark's message mixes, written once as files that smtp-source sends (-F).

a: about 5 KB of Japanese business text (ISO-2022-JP, as Japanese mail is sent), one external recipient
b: about 50 KB: a short Japanese text and a .docx attachment
c: a short text to 200 external recipients (the envelope; To: is undisclosed)
d: one 25 MiB attachment (incompressible), about 34 MiB on the wire
"""
import base64
import io
import os
import random
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "corpus"))
import make_corpus  # noqa: E402

SENTENCES = [
    "いつもお世話になっております。株式会社サンプル商事の山田です。",
    "先日ご依頼いただきました見積書を添付にてお送りいたします。",
    "ご不明な点がございましたら、03-1234-5678 までお気軽にお問い合わせください。",
    "納期は 2026年12月15日 を予定しております。",
    "お手数ですが、内容をご確認のうえ、ご返信いただけますと幸いです。",
    "請求金額は合計 1,234,500円（税込）となります。",
    "次回のお打ち合わせは来週火曜日の午後二時からを予定しております。",
    "Please find the revised schedule below; the meeting room is B-12.",
    "何卒よろしくお願い申し上げます。",
]

RCPT_DOMAIN = "partner.example.com"   # external to the benchmark policy's example.co.jp


def japanese_text(size, rng):
    lines = []
    while sum(len(x.encode("iso2022_jp")) + 2 for x in lines) < size:
        lines.append(rng.choice(SENTENCES))
    return "\r\n".join(lines) + "\r\n"


def headers(subject, to, content_type, extra=""):
    return ("From: Yamada <sender@example.co.jp>\r\nTo: %s\r\nSubject: %s\r\n"
            "Date: Wed, 02 Dec 2026 10:00:00 +0900\r\nMessage-ID: <bench@example.co.jp>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: %s\r\n%s\r\n" % (to, subject, content_type, extra))


def text_mail(size, to, rng):
    body = japanese_text(size, rng).encode("iso2022_jp")
    return headers("=?ISO-2022-JP?B?GyRCOCtAUTxxGyhC?=", to, "text/plain; charset=ISO-2022-JP",
                   "Content-Transfer-Encoding: 7bit\r\n").encode() + body


def docx(rng):
    """A Word document (the corpus's generator): Japanese paragraphs and an incompressible embedded image."""
    buf = io.BytesIO(make_corpus.docx([rng.choice(SENTENCES) for _ in range(200)]))
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr("word/media/image1.png", rng.randbytes(33500), zipfile.ZIP_STORED)
    return buf.getvalue()


def attachment_mail(to, filename, content_type, data, rng, text_size=1500):
    text = japanese_text(text_size, rng).encode("iso2022_jp").decode("ascii")
    return (headers("=?ISO-2022-JP?B?GyRCOCtAUTxxGyhC?=", to, "multipart/mixed; boundary=\"b1\"").encode() +
            ("--b1\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n%s"
             "--b1\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n" % (text, content_type, filename, filename)).encode() +
            base64.encodebytes(data).replace(b"\n", b"\r\n") + b"--b1--\r\n")


MIXES = {
    "a": "5 KB Japanese text",
    "b": "50 KB with a .docx",
    "c": "200 external recipients",
    "d": "one 25 MiB attachment",
}
RECIPIENTS = {"a": 1, "b": 1, "c": 200, "d": 1}


def write_mixes(directory):
    """Writes a.eml .. d.eml below `directory`; returns {mix: path}."""
    rng = random.Random(12)
    to = "Tanaka <tanaka@%s>" % RCPT_DOMAIN
    mails = {
        "a": text_mail(5000, to, rng),
        "b": attachment_mail(to, "mitsumori.docx",
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(rng), rng),
        "c": text_mail(1500, "undisclosed-recipients:;", rng),
        "d": attachment_mail(to, "data.bin", "application/octet-stream", rng.randbytes(25 * 1024 * 1024), rng),
    }
    os.makedirs(directory, exist_ok=True)
    paths = {}
    for mix, raw in mails.items():
        paths[mix] = os.path.join(directory, mix + ".eml")
        with open(paths[mix], "wb") as f:
            f.write(raw.replace(b"\r\n", b"\n"))  # smtp-source -F appends CRLF to every line
    return paths
