"""Writes the incident corpus: the incidents of the checklist re-enacted as .eml files, ordinary business
mail that must pass, and manifest.yaml (envelopes, expected rules, and the history the corpus assumes).

Run once after changing it: python3 tests/corpus/make_corpus.py   (needs `zip`; outputs are committed)
"""
import base64
import gzip
import io
import os
import random
import subprocess
import tempfile
import zipfile
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP

HERE = os.path.dirname(os.path.abspath(__file__))
ME = "taro@example.co.jp"
ENTRIES = []


def address_list(addrs):
    return ", ".join(addrs)


def mail(name, kind, item, rcpt, subject, body, to=None, cc=None, expect=None, sender=ME, attachments=(),
         headers=None, charset="utf-8", note="", html=None, facts=None):
    """Builds one message; `to`/`cc` default to the envelope recipients in To. `html` adds a text/html
    alternative (with body None: an HTML-only mail). `facts`: fact values the corpus test checks too."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = address_list(to if to is not None else rcpt)
    if cc:
        msg["Cc"] = address_list(cc)
    msg["Subject"] = subject
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0900"
    msg["Message-ID"] = "<%s@example.co.jp>" % name.replace("/", "-")
    for k, v in (headers or {}).items():
        msg[k] = v
    if body is None:
        msg.set_content(html, subtype="html", charset=charset)
    else:
        msg.set_content(body, charset=charset)
        if html is not None:
            msg.add_alternative(html, subtype="html", charset=charset)
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    path = os.path.join(HERE, kind, name + ".eml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(msg.as_bytes())
    ENTRIES.append({"file": kind + "/" + name + ".eml", "kind": kind, "item": item, "from": sender,
                    "rcpt": list(rcpt), "expect": expect, "note": note, "facts": facts or {}})


def iso2022jp_mail(name, kind, item, rcpt, subject, body, expect=None, note=""):
    """A mail as traditional Japanese mailers write it: ISO-2022-JP headers and body."""
    enc_subject = Header(subject, "iso-2022-jp").encode()
    raw = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0900\r\n"
           "Message-ID: <%s@example.co.jp>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
           % (ME, address_list(rcpt), enc_subject, name)).encode()
    raw += body.replace("\n", "\r\n").encode("iso-2022-jp") + b"\r\n"
    path = os.path.join(HERE, kind, name + ".eml")
    with open(path, "wb") as f:
        f.write(raw)
    ENTRIES.append({"file": kind + "/" + name + ".eml", "kind": kind, "item": item, "from": ME,
                    "rcpt": list(rcpt), "expect": expect, "note": note})


# --- attachments ---------------------------------------------------------------------------------------
def zip_bytes(files, password=None):
    with tempfile.TemporaryDirectory() as d:
        for n, data in files.items():
            with open(os.path.join(d, n), "wb") as f:
                f.write(data)
        args = ["zip", "-q", "-j"] + (["-P", password] if password else []) + [os.path.join(d, "out.zip")]
        subprocess.run(args + [os.path.join(d, n) for n in files], check=True)
        with open(os.path.join(d, "out.zip"), "rb") as f:
            return f.read()


def xlsx(sheets, hidden=()):
    """A minimal workbook: sheets is {name: [[cells]]}; names in `hidden` get state="hidden"."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        entries = []
        for i, (name, rows) in enumerate(sheets.items(), 1):
            state = ' state="hidden"' if name in hidden else ""
            entries.append('<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>' % (name, i, state, i))
            cells = "".join("<row>%s</row>" % "".join('<c t="inlineStr"><is><t>%s</t></is></c>' % c for c in r)
                            for r in rows)
            z.writestr("xl/worksheets/sheet%d.xml" % i,
                       '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                       'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % cells)
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships"><sheets>%s</sheets></workbook>' % "".join(entries))
    return buf.getvalue()


def docm():
    """A Word document with a VBA project, under an innocent name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.'
                   'macroEnabled.main+xml"/><Override PartName="/word/vbaProject.bin" ContentType="application/'
                   'vnd.ms-office.vbaProject"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                   '.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>請求書</w:t></w:r></w:p></w:body>'
                   '</w:document>')
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    return buf.getvalue()


def docx(paragraphs):
    """A plain Word document (no macros) with these paragraphs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   '</Relationships>')
        body = "".join("<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % p for p in paragraphs)
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                   '.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>' % body)
    return buf.getvalue()


def fixture(name):
    """A file made by tests/fixtures/make_fixtures.sh (LibreOffice documents, disk images)."""
    with open(os.path.join(HERE, "..", "fixtures", name), "rb") as f:
        return f.read()


def customers(n):
    rows = ["氏名,住所,電話番号,メールアドレス"]
    for i in range(n):
        rows.append("顧客%d,東京都千代田区%d-%d,03-%04d-%04d,customer%d@mail%d.example.jp"
                    % (i, i % 9 + 1, i % 20 + 1, 1000 + i % 9000, 2000 + i, i, i % 50))
    return "\n".join(rows).encode("utf-8")


def external(n, domain_fmt="partner%d.example.jp", local="user%d"):
    return [(local % i) + "@" + (domain_fmt % i) for i in range(n)]


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def incidents():
    k = "incidents"
    r = external(80, "mail%d.example-customer.jp")
    mail("01-to-instead-of-bcc-80", k, 4, r, "停電のお知らせ", "お客様各位\n計画停電のお知らせです。", to=r,
         expect="visible-external-to-bcc", note="power company: 80 customer addresses in To")
    r = external(107, "viewer%d.example.net")
    mail("02-cc-107-viewers", k, 4, r, "番組モニターのご案内", "モニター各位\nご案内です。", to=[ME], cc=r,
         expect="visible-external-to-bcc", note="TV station: 107 addresses in Cc")
    r = external(12, "sponsor%d.example.com")
    mail("03-cc-sponsor-companies", k, 4, r, "協賛企業各位", "協賛のお礼", to=[ME], cc=r,
         expect="visible-external-to-bcc", note="487 sponsors saw each other (12 here, 12 companies)")
    iso2022jp_mail("04-iso2022jp-to-20-parents", k, 4, external(20, "home%d.example.ne.jp", "parent%d"),
                   "遠足のお知らせ", "保護者各位\n遠足の持ち物について", expect="visible-external-to-bcc",
                   note="kindergarten contacts in To, ISO-2022-JP")
    mail("05-hidden-patient-sheet", k, 13, ["center@health.example.lg.jp"], "集計表の送付", "集計表を送付します。",
         attachments=[("集計表.xlsx", xlsx({"集計": [["地区", "件数"], ["北", "12"]],
                                            "患者一覧": [["氏名", "病名"], ["山田 花子", "インフルエンザ"]]},
                                           hidden=("患者一覧",)), "application/vnd.openxmlformats-"
                                                                 "officedocument.spreadsheetml.sheet")],
         expect="hidden-sheet", note="patient data on a forgotten second sheet")
    mail("06-wrong-file-customer-table", k, 13, ["sales@contractor.example.com"], "資料送付", "資料を送ります。",
         attachments=[("list.csv", customers(300), "text/csv")], expect="personal-data-list",
         note="customer table with names, addresses, phone numbers to a contractor (300 of 12,418 rows)")
    mail("07-class-list-mistyped-colleague", k, 9, ["sensei@exmaple.co.jp"], "クラス名簿", "名簿を送ります。",
         attachments=[("名簿.xlsx", xlsx({"1年1組": [["氏名"], ["児童1"], ["児童2"]]}),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
         expect="lookalike-recipient", note="class list to a mistyped colleague address (exmaple.co.jp)")
    mail("08-pcr-same-surname", k, 9, ["suzuki@other-hospital.example.com"], "検査結果のご連絡", "検査結果です。",
         to=["鈴木 一郎 <suzuki@other-hospital.example.com>"], expect="same-name-other-company",
         note="test results to another person with the same name")
    mail("09-member-address-table", k, 12, external(3, "member%d.example.org"), "会員名簿",
         "会員の皆様\n名簿をお送りします。",
         attachments=[("members.csv", customers(60), "text/csv")], expect="personal-data-list",
         note="all member organisations' addresses attached to a mail to several organisations")
    secret = zip_bytes({"invoice.doc": b"\xd0\xcf\x11\xe0 not really"}, password="Emotet2026")
    mail("10-emotet-ppap", k, 16, ["accounting@partner-a.example.com"], "Re: 請求書", "請求書を送付します。\n"
         "パスワード: Emotet2026", attachments=[("請求書.zip", secret, "application/zip")], expect="ppap",
         note="Emotet: encrypted ZIP with the password in the body")
    r = external(10, "client%d.example.com")
    mail("11-split-mass-mailing", k, 4, r, "セミナーのご案内", "ご案内", sender="hanako@example.co.jp",
         to=r[:4], cc=r[4:6], expect="split-mass-mailing",
         note="700 mails of 10 visible addresses: the 70th (690 exposed before)")
    mail("12-reply-all-adds-outsider", k, 6, ["tanaka@sample.co.jp", "boss@example.co.jp", "x@competitor.example.com"],
         "Re: 見積の件", "了解です。", headers={"In-Reply-To": "<thread-quote@example.co.jp>"},
         expect="reply-all-adds-outsider", note="reply-all adds an address nobody in the thread had")
    mail("13-forward-internal-thread", k, 5, ["friend@gmail.example.com"], "Fwd: 人事評価について", "参考まで",
         headers={"References": "<thread-hr@example.co.jp>"}, expect="internal-thread-forwarded-out",
         note="an internal-only HR thread forwarded outside")
    mail("14-external-mailing-list", k, 7, ["customers-list@sample.co.jp"], "価格改定", "価格改定のお知らせ",
         expect="mailing-list", note="a partner's list address")
    mail("15-important-customer", k, 11, ["ceo@bigclient.example.jp"], "契約条件", "契約条件の変更",
         expect="important-recipient", note="important customer needs the supervisor")
    mail("16-my-number-in-body", k, 12, ["hr@payroll.example.com"], "手続き書類", "山田太郎 マイナンバー: "
         "1234 5678 9018\n", expect="my-number", note="個人番号 with context")
    mail("17-card-number", k, 12, ["shop@store.example.com"], "注文", "カード番号 ４１１１－１１１１－１１１１－１１１１"
         " 有効期限 12/28", expect="card-number", note="card number in full-width digits")
    mail("18-confidential-attachment-name", k, 13, ["tanaka@sample.co.jp"], "資料", "資料です。",
         attachments=[("【社外秘】事業計画.pdf", PDF, "application/pdf")], expect="confidential-keyword",
         note="社外秘 in an attachment name")
    mail("19-macro-document", k, 0, ["tanaka@sample.co.jp"], "請求書", "請求書です。",
         attachments=[("invoice.docx", docm(), "application/octet-stream")], expect="macro-attachment",
         note="macro-enabled Word file under an innocent name")
    mail("20-exe-in-zip", k, 0, ["tanaka@sample.co.jp"], "ツール", "ツールです。",
         attachments=[("tool.zip", zip_bytes({"setup.exe": b"MZ" + b"\0" * 58 + b"\x40\0\0\0" + b"PE\0\0" +
                                              b"\0" * 200}), "application/zip")],
         expect="executable-attachment", note="an executable inside a ZIP")
    internal = ["u%d@example.co.jp" % i for i in range(7)]
    mail("21-outsider-among-colleagues", k, 3, internal + ["stranger@unknown.example.com"], "社内会議の議事録",
         "議事録です。", expect="minority-external", note="one unknown outsider among seven colleagues")
    mail("22-company-mismatch", k, 0, ["tanaka@sample.co.jp"], "テスト工業株式会社 御中 お見積り",
         "テスト工業株式会社 田中様\nお見積りを送付します。", expect="company-mismatch",
         note="mail merge: addressed to サンプル商事, greets テスト工業")
    mail("23-lookalike-partner-domain", k, 9, ["tanaka@sarnple.co.jp"], "打合せ", "打合せの件",
         expect="lookalike-recipient", note="sarnple.co.jp (rn) instead of sample.co.jp")
    mail("24-applicant-pdfs-to-45", k, 8, external(45, "city%d-example.jp", "office%d"), "応募書類",
         "応募書類を送付します。", to=[ME], attachments=[("応募書類.pdf", PDF, "application/pdf")],
         expect="first-time-domain-with-attachment",
         note="applicant documents to 45 unrelated addresses (Bcc, first time)")
    mail("25-bcc-copy-replies-all", k, 6, ["tanaka@sample.co.jp", "boss@example.co.jp"], "Re: 見積の件",
         "私からも一言", sender="hanako@example.co.jp", headers={"In-Reply-To": "<thread-quote@example.co.jp>"},
         expect="bcc-recipient-replies-all", note="got the original as Bcc, replied to all")


def benign():
    k = "benign"
    mail("01-internal-thread-with-sheet", k, 0, ["boss@example.co.jp", "hanako@example.co.jp"], "Re: 月次売上",
         "最新版です。", attachments=[("売上.xlsx", xlsx({"売上": [["月", "金額"], ["10月", "100"]]}),
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
         headers={"In-Reply-To": "<thread-hr@example.co.jp>"})
    mail("02-reply-to-known-customer", k, 0, ["tanaka@sample.co.jp"], "Re: 見積の件",
         "田中様\nサンプル商事 田中様、ご確認ありがとうございます。", to=["田中 一郎 <tanaka@sample.co.jp>"],
         headers={"In-Reply-To": "<thread-quote@example.co.jp>"})
    mail("03-newsletter-bcc", k, 0, external(40, "reader%d.example.com"), "ニュースレター 11月号",
         "いつもありがとうございます。", to=["undisclosed-recipients:;"])
    mail("04-encrypted-zip-password-separately", k, 0, ["tanaka@sample.co.jp"], "資料送付",
         "資料を送付します。パスワードは別途お知らせします。",
         attachments=[("資料.zip", zip_bytes({"a.txt": b"data"}, password="s3cret"), "application/zip")])
    mail("05-password-mail-alone", k, 0, ["tanaka@sample.co.jp"], "パスワードのお知らせ", "先ほどの資料のパスワード: s3cret")
    mail("06-project-two-partners", k, 0, ["tanaka@sample.co.jp", "sato@test-kogyo.co.jp", "boss@example.co.jp"],
         "定例会議のご案内", "サンプル商事 田中様\nテスト工業 佐藤様\n定例会議のご案内です。")
    mail("07-internal-announcement", k, 0, ["u%d@example.co.jp" % i for i in range(30)], "全社お知らせ",
         "年末の予定について")
    iso2022jp_mail("08-iso2022jp-quote", k, 0, ["tanaka@sample.co.jp"], "お見積りの件",
                   "田中様\nお世話になっております。お見積りをお送りします。")
    mail("09-reply-all-same-thread", k, 0, ["tanaka@sample.co.jp", "boss@example.co.jp"], "Re: 見積の件", "了解です。",
         headers={"In-Reply-To": "<thread-quote@example.co.jp>"})
    mail("10-signature-numbers", k, 0, ["tanaka@sample.co.jp"], "ご連絡", "よろしくお願いします。\n--\n"
         "株式会社エグザンプル 法人番号 7000012050002\n〒100-0001 東京都千代田区1-1\nTEL 03-1234-5678")
    mail("11-invoice-with-order-number", k, 0, ["tanaka@sample.co.jp"], "ご注文番号", "ご注文番号 123456789018 で承りました。")
    mail("12-forward-external-to-colleague", k, 0, ["hanako@example.co.jp"], "Fwd: 見積の件", "確認お願いします。")
    mail("13-meeting-with-known-guest", k, 0, ["u1@example.co.jp", "u2@example.co.jp", "tanaka@sample.co.jp"],
         "打合せ日程", "来週の打合せです。")
    mail("14-quote-pdf-known-customer", k, 0, ["tanaka@sample.co.jp"], "お見積書", "お見積書を添付します。",
         attachments=[("見積書.pdf", PDF, "application/pdf")])
    mail("15-internal-macro-file", k, 0, ["boss@example.co.jp"], "集計マクロ", "社内用マクロです。",
         attachments=[("集計.xlsm", docm(), "application/octet-stream")])
    mail("16-internal-confidential", k, 0, ["boss@example.co.jp"], "【社外秘】経営会議資料", "社外秘の資料です。")
    mail("17-two-people-same-company", k, 0, ["tanaka@sample.co.jp", "yamada@sample.co.jp"], "ご案内",
         "サンプル商事 田中様 山田様", to=["tanaka@sample.co.jp", "yamada@sample.co.jp"])
    mail("18-new-customer-first-contact", k, 0, ["info@newcustomer.example.com"], "初めてご連絡いたします",
         "弊社製品のご紹介です。")
    mail("19-reply-known-partner-kogyo", k, 0, ["sato@test-kogyo.co.jp"], "Re: 納期", "テスト工業 佐藤様\n承知しました。")
    mail("20-internal-hr-reply", k, 0, ["boss@example.co.jp"], "Re: 人事評価について", "確認しました。",
         headers={"References": "<thread-hr@example.co.jp>"})
    mail("21-two-external-among-many-known", k, 0, ["u%d@example.co.jp" % i for i in range(6)] +
         ["tanaka@sample.co.jp"], "合同会議", "議事録です。")
    mail("22-english-mail-known", k, 0, ["tanaka@sample.co.jp"], "Meeting notes", "Thanks for your time today.")
    mail("23-phone-number-once", k, 0, ["tanaka@sample.co.jp"], "お電話ください", "090-1234-5678 までお願いします。")
    mail("24-bcc-announcement-known", k, 0, ["tanaka@sample.co.jp", "sato@test-kogyo.co.jp"], "年末年始の休業",
         "休業のお知らせです。", to=[ME])
    mail("25-large-internal-distribution", k, 0, ["u%d@example.co.jp" % i for i in range(120)], "健康診断",
         "健康診断の日程です。")


# --- whose words: quoted threads, signatures, alternatives ------------------------------------------------
def my_number(eleven):
    """A 12-digit 個人番号: the eleven digits and their check digit."""
    r = sum(int(eleven[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12)) % 11
    return eleven + str(0 if r <= 1 else 11 - r)


def signature(company, person, n):
    """A partner's signature with six phone numbers (TEL, FAX, mobile, direct, centre, free dial)."""
    return ("--\n%s\n%s\nTEL 03-%04d-1001 / FAX 03-%04d-1002\n携帯 090-%04d-1003 / 直通 06-%04d-1004\n"
            "サポート 045-%03d-1005 / フリーダイヤル 0120-%03d-106\n" % (company, person, n, n, n, n, n % 1000, n % 1000))


def quote(text, depth):
    prefix = ">" * depth + " " if depth else ""
    return "".join(prefix + line + "\n" for line in text.rstrip("\n").split("\n"))


def four_deep_thread():
    """A reply under four quoted messages, each signed with six phone numbers."""
    people = [("サンプル商事株式会社 営業部", "田中 一郎", 1201), ("株式会社エグザンプル 営業部", "山田 太郎", 1202),
              ("サンプル商事株式会社 購買部", "鈴木 花子", 1203), ("株式会社エグザンプル 技術部", "佐藤 三郎", 1204)]
    body = "田中様\n\n承知しました。来週お伺いします。\n\n-- \n山田 太郎\n株式会社エグザンプル\nTEL 03-1234-5678\n\n"
    for depth, (company, person, n) in enumerate(people, 1):
        body += quote("On Mon, 2%d Nov 2026 at 10:00, %s <p%d@example.jp> wrote:" % (depth, person, depth), depth - 1)
        body += quote("ご確認をお願いします。(%d)\n\n%s" % (depth, signature(company, person, n)), depth)
    return body


FOOTER = ("CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended solely for the\n"
          "addressee. If you have received this e-mail in error, please notify the sender and delete it.\n")


def contact_rows(n):
    return ["担当%s様 TEL 03-5555-%04d" % (chr(ord("A") + i % 26), 2000 + i) for i in range(n)]


def whose_words():
    mail("26-reply-quoting-confidentiality-footer", "benign", 12, ["tanaka@sample.co.jp"], "Re: 見積の件",
         "田中様\n\n承知しました。\n\n-- \n山田 太郎 / 株式会社エグザンプル\n\n"
         "On Mon, 23 Nov 2026 at 10:00, Tanaka Ichiro <tanaka@sample.co.jp> wrote:\n"
         + quote("お見積書をお送りします。\n\n--\nIchiro Tanaka, Sample Trading\n\n" + FOOTER, 1),
         headers={"In-Reply-To": "<thread-quote@example.co.jp>"},
         facts={"content.keywords": "[]", "content.quoted.keywords": "[confidential]"},
         note="a partner's confidentiality footer quoted in the reply is not the sender's marking")
    mail("27-four-deep-quoted-signatures", "benign", 12, ["tanaka@sample.co.jp"], "Re: Re: Re: Re: 打合せ",
         four_deep_thread(), headers={"In-Reply-To": "<thread-quote@example.co.jp>"},
         facts={"content.phone": "0", "content.quoted.phone": "25"},
         note="four quoted signatures with six phone numbers each")
    rows = contact_rows(12)
    mail("28-text-and-html-alternatives", "benign", 12, ["tanaka@sample.co.jp"], "担当者の連絡先",
         "田中様\n\n弊社の担当者です。\n" + "\n".join(rows) + "\n",
         html="<html><body><p>田中様</p><p>弊社の担当者です。</p><table>%s</table></body></html>\n"
              % "".join("<tr><td>%s</td></tr>" % r for r in rows),
         facts={"content.phone": "12"}, note="twelve phone numbers in text/plain and again in text/html")
    mail("26-own-text-25-phones", "incidents", 12, ["sales@contractor.example.com"], "顧客連絡先",
         "お疲れ様です。顧客の連絡先です。\n" + "\n".join(contact_rows(25)) + "\n", expect="personal-data-list",
         facts={"content.phone": "25"}, note="the sender's own text lists 25 phone numbers")
    numbers = [my_number("%011d" % (12345678901 + 7 * i)) for i in range(3)]
    split = ["%s<span></span>%s<b></b>%s" % (n[:4], n[4:8], n[8:]) for n in numbers]
    mail("27-html-my-numbers-split-by-tags", "incidents", 12, ["hr@payroll.example.com"], "手続き書類", None,
         html="<html><body><p>従業員の番号です。</p>%s</body></html>\n" % "".join("<p>%s</p>" % x for x in split),
         expect="my-number", facts={"content.my_number": "3"},
         note="HTML only: three 個人番号 split by empty tags")
    mail("28-reply-quoting-my-number", "incidents", 12, ["hr@payroll.example.com"], "Re: 手続き書類",
         "受領しました。\n\nOn Mon, 23 Nov 2026 at 10:00, HR <hr@payroll.example.com> wrote:\n"
         + quote("山田太郎 マイナンバー: %s %s %s" % (numbers[0][:4], numbers[0][4:8], numbers[0][8:]), 1),
         expect="my-number", facts={"content.my_number": "1", "content.quoted.my_number": "1"},
         note="a reply quoting a 個人番号 still sends it")


# --- forwarded as attachment: message/rfc822 parts as Thunderbird and Outlook write them -----------------
def b64_lines(data):
    s = base64.b64encode(data).decode()
    return "".join(s[i:i + 76] + "\r\n" for i in range(0, len(s), 76))


def word(text, charset="UTF-8"):
    """One RFC 2047 B encoded-word."""
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset.lower())).decode())


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def fixed_zip(files):
    """A ZIP with fixed timestamps, so the fixture is the same on every run."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in files.items():
            z.writestr(zipfile.ZipInfo(n, date_time=(2026, 11, 20, 9, 0, 0)), data)
    return buf.getvalue()


def raw_mail(name, kind, item, sender, rcpt, raw, expect=None, note="", facts=None):
    path = os.path.join(HERE, kind, name + ".eml")
    with open(path, "wb") as f:
        f.write(raw)
    ENTRIES.append({"file": kind + "/" + name + ".eml", "kind": kind, "item": item, "from": sender,
                    "rcpt": list(rcpt), "expect": expect, "note": note, "facts": facts or {}})


def inner_mail(sender, to, subject, date, msgid, plain, html, attachments=()):
    """The forwarded mail as its author's client sent it: text/plain and text/html alternatives (UTF-8,
    base64) and attachments."""
    alt = "----=_Alt_%s" % msgid.split("@")[0]
    mixed = "----=_Mixed_%s" % msgid.split("@")[0]
    head = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
            % (sender, to, word(subject), date, msgid))
    body = ("--%s\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s"
            "--%s\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s--%s--\r\n"
            % (alt, b64_lines(crlf(plain).encode()), alt, b64_lines(crlf(html).encode()), alt))
    if not attachments:
        return head + 'Content-Type: multipart/alternative; boundary="%s"\r\n\r\n%s' % (alt, body)
    out = head + 'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n--%s\r\n' % (mixed, mixed)
    out += 'Content-Type: multipart/alternative; boundary="%s"\r\n\r\n%s\r\n' % (alt, body)
    for filename, data, mime in attachments:
        out += ('--%s\r\nContent-Type: %s; name="%s"\r\nContent-Disposition: attachment; filename="%s"\r\n'
                "Content-Transfer-Encoding: base64\r\n\r\n%s" % (mixed, mime, word(filename), word(filename),
                                                                 b64_lines(data)))
    return out + "--%s--\r\n" % mixed


def thunderbird_forward(sender, to, subject, own_text, inner, inner_subject, msgid):
    """Thunderbird's Forward As Attachment: the own text, then the mail as message/rfc822 named
    "<its subject>.eml" (encoded-word in name=, RFC 2231 in filename*=), sent 8bit."""
    from urllib.parse import quote as pct
    b = "------------tb%s" % msgid.split("@")[0].replace("-", "")[:20]
    eml = inner_subject + ".eml"
    return ("Content-Type: multipart/mixed; boundary=\"%s\"\r\nMessage-ID: <%s>\r\n"
            "Date: Mon, 23 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\n"
            "User-Agent: Mozilla Thunderbird\r\nContent-Language: ja\r\nTo: %s\r\nFrom: %s\r\nSubject: %s\r\n\r\n"
            "This is a multi-part message in MIME format.\r\n--%s\r\n"
            "Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n"
            "--%s\r\nContent-Type: message/rfc822; charset=UTF-8; name=\"%s\"\r\n"
            "Content-Disposition: attachment; filename*=UTF-8''%s\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "%s\r\n--%s--\r\n"
            % (b, msgid, to, sender, word(subject), b, crlf(own_text), b, word(eml), pct(eml), inner, b)).encode()


def outlook_forward(sender, to, subject, own_text, inner, msgid):
    """Outlook's Forward as Attachment: ISO-2022-JP alternatives, then the item as message/rfc822 with a
    bare Content-Disposition (no file name: clients show the item's subject)."""
    tag = msgid.split("@")[0].replace("-", "").upper()[:24]
    mixed, alt = "_004_%sEXAMPLECOJP_" % tag, "_000_%sEXAMPLECOJP_" % tag
    html = ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" '
            'content="text/html; charset=iso-2022-jp"><style>p.MsoNormal{margin:0mm;font-size:10.5pt}</style></head>'
            '<body lang="JA" link="#0563C1"><div class="WordSection1">%s</div></body></html>'
            % "".join('<p class="MsoNormal">%s<o:p></o:p></p>' % (line or "&nbsp;") for line in own_text.split("\n")))
    import quopri
    html_qp = quopri.encodestring(crlf(html).encode("iso-2022-jp")).decode()
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nThread-Topic: %s\r\nThread-Index: AdnXq1b2c3d4e5f6g7h8i9j0kA==\r\n"
            "Date: Mon, 23 Nov 2026 10:00:00 +0900\r\nMessage-ID: <%s>\r\nAccept-Language: ja-JP, en-US\r\n"
            "Content-Language: ja-JP\r\nX-MS-Has-Attach: yes\r\nX-MS-TNEF-Correlator:\r\n"
            "X-Mailer: Microsoft Outlook 16.0\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"%s\"\r\n"
            "MIME-Version: 1.0\r\n\r\n--%s\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"%s\"\r\n\r\n"
            "--%s\r\nContent-Type: text/plain; charset=\"iso-2022-jp\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            % (sender, to, word(subject, "ISO-2022-JP"), word(subject[4:], "ISO-2022-JP"), msgid, mixed, mixed,
               alt, alt)).encode() + crlf(own_text).encode("iso-2022-jp") + (
        "\r\n\r\n--%s\r\nContent-Type: text/html; charset=\"iso-2022-jp\"\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n%s\r\n--%s--\r\n\r\n"
        "--%s\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment;\r\n"
        "\tcreation-date=\"Mon, 23 Nov 2026 01:00:00 GMT\";\r\n\tmodification-date=\"Mon, 23 Nov 2026 01:00:00 GMT\""
        "\r\n\r\n%s\r\n--%s--\r\n" % (alt, html_qp, alt, mixed, inner, mixed)).encode()


def html_of(text):
    return "<html><body>%s</body></html>" % "".join("<div>%s</div>" % (line or "<br>") for line in text.split("\n"))


def forwards():
    numbers = [my_number("%011d" % (23456789012 + 13 * i)) for i in range(5)]
    names = ["佐藤 一郎", "鈴木 花子", "高橋 健", "田中 美咲", "伊藤 翔"]
    rows = ["%s\t%s %s %s" % (n, x[:4], x[4:8], x[8:]) for n, x in zip(names, numbers)]
    list_text = ("山田さん\n\n11月入社の従業員の個人番号です。給与計算の委託先へ提出をお願いします。\n\n氏名\t個人番号\n"
                 + "\n".join(rows) + "\n\n--\n人事部 労務課 小林\n内線 2301\n")
    list_html = ("<html><body><p>山田さん</p><p>11月入社の従業員の個人番号です。給与計算の委託先へ提出をお願いします。</p>"
                 "<table><tr><th>氏名</th><th>個人番号</th></tr>%s</table><p>--<br>人事部 労務課 小林<br>内線 2301</p>"
                 "</body></html>" % "".join("<tr><td>%s</td><td>%s</td></tr>" % tuple(r.split("\t")) for r in rows))
    subject = "従業員マイナンバー一覧（11月入社）"
    inner = inner_mail("%s <jinji@example.co.jp>" % word("人事部 小林"), "taro@example.co.jp", subject,
                       "Fri, 20 Nov 2026 17:05:00 +0900", "list-1120@example.co.jp", list_text, list_html)
    raw_mail("29-forwarded-my-number-list", "incidents", 12, ME, ["hr@payroll.example.com"],
             thunderbird_forward("山田 太郎 <%s>" % ME, "hr@payroll.example.com", "Fwd: " + subject,
                                 "ご担当者様\n\n11月入社分の資料を転送します。ご確認ください。\n\n-- \n山田 太郎\n"
                                 "株式会社エグザンプル 総務部\n", inner, subject, "29-forwarded-my-number-list@example.co.jp"),
             expect="my-number", facts={"content.my_number": "5", "message.forwarded_messages": "1"},
             note="Thunderbird forward as attachment: five 個人番号 in the forwarded mail's text and HTML")

    pe = b"MZ" + b"\0" * 58 + b"\x40\0\0\0" + b"PE\0\0" + b"\0" * 200
    tool_text = "山田様\n\nツールの更新版をお送りします。添付のzipを展開して setup.exe を実行してください。\n"
    inner = inner_mail("support@vendor.example.com", "taro@example.co.jp", "ツール更新版のご案内",
                       "Fri, 20 Nov 2026 11:00:00 +0900", "tool-1120@vendor.example.com", tool_text, html_of(tool_text),
                       attachments=[("tool.zip", fixed_zip({"setup.exe": pe, "readme.txt": b"setup"}), "application/zip")])
    raw_mail("30-forwarded-exe-in-zip", "incidents", 0, ME, ["sato@test-kogyo.co.jp"],
             outlook_forward("%s <%s>" % (word("山田 太郎", "ISO-2022-JP"), ME), "sato@test-kogyo.co.jp",
                             "FW: ツール更新版のご案内", "佐藤様\n\nお世話になっております。\n下記のツールを転送いたします。\n",
                             inner, "30-forwarded-exe-in-zip@example.co.jp"),
             expect="executable-attachment",
             facts={"attachments.executables": "1", "message.forwarded_messages": "1"},
             note="Outlook forward as attachment: a vendor's zip with an executable, two levels down")

    notes = ("各位\n\n定例会議の議事録です。\n1. 納期: 12月10日\n2. 次回: 12月1日 10:00\n\n-- \n営業部 部長 鈴木\n"
             "TEL 03-1234-5601 / FAX 03-1234-5602\n携帯 090-1234-5603\n")
    team = ", ".join("u%d@example.co.jp" % i for i in range(6))
    inner = inner_mail("boss@example.co.jp", team, "定例会議 議事録", "Fri, 20 Nov 2026 18:00:00 +0900",
                       "minutes-1120@example.co.jp", notes, html_of(notes))
    raw_mail("29-forward-as-attachment-minutes", "benign", 0, ME, ["tanaka@sample.co.jp"],
             thunderbird_forward("山田 太郎 <%s>" % ME, "tanaka@sample.co.jp", "Fwd: 定例会議 議事録",
                                 "サンプル商事 田中様\n\n先日の議事録を転送いたします。\n\n-- \n山田 太郎\n"
                                 "株式会社エグザンプル 営業部\nTEL 03-1234-5678\n", inner, "定例会議 議事録",
                                 "29-forward-as-attachment-minutes@example.co.jp"),
             facts={"message.forwarded_messages": "1", "content.phone": "0"},
             note="meeting minutes forwarded as attachment to a known partner; the signatures' phones are not a list")

    quote_text = "山田様\n\nお見積書を添付いたします。\n\n--\nサンプル商事株式会社 田中 一郎\nTEL 03-5555-0101\n"
    inner = inner_mail("%s <tanaka@sample.co.jp>" % word("田中 一郎"), "taro@example.co.jp", "お見積書の送付",
                       "Fri, 20 Nov 2026 15:00:00 +0900", "quote-1120@sample.co.jp", quote_text, html_of(quote_text),
                       attachments=[("見積書.pdf", PDF, "application/pdf")])
    raw_mail("30-outlook-forward-quote-within-partner", "benign", 0, ME, ["yamada@sample.co.jp"],
             outlook_forward("%s <%s>" % (word("山田 太郎", "ISO-2022-JP"), ME), "yamada@sample.co.jp",
                             "FW: お見積書の送付", "サンプル商事 山田様\n\n田中様からいただいたお見積書を転送いたします。\n",
                             inner, "30-outlook-forward-quote@example.co.jp"),
             facts={"message.forwarded_messages": "1", "attachments.names": "[お見積書の送付.eml/見積書.pdf]"},
             note="Outlook forward as attachment of a partner's quote to the partner's colleague")
EXE = b"MZ" + b"\0" * 58 + b"\x40\0\0\0" + b"PE\0\0" + b"\0" * 200


def zipped(entries, method=zipfile.ZIP_DEFLATED):
    """A zip (Python's zipfile) of (name, bytes) in order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def many_parts_mail(name, rcpt, parts):
    """A multipart/mixed mail of `parts` tiny text parts, then an executable: past the parser's part limit."""
    raw = ("From: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?5pel5aCx?=\r\nDate: Mon, 23 Nov 2026 10:00:00 +0900\r\n"
           "Message-ID: <%s@example.co.jp>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=b\r\n\r\n" % (ME, address_list(rcpt), name))
    raw += "--b\r\n\r\n.\r\n" * parts
    raw += ("--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=tool.exe\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n" % base64.b64encode(EXE).decode())
    path = os.path.join(HERE, "incidents", name + ".eml")
    with open(path, "wb") as f:
        f.write(raw.encode())
    ENTRIES.append({"file": "incidents/" + name + ".eml", "kind": "incidents", "item": 0, "from": ME,
                    "rcpt": list(rcpt), "expect": "incomplete-attachment",
                    "note": "an executable after the 1,000th MIME part", "facts": {"attachments.incomplete_reasons": "[parts]"}})


def incomplete_inspection():
    """What inspection cannot see is held, never passed: each limit, a damaged zip, an unknown method; and
    the zips that used to hide an executable (an OOXML marker entry, bytes in front) are now seen through."""
    k, to = "incidents", ["tanaka@sample.co.jp"]
    z = "application/zip"
    def held(name, attachment, reasons, note, **facts):
        facts["attachments.incomplete_reasons"] = "[%s]" % reasons
        mail(name, k, 0, to, "資料", "資料です。", attachments=[attachment], expect="incomplete-attachment",
             note=note, facts=facts)
    held("40-exe-after-zip-entry-limit",
         ("tool.zip", zipped([("%04d" % i, b"") for i in range(2000)] + [("setup.exe", EXE)], zipfile.ZIP_STORED), z),
         "entries", "an executable after the 2,000th zip entry", **{"attachments.executables": "0"})
    nest = zipped([("setup.exe", EXE)])
    for level in range(3):
        nest = zipped([("level%d.zip" % level, nest)])
    held("41-exe-nested-past-depth-limit", ("tool.zip", nest, z), "depth",
         "an executable in a zip in a zip in a zip in a zip", **{"attachments.executables": "0"})
    held("42-ratio-bomb", ("backup.zip", zipped([("zeros.bin", b"\0" * (20 * 1024 * 1024))]), z), "ratio",
         "20 MiB of zeros in 20 KiB", **{"attachments.bomb": "true"})
    rng = random.Random(43)
    notes = "".join(rng.choice("売上報告書の下書き0123456789\n") for _ in range(6000)).encode()
    whole = zipped([("notes.txt", notes), ("setup.exe", EXE)])
    held("43-corrupt-zip", ("tool.zip", whole[:len(whole) // 3], z), "corrupt",
         "a zip cut short: its central directory and the executable are missing")
    held("44-unknown-compression-method", ("tool.zip", zipped([("setup.exe", EXE)], zipfile.ZIP_BZIP2), z), "method",
         "an executable compressed with bzip2 (method 12)")
    mail("45-exe-beside-content-types-entry", k, 0, to, "ツール", "ツールです。",
         attachments=[("tool.zip", zipped([("[Content_Types].xml", b"<Types/>"), ("setup.exe", EXE)]), z)],
         expect="executable-attachment", note="an executable in a zip with an entry named [Content_Types].xml")
    mail("46-zip-with-bytes-in-front", k, 0, to, "ツール", "ツールです。",
         attachments=[("tool.zip", b"\0" * 16 + zipped([("setup.exe", EXE)]), "application/octet-stream")],
         expect="executable-attachment", note="16 bytes in front of a zip (unzip still opens it)")
    many_parts_mail("47-exe-after-1000-mime-parts", to, 1000)
    ordinary_archives_and_documents()


def ordinary_archives_and_documents():
    """Ordinary attachments the inspection limits must not call incomplete."""
    k, to = "benign", ["tanaka@sample.co.jp"]
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    none = {"attachments.incomplete": "false"}
    rows = "品番,品名,数量\n" + "".join("A-%03d,部品%d,%d\n" % (i, i, i * 3) for i in range(40))
    mail("29-zip-of-two-csv-files", k, 0, to, "在庫表", "在庫表を送ります。", facts=none,
         attachments=[("在庫.zip", zipped([("本社.csv", rows.encode("cp932")), ("工場.csv", rows.encode())]),
                       "application/zip")])
    mail("30-workbook", k, 0, to, "見積明細", "見積明細です。", facts=none,
         attachments=[("見積明細.xlsx", xlsx({"明細": [["品名", "金額"], ["部品A", "1200"]]}), sheet)])
    mail("31-word-document", k, 0, to, "議事録", "議事録を送ります。", facts=none,
         attachments=[("議事録.docx", docx(["定例会議 議事録", "次回は12月3日"]), word)])
    mail("32-zip-of-documents", k, 0, to, "資料一式", "資料一式です。", facts=none,
         attachments=[("資料一式.zip", zipped([("議事録.docx", docx(["議事録"])), ("見積書.pdf", PDF),
                                                ("明細.xlsx", xlsx({"明細": [["品名"], ["部品B"]]}))]),
                       "application/zip")])
    mail("33-zip-in-a-zip", k, 0, to, "過去分", "過去分をまとめました。", facts=none,
         attachments=[("過去分.zip", zipped([("2025.zip", zipped([("1月.csv", rows.encode())])), ("readme.txt", b"ok")]),
                       "application/zip")])
    mail("34-zip-of-500-photos", k, 0, to, "現場写真", "現場写真です。", facts=none,
         attachments=[("写真.zip", zipped([("IMG_%04d.jpg" % i, b"\xff\xd8\xff\xe0" + bytes(40)) for i in range(500)],
                                          zipfile.ZIP_STORED), "application/zip")])
    mail("35-stored-zip-from-a-scanner", k, 0, to, "スキャン", "スキャンしたものです。", facts=none,
         attachments=[("scan.zip", zipped([("scan001.pdf", PDF), ("scan002.pdf", PDF)], zipfile.ZIP_STORED),
                       "application/zip")])
    mail("36-gzipped-log", k, 0, to, "ログ", "ログを送ります。", facts=none,
         attachments=[("access.log.gz", gzip.compress(b"GET / 200\n" * 500, mtime=0), "application/gzip")])


CONTEXT = """\
# What the corpus assumes the organisation has sent before (history), the threads it has seen, and how
# many external addresses a sender exposed in the split-mailing window.
history:
  - [taro@example.co.jp, tanaka@sample.co.jp, 田中 一郎, 12]
  - [taro@example.co.jp, yamada@sample.co.jp, 山田 次郎, 3]
  - [taro@example.co.jp, sato@test-kogyo.co.jp, 佐藤 三郎, 5]
  - [taro@example.co.jp, suzuki@clinic.example.jp, 鈴木 一郎, 2]   # the 鈴木 taro meant (his autocomplete)
  - [taro@example.co.jp, accounting@partner-a.example.com, "", 4]
  - [taro@example.co.jp, hr@payroll.example.com, "", 6]
  - [taro@example.co.jp, shop@store.example.com, "", 2]
  - [taro@example.co.jp, center@health.example.lg.jp, "", 3]
  - [taro@example.co.jp, sales@contractor.example.com, "", 2]
  - [taro@example.co.jp, customers-list@sample.co.jp, "", 1]
  - [taro@example.co.jp, ceo@bigclient.example.jp, "", 1]
threads:
  - {message_id: "<thread-quote@example.co.jp>", from: tanaka@sample.co.jp,
     visible: [tanaka@sample.co.jp, taro@example.co.jp, boss@example.co.jp],
     recipients: [taro@example.co.jp, boss@example.co.jp, hanako@example.co.jp]}
  - {message_id: "<thread-hr@example.co.jp>", from: boss@example.co.jp,
     visible: [boss@example.co.jp, taro@example.co.jp], recipients: [taro@example.co.jp]}
exposure:
  - [hanako@example.co.jp, 690]
"""


QUOTE_LINES = ["御見積書（社外秘）", "株式会社サンプル商事 御中", "件名: 基幹システム保守 お見積り",
               "お見積金額: 1,234,000円（税込）", "担当: 山田太郎 マイナンバー: 1234 5678 9018"]


def what_people_attach():
    """Real documents (LibreOffice PDF, .doc, .xls) and disk images: secrets inside them and executables in
    ISO/VHD carriers are caught like the same text in a .docx or an .exe in a .zip; ordinary ones pass."""
    i, b = "incidents", "benign"
    hr = ["hr@payroll.example.com"]
    mail("29-my-number-in-pdf-quote", i, 12, hr, "お見積書", "お見積書を送付します。",
         attachments=[("見積書.pdf", fixture("quote-ja.pdf"), "application/pdf")], expect="my-number",
         facts={"content.my_number": "1"}, note="個人番号 in a LibreOffice PDF (CJK font, ToUnicode map)")
    mail("30-my-number-in-docx-quote", i, 12, hr, "お見積書", "お見積書を送付します。",
         attachments=[("見積書.docx", docx(QUOTE_LINES), "application/octet-stream")], expect="my-number",
         facts={"content.my_number": "1"}, note="the same quote as a .docx")
    mail("31-my-number-in-xls-list", i, 12, hr, "名簿", "名簿を送付します。",
         attachments=[("名簿.xls", fixture("list-ja.xls"), "application/vnd.ms-excel")], expect="my-number",
         note="個人番号 in a numeric cell of an Excel 97 workbook")
    mail("32-exe-in-iso", i, 0, ["tanaka@sample.co.jp"], "請求書", "請求書を送付します。",
         attachments=[("請求書.iso", fixture("invoice.iso"), "application/octet-stream")],
         expect="executable-attachment", facts={"attachments.executables": "2"},
         note="an ISO image carrying an .exe and a .lnk (the 2022 Emotet/Qakbot carrier)")
    mail("33-exe-in-vhd", i, 0, ["tanaka@sample.co.jp"], "請求書", "請求書を送付します。",
         attachments=[("請求書.vhd", fixture("invoice.vhd"), "application/octet-stream")],
         expect="executable-attachment", facts={"attachments.executables": "2"},
         note="a VHD disk image with a FAT volume carrying an .exe and a .lnk")
    partner = ["tanaka@sample.co.jp"]
    mail("29-pdf-quote", b, 0, partner, "お見積書", "お見積書を送付します。",
         attachments=[("見積書.pdf", fixture("quote-plain.pdf"), "application/pdf")],
         facts={"content.my_number_candidates": "0", "content.keywords": "[]"}, note="an ordinary PDF quote")
    mail("30-minutes-doc", b, 0, partner, "議事録", "議事録です。",
         attachments=[("議事録.doc", fixture("minutes-ja.doc"), "application/msword")], note="minutes as .doc")
    mail("31-sales-xls", b, 0, partner, "売上", "売上表です。",
         attachments=[("売上.xls", fixture("sales-ja.xls"), "application/vnd.ms-excel")], note="sales as .xls")
    mail("32-iso-with-documents", b, 0, partner, "資料", "資料一式です。",
         attachments=[("資料.iso", fixture("docs.iso"), "application/octet-stream")],
         facts={"attachments.executables": "0", "attachments.unknown_kind": "0"},
         note="an ISO image with a photo and minutes: opened, nothing to stop")
    mail("33-photo", b, 0, partner, "写真", "現場の写真です。",
         attachments=[("現場.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")],
         facts={"attachments.kinds": "[png]", "attachments.unknown_kind": "0"}, note="a photo is a known kind")
    mail("34-unknown-binary", b, 0, partner, "データ", "測定データです。",
         attachments=[("measure.dat", bytes(range(256)) * 4, "application/octet-stream")],
         facts={"attachments.unknown_kind": "1", "attachments.unknown_kind_names": "[measure.dat]"},
         note="a file of a kind nobody recognises: reported (a fact), tagged, not stopped")


def main():
    incidents()
    benign()
    whose_words()
    forwards()
    incomplete_inspection()
    what_people_attach()
    with open(os.path.join(HERE, "manifest.yaml"), "w") as f:
        f.write("# Generated by make_corpus.py. kind: incident (must be caught by `expect`) or benign (must pass).\n")
        f.write(CONTEXT)
        f.write("messages:\n")
        for e in ENTRIES:
            kind = "incident" if e["kind"] == "incidents" else "benign"
            f.write("  - file: %s\n    kind: %s\n    item: %d\n    from: %s\n" % (e["file"], kind, e["item"], e["from"]))
            f.write("    rcpt: [%s]\n" % ", ".join(e["rcpt"]))
            if e["expect"]:
                f.write("    expect: %s\n" % e["expect"])
            if e["note"]:
                f.write("    note: \"%s\"\n" % e["note"])
            if e.get("facts"):
                f.write("    facts: {%s}\n" % ", ".join('%s: "%s"' % kv for kv in e["facts"].items()))
    print(len(ENTRIES), "messages written")


if __name__ == "__main__":
    main()
