"""The checklist's incidents, injected into the day. Each mail is labelled incident:<name> and carries the
weakest action that still counts as caught (accept < tag < bcc < hold < approve < reject)."""
from datetime import timedelta

import attachments as att
import bodies as B
import external
from people import ORG, Person
from writer import MAILERS, Mail



def _mail(day, t, me, to, subject, body, name, expect, **kw):
    m = Mail(t, me, to, subject, body, msgid=day.msgid(), label="incident:" + name, expect=expect,
             kind=kw.pop("kind", "incident"), mailer=kw.pop("mailer", day.rng.choice(MAILERS)), **kw)
    day.out.append(m)
    return m


def visible_mass(day, name, n, header, hour):
    r = day.rng
    me = r.choice(day.by_dept["営業部"])
    rcpts = r.sample(day.world["seminar"], n)
    body = "お客様各位\n\n平素より格別のご高配を賜り、厚く御礼申し上げます。\n%sの%sです。\n\n年末年始の営業日についてご案内いたします。\n" \
           "休業期間: １２月２７日（土）～１月４日（日）\n\n何卒よろしくお願い申し上げます。\n%s" % (ORG["name"], me.surname, B.own_signature(me, r))
    kw = {"cc": rcpts, "to": [me]} if header == "cc" else {"to": rcpts}
    to = kw.pop("to")
    _mail(day, day.at(hour), me, to, "年末年始休業のお知らせ", body, name, "bcc", style="iso-2022-jp", **kw)


def reply_all_adds_outsider(day):
    """The thread started with our mail (the gateway saw it); the customer answered with a colleague in Cc;
    the reply-all picks a same-surname person of another company from autocomplete."""
    r = day.rng
    c = next(x for x in day.world["customers"] if len(x.contacts) >= 2 and not x.en and x.domain.endswith(".co.jp")
             and x is not day.world["customers"][2])
    me, contact, colleague = c.owners[0], c.contacts[0], c.contacts[1]
    other = next(x for x in day.world["customers"][10:] if x is not c and not x.en)
    outsider = other.contacts[0]
    t0 = day.at(9.6)
    first = Mail(t0, me, [contact], "打合せ資料の件", B.greeting_external(c, contact, me, r) + "\n打合せ資料を共有いたします。\n" +
                 B.own_signature(me, r), msgid=day.msgid(), style="iso-2022-jp", kind="customer-mail-first")
    day.out.append(first)
    mid = day.customer_msgid(c.domain)
    text = B.customer_mail_text(c, contact, me, ("", "資料ありがとうございます。弊社の%sもCcに入れました。" % colleague.surname), r, day.date)
    external._inbound(day, day.later(t0, 30, 60), contact, [me], [colleague], "Re: 打合せ資料の件", text, mid,
                      refs=[first.msgid], kind="customer-reply-with-cc")
    body = B.greeting_external(c, contact, me, r) + "\n%s様もありがとうございます。\n関係者として%s様にも共有いたします。\n" % (
        colleague.surname, outsider.surname) + B.own_signature(me, r) + B.quote(text, contact, t0, r)
    _mail(day, day.at(11.2), me, [contact], "RE: 打合せ資料の件", body, "reply-all-adds-outsider", "hold",
          cc=[colleague, outsider], in_reply_to=mid, references=[first.msgid, mid], style="utf-8-b64")


def my_number_list(day):
    r = day.rng
    me = day.by_dept["人事部"][1]
    payroll = Person("社会保険労務士法人 みなと総合事務所", "office@minato-sr.jp", "社会保険労務士法人 みなと総合事務所")
    rows = []
    for i in range(12):
        digits = [r.randrange(10) for _ in range(11)]
        s = sum(d * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits), 1))
        check = 0 if s % 11 <= 1 else 11 - s % 11
        number = "".join(map(str, digits)) + str(check)
        name = r.choice(day.world["employees"]).name
        rows.append("%s\t%s %s %s" % (name, number[:4], number[4:8], number[8:]))
    body = "みなと総合事務所 御中\n\nお世話になっております。%sの%sです。\n年末調整の件で、対象者のマイナンバーをお送りします。\n\n" \
           "氏名\t個人番号\n%s\n\nよろしくお願いいたします。\n%s" % (ORG["name"], me.surname, "\n".join(rows), B.own_signature(me, r))
    _mail(day, day.at(14.3), me, [payroll], "年末調整 対象者一覧", body, "my-number-list", "approve", style="iso-2022-jp")


def hidden_sheet(day):
    r = day.rng
    c = r.choice([x for x in day.world["customers"] if not x.en])
    me = r.choice(c.owners)
    visible = [["月", "件数"], ["9月", 120], ["10月", 134], ["11月", 141]]
    hidden = [["氏名", "電話番号", "住所"]] + [[r.choice(day.world["seminar"]).name, "090-%04d-%04d" % (
        r.randrange(10000), r.randrange(10000)), "東京都"] for _ in range(40)]
    data = att.xlsx_with_hidden_sheet(visible, "顧客一覧", hidden)
    body = B.greeting_external(c, c.contacts[0], me, r) + "\n月次の集計表をお送りします。\n" + B.own_signature(me, r)
    _mail(day, day.at(15.1), me, [c.contacts[0]], "月次集計のご送付", body, "hidden-sheet", "approve",
          attachments=[("月次集計.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "rfc2231")])


def lookalikes(day):
    r = day.rng
    c = next(x for x in day.world["customers"][3:] if x.domain.endswith(".co.jp") and not x.en and "i" in x.domain)
    me, contact = c.owners[0], c.contacts[0]
    local, domain = contact.addr.split("@")
    bad = Person(contact.name, "%s@%s" % (local, domain.replace("i", "1", 1)), c.name)
    body = B.greeting_external(c, contact, me, r) + "\nご依頼の資料をお送りします。\n" + B.own_signature(me, r)
    _mail(day, day.at(10.4), me, [bad], "ご依頼の資料", body, "lookalike-customer-domain", "approve", style="iso-2022-jp")
    swapped = Person(contact.name, "%s@%s" % (local, domain.replace(".co.jp", ".com")), c.name)
    _mail(day, day.at(16.2), me, [swapped], "Re: お見積りの件", body, "lookalike-customer-suffix", "approve")
    colleague = day.colleagues(me, 1)[0]
    own = Person(colleague.name, colleague.addr.split("@")[0] + "@exarnple.co.jp", ORG["name"])
    _mail(day, day.at(13.7), me, [own], "顧客リスト（最新版）", "%sさん\n\n最新の顧客リストです。\n%s" % (
        colleague.surname, B.own_signature(me, r)), "lookalike-own-domain", "approve",
          attachments=[("顧客リスト.csv", att.csv_cp932([["会社名", "担当"], [c.name, contact.name]]), "text/csv", "iso-2022-jp")])


def attachment_incidents(day):
    r = day.rng
    c = r.choice([x for x in day.world["customers"] if not x.en])
    me, contact = r.choice(c.owners), r.choice(c.contacts)
    exe = att.zip_archive([("請求書_2026年11月.pdf.exe", att.executable_stub())], names="cp932")
    _mail(day, day.at(10.9), me, [contact], "請求書の件", "お世話になっております。\n請求書を添付します。\n", "exe-in-zip", "reject",
          attachments=[("請求書.zip", exe, "application/zip", "iso-2022-jp")], style="shift_jis")
    pw = "Kx8#mQ2p"
    z = att.zip_archive([("見積書.pdf", att.pdf("見積書", ["Quotation"]))], password=pw, names="cp932", rng=r)
    body = B.greeting_external(c, contact, me, r) + "\n見積書をお送りします。\n解凍パスワード: %s\n" % pw + B.own_signature(me, r)
    _mail(day, day.at(15.6), me, [contact], "御見積書送付の件", body, "ppap-same-mail", "hold",
          attachments=[("御見積書.zip", z, "application/zip", "iso-2022-jp")], style="iso-2022-jp")


def split_mass_mailing(day, mails=700, per_mail=9):
    r = day.rng
    me = r.choice(day.by_dept["マーケティング部"])
    rcpts = r.sample(day.world["seminar"], mails * per_mail)
    body = "お客様各位\n\n%sの%sです。\n１２月１０日（木）開催のオンラインセミナーのご案内です。\nお申込みは下記URLからお願いいたします。\n" \
           "https://www.example.co.jp/seminar/2026-12\n%s" % (ORG["name"], me.surname, B.own_signature(me, r))
    t = day.at(16.0)
    for i in range(mails):
        _mail(day, t + timedelta(seconds=i * 5), me, rcpts[i * per_mail:(i + 1) * per_mail], "オンラインセミナーのご案内",
              body, "split-mass-mailing", "bcc", style="iso-2022-jp", mailer="Microsoft Outlook 16.0")


def mail_merge(day):
    r = day.rng
    sample, kogyo = day.world["customers"][0], day.world["customers"][1]
    me = r.choice(kogyo.owners)
    contact = kogyo.contacts[0]
    body = "%s\n%s様\n\nいつもお世話になっております。\n%sの%sです。\n\n価格改定のお知らせをお送りします。\n%s" % (
        sample.name, sample.contacts[0].name, ORG["name"], me.surname, B.own_signature(me, r))
    _mail(day, day.at(13.2), me, [contact], "【%s様】価格改定のお知らせ" % sample.name, body, "mail-merge-mismatch", "approve",
          style="iso-2022-jp")


def internal_thread_forwarded(day):
    r = day.rng
    hr = day.by_dept["人事部"]
    first = Mail(day.at(9.3), hr[0], hr[1:4], "【社外秘】評価面談の結果について", "関係者各位\n\n今期の評価面談の結果をまとめました。\n取扱いにご注意ください。\n" +
                 B.own_signature(hr[0], r), msgid=day.msgid(), style="iso-2022-jp", kind="internal-thread")
    day.out.append(first)
    c = r.choice([x for x in day.world["customers"] if not x.en])
    me = hr[1]
    body = "%s様\n\nお世話になっております。下記ご参考までにお送りします。\n%s" % (c.contacts[0].surname, B.own_signature(me, r)) + \
        B.quote(first.body, hr[0], first.time, r, outlook=True, to_line=me.name, subject=first.subject)
    _mail(day, day.at(17.4), me, [c.contacts[0]], "FW: " + first.subject, body, "internal-thread-forwarded-out", "hold",
          references=[first.msgid], style="iso-2022-jp")


def generate(day):
    visible_mass(day, "to-instead-of-bcc-80", 80, "to", 11.5)
    visible_mass(day, "cc-107", 107, "cc", 14.8)
    reply_all_adds_outsider(day)
    my_number_list(day)
    hidden_sheet(day)
    lookalikes(day)
    attachment_incidents(day)
    split_mass_mailing(day)
    mail_merge(day)
    internal_thread_forwarded(day)
