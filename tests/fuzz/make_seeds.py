"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/ from small fixtures: the
mail corpus, policies and hand-made or tool-made files of each attachment format. Every seed is small
(well under 50 KiB), so the smoke run replays them all quickly.

Run after changing it: /usr/bin/python3 tests/fuzz/make_seeds.py   (needs zip, 7z, gzip, qpdf and Debian's
python3-openpyxl and python3-xlwt; outputs are committed). Inputs the fuzzer found that once crashed a
target are not written here: they live on as unit tests (docs/fuzzing.md).
"""
import base64
import gzip
import hashlib
import hmac
import io
import os
import shutil
import subprocess
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
LINK_KEY = b"fuzz-link-key"  # the key tests/fuzz/link_token.cpp verifies with


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert len(data) < 50 * 1024, (target, name, len(data))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


def mail_seeds():
    for kind, name in [("benign", "08-iso2022jp-quote.eml"), ("benign", "28-text-and-html-alternatives.eml"),
                       ("benign", "04-encrypted-zip-password-separately.eml"),
                       ("incidents", "05-hidden-patient-sheet.eml"), ("incidents", "16-my-number-in-body.eml"),
                       ("incidents", "04-iso2022jp-to-20-parents.eml")]:
        put("mail_parse", name, slurp(os.path.join(ROOT, "tests", "corpus", kind, name)))
    put("mail_parse", "rfc2231-forward.eml",
        "From: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= <a@example.co.jp>\r\nTo: undisclosed-recipients:;\r\n"
        "Subject: =?UTF-8?B?5pel5g==?= =?UTF-8?B?nKzoqp4=?=\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=shift_jis\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n\x93\xfa\x96\x7b\x8c\xea\r\n--b1\r\n"
        "Content-Type: message/rfc822\r\n\r\nFrom: b@x.jp\r\nSubject: inner\r\n\r\ninner body\r\n--b1\r\n"
        "Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n"
        " filename*0*=UTF-8''%E5%90%8D%E7%B0%BF;\r\n filename*1=.csv\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "MTIzNDU2Nzg5MDEy\r\n--b1--\r\n".encode("latin-1"))


def header_seeds():
    values = ["=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "=?UTF-8?Q?caf=C3=A9_au_lait?= =?UTF-8*ja?B?55Sw5Lit?=",
              "=?UTF-8?B?5pel5g==?=\r\n =?UTF-8?B?nKzoqp4=?=", "attachment; filename*=UTF-8''%E5%90%8D%E7%B0%BF.xlsx",
              "application/octet-stream; name*0*=ISO-2022-JP''%1B%24B; name*1*=F%7CK%5C8l%1B%28B; name*2=.txt",
              "attachment; filename=\"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=.pdf\"", "\"=?UTF-8?B?55Sw5Lit?=\" <a@x.jp>"]
    for i, v in enumerate(values):
        put("header_decode", "h%d" % i, v)
    put("header_decode", "raw-cp932", b"attachment; filename=\"\x95\x5c.xls\"")


def address_seeds():
    values = ["=?UTF-8?B?55Sw5Lit?= <a@example.jp>, \"Plain\" <b@x.com>", "undisclosed-recipients:;",
              "team: a@x.jp, \"B, C\" <b@y.jp>;, d@z.co.jp (comment)", "<@route:a@x.jp>, a.b+c@[127.0.0.1]"]
    for i, v in enumerate(values):
        put("address", "a%d" % i, v)


def zip_bytes(items, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in items:
            z.writestr(name, data)
    return buf.getvalue()


CT_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
        ' Target="%s"/></Relationships>')


def docx():
    body = ''.join('<w:p><w:r><w:t>%s</w:t></w:r></w:p>' % t for t in ["顧客名簿", "個人番号 1234 5678 9012"])
    return zip_bytes([
        ("[Content_Types].xml", CT_HEAD + '<Override PartName="/word/document.xml" ContentType="application/'
         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels", RELS % "word/document.xml"),
        ("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
         '<w:body>%s</w:body></w:document>' % body)])


def pptx():
    return zip_bytes([
        ("[Content_Types].xml", CT_HEAD + '<Override PartName="/ppt/presentation.xml" ContentType="application/'
         'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'),
        ("_rels/.rels", RELS % "ppt/presentation.xml"), ("ppt/presentation.xml", "<p:presentation/>"),
        ("ppt/slides/slide1.xml", '<p:sld><a:t>社外秘</a:t><a:t>見積</a:t></p:sld>'),
        ("ppt/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))])


def xlsx_by_hand():
    wb = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="r"><sheets>'
          '<sheet name="名簿" sheetId="1" r:id="rId1"/><sheet name="Hidden" sheetId="2" state="hidden" r:id="rId2"/>'
          '<sheet name="Macro1" sheetId="3" state="veryHidden" r:id="rId3"/></sheets></workbook>')
    sheet = ('<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>123456789012</v></c>'
             '<c r="C1" t="inlineStr"><is><t>a&amp;b</t></is></c></row></sheetData></worksheet>')
    return zip_bytes([
        ("[Content_Types].xml", CT_HEAD + '<Override PartName="/xl/workbook.xml" ContentType="application/'
         'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/macrosheets/'
         'sheet3.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>'),
        ("_rels/.rels", RELS % "xl/workbook.xml"), ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
         '<Relationship Id="rId2" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" '
         'Target="macrosheets/sheet3.xml"/></Relationships>'),
        ("xl/sharedStrings.xml", '<sst><si><t>田中 一郎</t></si><si><r><t>rich</t></r></si></sst>'),
        ("xl/worksheets/sheet1.xml", sheet), ("xl/worksheets/sheet2.xml", sheet),
        ("xl/macrosheets/sheet3.xml", "<xm:macrosheet/>")])


def xlsx_by_openpyxl(tmp):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "顧客"
    ws.append(["氏名", "電話", "マイナンバー"])
    ws.append(["田中", "090-1234-5678", "123456789018"])
    wb.create_sheet("secret").sheet_state = "hidden"
    path = os.path.join(tmp, "o.xlsx")
    wb.save(path)
    return slurp(path)


def xls_by_xlwt(tmp):
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名簿")
    ws.write(0, 0, "田中")
    ws.write(0, 1, "090-1234-5678")
    hidden = wb.add_sheet("hidden")
    hidden.visibility = 1
    path = os.path.join(tmp, "w.xls")
    wb.save(path)
    return slurp(path)


def run(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, shell=True, check=True, stdout=subprocess.DEVNULL)


def archive_seeds(tmp):
    with open(os.path.join(tmp, "list.csv"), "w") as f:
        f.write("name,number\nTanaka,123456789018\n")
    with open(os.path.join(tmp, "run.bat"), "w") as f:
        f.write("@echo off\r\nstart calc.exe\r\n")
    run("zip -q -X plain.zip list.csv run.bat && zip -q -X -P secret crypt.zip list.csv && "
        "zip -q -X -0 stored.zip list.csv && zip -q -X nested.zip plain.zip", tmp)
    for name in ["plain.zip", "crypt.zip", "stored.zip", "nested.zip"]:
        put("inspect_zip", name, slurp(os.path.join(tmp, name)))
    put("inspect_zip", "sjis-names.zip", zip_bytes([("\u540d\u7c3f/a.txt", "x"), ("b.exe", b"MZ" + bytes(62))]))
    run("7z a -bd -bso0 plain.7z list.csv && 7z a -bd -bso0 -psecret data.7z list.csv && "
        "7z a -bd -bso0 -psecret -mhe=on hdr.7z list.csv && 7z a -bd -bso0 -m0=copy copy.7z list.csv run.bat", tmp)
    for name in ["plain.7z", "data.7z", "hdr.7z", "copy.7z"]:
        put("inspect_7z", name, slurp(os.path.join(tmp, name)))
    # RAR: no free tool writes it; block headers as the format describes them (RAR 4 marker + archive header
    # with the encrypted-headers flag, RAR 5 with an encryption header, RAR 5 with a file header).
    put("inspect_rar", "rar4-encrypted", b"Rar!\x1a\x07\x00" + b"\x00\x00\x73\x80\x00\x0d\x00" + bytes(6))
    put("inspect_rar", "rar5-encrypted", b"Rar!\x1a\x07\x01\x00" + b"\x00\x00\x00\x00\x03\x04\x00\x00")
    put("inspect_rar", "rar5-file", b"Rar!\x1a\x07\x01\x00" + b"\x00\x00\x00\x00\x0b\x02\x03\x00\x08\x00\x00"
        b"\x00\x00\x00\x05list.csv" + bytes(8))
    put("inspect_gzip", "list.csv.gz", gzip.compress(slurp(os.path.join(tmp, "list.csv")), mtime=0))
    put("inspect_gzip", "run.bat.gz", gzip.compress(slurp(os.path.join(tmp, "run.bat")), mtime=0))
    put("inspect_gzip", "two-members.gz", gzip.compress(b"a", mtime=0) + gzip.compress(b"PK\x03\x04", mtime=0))


def simple_pdf(content):
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5"
               " 0 R >> >> >>", "<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, o in enumerate(objects):
        offsets.append(len(pdf))
        pdf += ("%d 0 obj\n%s\nendobj\n" % (i + 1, o)).encode("latin-1")
    xref = len(pdf)
    pdf += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)).encode()
    for off in offsets:
        pdf += ("%010d 00000 n \n" % off).encode()
    pdf += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)).encode()
    return pdf


def pdf_seeds(tmp):
    plain = simple_pdf("BT /F1 12 Tf 72 720 Td (Customer list: Tanaka) Tj 0 -14 Td [(Total ) -300 (\\(JPY\\) 5000)] TJ"
                       " <48656c6c6f> Tj ET")
    put("inspect_pdf", "plain.pdf", plain)
    with open(os.path.join(tmp, "in.pdf"), "wb") as f:
        f.write(plain)
    run("qpdf --compress-streams=y --object-streams=generate in.pdf packed.pdf && "
        "qpdf --allow-weak-crypto --encrypt '' owner 128 -- in.pdf rc4.pdf && qpdf --encrypt user owner 256 -- in.pdf aes.pdf", tmp)
    for name in ["packed.pdf", "rc4.pdf", "aes.pdf"]:
        put("inspect_pdf", name, slurp(os.path.join(tmp, name)))


def office_seeds(tmp):
    put("inspect_ooxml", "list.docx", docx())
    put("inspect_ooxml", "deck.pptm", pptx())
    put("inspect_ooxml", "zip-with-marker.zip", zip_bytes([("[Content_Types].xml", CT_HEAD + "</Types>"),
                                                            ("setup.exe", b"MZ" + bytes(62))]))
    put("inspect_xlsx", "hidden.xlsm", xlsx_by_hand())
    put("inspect_xlsx", "openpyxl.xlsx", xlsx_by_openpyxl(tmp))
    put("inspect_cfb", "xlwt.xls", xls_by_xlwt(tmp))


def fixture_seeds():
    """Real documents and disk images of tests/fixtures (made by LibreOffice, genisoimage, mkfs.fat)."""
    for target, names in [("inspect_pdf", ["quote-ja.pdf"]), ("inspect_cfb", ["minutes-ja.doc", "list-ja.xls"]),
                          ("inspect_disk", ["invoice.iso", "invoice.img", "invoice.vhd"])]:
        for name in names:
            put(target, name, slurp(os.path.join(ROOT, "tests", "fixtures", name)))


def text_seeds():
    texts = ["個人番号 1234 5678 9012\nマイナンバー：１２３４－５６７８－９０１８\n", "Card 4111 1111 1111 1111, TEL 03-1234-5678",
             "〒100-0001 東京都千代田区 社外秘 Confidential taro@example.co.jp 法人番号 1234567890123"]
    for i, t in enumerate(texts):
        put("content", "t%d" % i, t)
    html = ["<html><head><style>p{}</style></head><body><p>1234<span></span>5678<b>9012</b></p>"
            "<blockquote><div>quoted &amp; &#x500B;&#20154;</div></blockquote><table><tr><td>a<td>b</table>"
            "<pre>  keep   spaces </pre><!-- c --><script>x<y</script></body></html>",
            "<ul><li>one<li>two</ul><br/>&nbsp;&lt;&gt;&unknown; &#0; &#x110000;<p",]
    for i, h in enumerate(html):
        put("html_text", "h%d.html" % i, h)


def charset_seeds():
    # First byte: index into the charset list of tests/fuzz/charset.cpp.
    put("charset", "iso2022jp", b"\x00" + b"\x1b$BF|K\\8l\x1b(B \x1b$B-!\x1b(B \x1b(I1\x1b(B")
    put("charset", "sjis", b"\x01" + "日本語①㈱髙".encode("cp932"))
    put("charset", "eucjp", b"\x02" + "日本語".encode("euc_jp"))
    put("charset", "utf16", b"\x06\xff\xfe" + "日本".encode("utf-16-le"))
    put("charset", "guess", b"\x08" + "表示".encode("cp932"))


def policy_seeds():
    for name in ["default.yaml", "checklist.yaml"]:
        put("policy_compile", name, slurp(os.path.join(ROOT, "policies", name)))
    put("policy_compile", "small.yaml", "organisation:\n  internal_domains: [example.co.jp]\nrules:\n"
        "  - id: many\n    when: { recipients.external: { gte: 10 } }\n    action: hold\n")


def directory_seeds():
    # First byte even: CSV; odd: YAML (tests/fuzz/directory.cpp).
    put("directory", "dir.csv", "\x00address,supervisor,deputy,delegate,department\n# comment\n"
        "taro@example.co.jp,boss@example.co.jp,,,営業部\nhana@example.co.jp,,taro@example.co.jp,,\n")
    put("directory", "dir.yaml", "\x01- address: taro@example.co.jp\n  supervisor: boss@example.co.jp\n"
        "  department: 営業部\n- {address: hana@example.co.jp, deputy: taro@example.co.jp}\n")


def log_seeds():
    put("postfix_log", "syslog.log",
        "Nov 22 09:00:00 gw postfix/qmgr[100]: 4AAA: from=<Taro@example.co.jp>, size=900, nrcpt=2 (queue active)\n"
        "Nov 22 09:00:01 gw postfix/smtp[200]: 4AAA: to=<a@partner.com>, relay=mx[1.2.3.4]:25, delay=1, "
        "dsn=2.0.0, status=sent (250 ok)\nNov 22 09:00:02 gw postfix/smtp[201]: 4BBB: to=<orphan@x.com>, "
        "status=sent (250 ok)\nNov 22 09:00:03 gw postfix/cleanup[300]: 4CCC: message-id=<x@y>\n")
    put("postfix_log", "iso.log",
        "2026-11-20T08:00:00.123+09:00 gw postfix/qmgr[1]: 5X: from=<s@example.co.jp>, size=1\n"
        "2026-11-20T08:00:01.456+09:00 gw postfix/lmtp[2]: 5X: to=<t@p.jp>, orig_to=<u@p.jp>, status=sent (250)\n")


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def netstring(s):
    return str(len(s)).encode() + b":" + s + b","


def link_seeds():
    # First byte odd: the rest is a payload the target signs; even: the rest is a whole token.
    payload = b"pf1:" + netstring(b"20261123-abc") + netstring(b"boss@example.co.jp") + netstring(b"approve") + \
        netstring(b"2000000000")
    token = b64url(payload) + b"." + b64url(hmac.new(LINK_KEY, payload, hashlib.sha256).digest())
    put("link_token", "payload", b"\x01" + payload)
    put("link_token", "expired-payload", b"\x01" + payload.replace(b"approve", b"cancel!")[:-12] + b"10:1000000000,")
    put("link_token", "token", b"\x00" + token)
    put("link_token", "bad-mac", b"\x00" + token[:-3] + b"AAA")


def smtp_seeds():
    put("smtp_reply", "session", b"220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n250 2.1.0 Ok\r\n"
        b"354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4AAA\r\n")
    put("smtp_reply", "errors", b"421 4.3.2 shutting down\r\n55\r\n5x0 odd\r\n.\n..\r\n.x\rbare\r\n")


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        mail_seeds()
        fixture_seeds()
        header_seeds()
        address_seeds()
        archive_seeds(tmp)
        pdf_seeds(tmp)
        office_seeds(tmp)
        text_seeds()
        charset_seeds()
        policy_seeds()
        directory_seeds()
        log_seeds()
        link_seeds()
        smtp_seeds()


if __name__ == "__main__":
    main()
