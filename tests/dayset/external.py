"""Ordinary mail with external recipients: replies to customers (quoting their mail; reply-all when the
customer added a colleague in Cc), the support desk, quotes and invoices (PDF, or encrypted ZIP with the
password in a later mail), newsletters in Bcc, first contacts after a business-card exchange, meeting
invitations with a guest, joint-project mail to two partners. Inbound originals go to day.inbound."""
import attachments as att
import bodies as B
from people import ORG, Person
from writer import MAILERS, Mail


def _inbound(day, t, sender, to, cc, subject, body, msgid, refs=(), kind="customer-mail"):
    m = Mail(t, sender, to, subject, body, cc=cc, msgid=msgid, references=list(refs),
             in_reply_to=refs[-1] if refs else None, style=day.rng.choice(["iso-2022-jp", "utf-8-b64", "utf-8-qp"]),
             mailer=day.rng.choice(MAILERS), kind=kind, direction="in")
    day.inbound.append(m)
    return m


def _reply_subject(day, subject):
    return subject if subject.upper().startswith("RE:") else day.rng.choice(["RE: ", "Re: ", "RE: "]) + subject


def customer_reply(day, company=None):
    r = day.rng
    c = company or r.choice(day.world["customers"])
    contact = r.choice(c.contacts)
    me = r.choice(c.owners)
    subj, text = r.choice(B.CUSTOMER_TOPICS)
    if contact.en:
        subj = r.choice(["Quotation request", "Delivery schedule", "Meeting follow-up", "Question on specification"])
    t_in = day.at(r.uniform(8.0, 18.5))
    cc_cust = [p for p in c.contacts if p is not contact and r.random() < 0.5][:2] if r.random() < 0.3 else []
    cc_int = day.colleagues(me, 1) if r.random() < 0.35 else []
    mid = day.customer_msgid(c.domain)
    original = B.customer_mail_text(c, contact, me, (subj, text), r, day.date)
    orig = _inbound(day, t_in, contact, [me], cc_cust + cc_int, subj, original, mid)
    t = day.later(t_in, 8, 150)
    answer = B.fill(r.choice(B.ANSWERS), r, day.date)
    core = B.fill(r.choice(B.CUSTOMER_ANSWERS), r, day.date).replace("{answer}", answer) if not contact.en else \
        "Please find our answer below.\nThe revised quotation will follow by the end of this week."
    body = B.greeting_external(c, contact, me, r) + "\n" + core + "\n" + B.closing_external(contact, r) + "\n" + \
        B.own_signature(me, r) + B.quote(original, contact, t_in, r, to_line=me.name, subject=subj)
    atts = []
    if r.random() < 0.12:
        atts.append(("製品資料_%s.pdf" % r.choice(["概要", "仕様", "導入事例"]), att.pdf("製品資料", ["Product sheet"]),
                     "application/pdf", r.choice(["rfc2231", "iso-2022-jp"])))
    kind = "customer-reply-all" if cc_cust else "customer-reply"
    reply = Mail(t, me, [contact], _reply_subject(day, subj), body, cc=cc_cust + cc_int, msgid=day.msgid(),
                 in_reply_to=mid, references=[mid], style=day.style(), attachments=atts, mailer=r.choice(MAILERS),
                 html=r.random() < 0.35, kind=kind)
    day.out.append(reply)
    return orig, reply


def support_desk(day, customer, hour):
    r = day.rng
    q = B.fill(r.choice(B.SUPPORT_QUESTIONS), r, day.date)
    t_in = day.at(hour - r.uniform(0.1, 1.5))
    mid = day.customer_msgid(customer.domain)
    subj = r.choice(["お問い合わせ", "製品について", "【問い合わせ】", "教えてください", "エラーについて"])
    original = "カスタマーサポート御中\n\n%s\n\n%s\n" % (q, customer.name) + \
        ("\n\n--\nSent from my iPhone" if r.random() < 0.3 else "")
    _inbound(day, t_in, customer, [day.support], [], subj, original, mid, kind="support-question")
    staff = r.choice(day.by_dept["カスタマーサポート部"])
    answer = B.fill(r.choice(B.SUPPORT_ANSWERS), r, day.date)
    body = ("%s様\n\nいつも弊社製品をご利用いただき、誠にありがとうございます。\n%s カスタマーサポートの%sでございます。\n\n"
            "お問い合わせの件につきまして、ご案内いたします。\n%s\n\n今後ともよろしくお願いいたします。\n\n"
            "━━━━━━━━━━━━━━━━━━━━\n%s カスタマーサポート\nTEL: 0120-123-456（平日9:00～18:00）\nMail: support@example.co.jp\n"
            "━━━━━━━━━━━━━━━━━━━━\n" % (customer.name, ORG["name"], staff.surname, answer, ORG["name"]))
    body += B.quote(original, customer, t_in, r, outlook=False)
    atts = [("操作マニュアル.pdf", att.pdf("操作マニュアル", ["Operation manual v3.2"]), "application/pdf", "rfc2231")] \
        if r.random() < 0.1 else []
    day.out.append(Mail(day.at(hour), day.support, [customer], "Re: " + subj, body, msgid=day.msgid(outlook=False),
                        in_reply_to=mid, references=[mid], style=r.choice(["iso-2022-jp", "utf-8-b64"]),
                        attachments=atts, kind="support-desk"))


def quote_or_invoice(day):
    r = day.rng
    c = r.choice([x for x in day.world["customers"] if not x.en])
    invoice = r.random() < 0.5
    me, contact = c.billing if invoice else (r.choice(c.owners), r.choice(c.contacts))
    what = "請求書" if invoice else "御見積書"
    base = "%s_%s様_%s" % (what, c.name, day.date.strftime("%Y%m%d"))
    doc = att.pdf(what, ["%s No. %d" % ("Invoice" if invoice else "Quotation", r.randrange(10000, 99999)),
                         "Total JPY %s" % format(r.randrange(50, 5000) * 1000, ",")])
    t = day.office_time()
    encrypt = r.random() < 0.5
    body = B.greeting_external(c, contact, me, r) + "\n%sをお送りいたします。\nご査収のほど、よろしくお願いいたします。\n" % what
    if encrypt:
        pw = "".join(r.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
        body += "\n※添付ファイルはパスワード付きZIPです。パスワードは別途お送りします。\n"
        data = att.zip_archive([(base + ".pdf", doc)], password=pw, names="cp932", rng=r)
        atts = [(base + ".zip", data, "application/zip", r.choice(["iso-2022-jp", "rfc2231"]))]
    else:
        atts = [(base + ".pdf", doc, "application/pdf", r.choice(["iso-2022-jp", "rfc2231"]))]
    body += B.closing_external(contact, r) + "\n" + B.own_signature(me, r)
    kind = "invoice" if invoice else "quote"
    day.out.append(Mail(t, me, [contact], "【%s】%s送付のご案内" % (c.name, what), body, msgid=day.msgid(), style=day.style(),
                        attachments=atts, mailer=r.choice(MAILERS), kind=kind + ("-zip" if encrypt else "-pdf")))
    if encrypt:
        pbody = B.greeting_external(c, contact, me, r) + "\n先ほどお送りした%sのパスワードをお知らせします。\n\nパスワード：%s\n" % (
            what, pw) + B.closing_external(contact, r) + "\n" + B.own_signature(me, r)
        day.out.append(Mail(day.later(t, 2, 30), me, [contact], "【パスワード】%s送付のご案内" % what, pbody,
                            msgid=day.msgid(), style=day.style(), mailer=r.choice(MAILERS), kind="password-mail"))


def newsletter(day, recipients, subject, batch, hour):
    """A newsletter sent properly: every external address in Bcc, To the sender or undisclosed-recipients."""
    r = day.rng
    body = ("━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n%s\n━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n\n"
            "いつも%sをご愛顧いただき、誠にありがとうございます。\n\n■ 新製品のご案内\n■ 年末年始の営業について\n"
            "■ オンラインセミナー（１２月１０日開催）のお知らせ\n\n配信停止をご希望の方は、本メールにご返信ください。\n\n"
            "発行: %s マーケティング部\n%s %s\nTEL 03-5432-9000\n" % (subject, ORG["name"], ORG["name"], ORG["postal"],
                                                                      ORG["address"]))
    t = day.at(hour)
    for i in range(0, len(recipients), batch):
        undisclosed = r.random() < 0.5
        day.out.append(Mail(t, day.marketing, [day.marketing], subject, body, bcc=recipients[i:i + batch],
                            to_header="undisclosed-recipients:;" if undisclosed else None, msgid=day.msgid(outlook=False),
                            style="iso-2022-jp", kind="newsletter"))
        t = day.later(t, 1, 4)


def first_contact(day, company):
    r = day.rng
    contact = company.contacts[0]
    me = r.choice(day.by_dept["営業部"] + day.by_dept["営業部 大阪営業所"])
    body = ("%s\n%s様\n\n突然のご連絡失礼いたします。\n先日の展示会にて名刺交換させていただきました、%sの%sです。\n"
            "その節はブースにお立ち寄りいただき、ありがとうございました。\n\n弊社サービスについて、改めてご説明の機会をいただけますと幸いです。\n"
            % (company.name, contact.name, ORG["name"], me.surname))
    atts = []
    if r.random() < 0.5:
        body += "会社案内を添付いたしますので、ご覧いただけますと幸いです。\n"
        atts.append(("会社案内_株式会社エグザンプル.pdf", att.pdf("会社案内", ["Company profile", ORG["en"]]),
                     "application/pdf", r.choice(["rfc2231", "iso-2022-jp"])))
    body += "\n何卒よろしくお願い申し上げます。\n" + B.own_signature(me, r)
    day.out.append(Mail(day.office_time(), me, [contact], "展示会でのご挨拶（%s）" % ORG["name"], body, msgid=day.msgid(),
                        style=day.style(), attachments=atts, mailer=r.choice(MAILERS), kind="first-contact"))


def meeting(day, company):
    r = day.rng
    guest = r.choice(company.contacts)
    organiser = r.choice(company.owners) if r.random() < 0.7 else r.choice(day.world["employees"])
    internal = day.colleagues(organiser, r.choice([2, 3, 4, 5, 6, 7]))
    start = day.date.replace(day=1, month=12) if r.random() < 0.5 else day.date
    start = start.replace(hour=r.choice([10, 13, 14, 15, 16]))
    summary = "%s様 お打合せ" % company.name if not guest.en else "Meeting with %s" % company.name
    body = "%s\n\n日時: %s %d:00～%d:00\n場所: 本社 7階 第1会議室 / Teams\n\n%s" % (
        summary, B.jdate(start), start.hour, start.hour + 1, "Microsoft Teams 会議\nhttps://teams.microsoft.com/l/meetup-join/19%3ameeting_" + "%016x" % r.getrandbits(64))
    cal = att.ics("%032x" % r.getrandbits(128), summary, start.strftime("%Y%m%dT%H%M00"),
                  start.replace(hour=start.hour + 1).strftime("%Y%m%dT%H%M00"), organiser, internal + [guest], "本社 7階 第1会議室")
    day.out.append(Mail(day.office_time(), organiser, internal + [guest], summary, body, msgid=day.msgid(outlook=True),
                        style="utf-8-b64", calendar=cal, mailer="Microsoft Outlook 16.0", kind="meeting-invitation"))


def joint_project(day, a, b):
    r = day.rng
    me = r.choice(a.owners)
    to = [r.choice(a.contacts), r.choice(b.contacts)]
    cc = day.colleagues(me, r.choice([0, 1, 2]))
    body = "%s %s様\n%s %s様\n\nいつもお世話になっております。%sの%sです。\n\n共同案件の次回定例の議題をお送りします。\n" \
           "1. 進捗確認\n2. 課題一覧の更新\n3. 次回日程\n\nご確認のほど、よろしくお願いいたします。\n%s" % (
               a.name, to[0].surname, b.name, to[1].surname, ORG["name"], me.surname, B.own_signature(me, r))
    day.out.append(Mail(day.office_time(), me, to, "【共同案件】次回定例の議題", body, cc=cc, msgid=day.msgid(),
                        style=day.style(), mailer=r.choice(MAILERS), kind="joint-project"))
