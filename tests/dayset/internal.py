"""Ordinary internal-only mail: threads with replies and reply-all, all@ and ml-* lists, forwards of
customer mail to colleagues. Returns nothing; appends to day.out."""
import attachments as att
import bodies as B
from people import ORG, Person
from writer import MAILERS, Mail

LISTS = ["all@example.co.jp", "ml-sales@example.co.jp", "ml-dev@example.co.jp", "ml-tech@example.co.jp",
         "ml-kanri@example.co.jp", "osaka-list@example.co.jp", "ml-support@example.co.jp"]


def _internal_attachment(day, subject):
    r = day.rng
    k = r.random()
    if k < 0.5:
        name = "%s_%s.pdf" % (subject.replace(" ", "")[:12], day.date.strftime("%Y%m%d"))
        return (name, att.pdf(subject, ["Internal document", "Prepared %s" % day.date.date()]), "application/pdf",
                r.choice(["rfc2231", "iso-2022-jp", "utf-8"]))
    if k < 0.8:
        rows = [["項目", "担当", "期限", "状況"]] + [["作業%d" % i, r.choice(["山田", "佐藤", "鈴木"]), "12/%d" % (i + 1), "対応中"]
                                              for i in range(r.randrange(3, 15))]
        return ("進捗管理表.csv", att.csv_cp932(rows), "text/csv", r.choice(["rfc2231", "iso-2022-jp"]))
    files = [("議事録_%d.txt" % i, ("第%d回 議事録\r\n出席者: 各位\r\n" % i).encode("cp932")) for i in range(1, 4)]
    return ("議事録一式.zip", att.zip_archive(files, names="cp932"), "application/zip", "iso-2022-jp")


def _thread(day):
    r, emp = day.rng, day.world["employees"]
    me = r.choice(emp)
    to = day.colleagues(me, r.choice([1, 1, 1, 2, 2, 3, 4, 6, 8, 12]))
    cc = day.colleagues(me, r.choice([0, 0, 0, 1, 1, 2, 3, 5]), same_dept=0.3)
    cc = [p for p in cc if p not in to]
    if me.supervisor and me.supervisor not in to and r.random() < 0.3:
        cc.append(me.supervisor)
    subj, text = r.choice(B.INTERNAL_TOPICS)
    company = r.choice(day.world["customers"]).name
    subj = subj if r.random() < 0.7 else "【%s】%s" % (r.choice(["至急", "共有", "確認依頼", "ご連絡"]), subj)
    t = day.office_time()
    body = B.greeting_internal(to, me, r) + "\n" + B.fill(text, r, day.date, company) + "\n\n以上、よろしくお願いします。\n" + \
        B.own_signature(me, r)
    atts = [_internal_attachment(day, subj)] if r.random() < 0.2 else []
    first = Mail(t, me, to, subj, body, cc=cc, msgid=day.msgid(), style=day.style(), attachments=atts,
                 mailer=r.choice(MAILERS), html=r.random() < 0.3, kind="internal-thread")
    day.out.append(first)
    prev, chain = first, [first.msgid]
    for _ in range(r.choice([0, 0, 1, 1, 2, 2, 3, 4, 6])):
        people = [prev.sender] + prev.to + prev.cc
        replier = r.choice([p for p in people if p is not prev.sender] or [me])
        all_ = r.random() < 0.6
        rto = [prev.sender] if not all_ else [p for p in [prev.sender] + prev.to if p is not replier]
        rcc = [p for p in prev.cc if p is not replier] if all_ else []
        t = day.later(prev.time, 3, 90)
        mobile = r.random() < 0.1
        text = B.fill(r.choice(B.INTERNAL_REPLIES), r, day.date)
        body = "%sさん\n\nお疲れ様です。%sです。\n\n%s\n" % (prev.sender.surname, replier.surname, text)
        body += ("\niPhoneから送信\n" if mobile else B.own_signature(replier, r)) + \
            B.quote(prev.body, prev.sender, prev.time, r, to_line="; ".join(p.name for p in prev.to), subject=prev.subject)
        subject = prev.subject if prev.subject.startswith(("Re:", "RE:")) else r.choice(["Re: ", "RE: ", "Re: "]) + prev.subject
        reply = Mail(t, replier, rto or [prev.sender], subject, body, cc=rcc, msgid=day.msgid(),
                     in_reply_to=prev.msgid, references=list(chain), style=day.style(mobile),
                     mailer="iPhone Mail (21A360)" if mobile else r.choice(MAILERS), kind="internal-reply")
        day.out.append(reply)
        chain.append(reply.msgid)
        prev = reply


def _list_mail(day):
    r = day.rng
    lst = r.choice(LISTS)
    me = r.choice(day.by_dept["総務部"] if lst.startswith("all@") else day.world["employees"])
    subj, text = r.choice(B.INTERNAL_TOPICS[6:])
    target = Person({"all": "全社員"}.get(lst.split("@")[0], ""), lst, ORG["name"])
    body = "各位\n\nお疲れ様です。%sの%sです。\n\n%s\n\n%s" % (me.dept, me.surname, B.fill(text, r, day.date), B.own_signature(me, r))
    day.out.append(Mail(day.office_time(), me, [target], "【%s】%s" % (r.choice(["お知らせ", "周知", "依頼"]), subj), body,
                        msgid=day.msgid(), style=day.style(), mailer=r.choice(MAILERS), kind="internal-list"))


def _forward_customer_mail(day):
    """A salesperson forwards a customer's mail (quoted with its signature) to an engineer."""
    r = day.rng
    c = r.choice(day.world["customers"])
    me, contact = r.choice(c.owners), r.choice(c.contacts)
    to = day.colleagues(me, r.choice([1, 1, 2]), same_dept=0.2)
    topic = r.choice(B.CUSTOMER_TOPICS)
    t = day.office_time()
    original = B.customer_mail_text(c, contact, me, topic, r, day.date)
    body = "%sさん\n\nお疲れ様です。%sです。\n%s様から下記の問い合わせがありました。\n対応をお願いできますでしょうか。\n\n%s" % (
        to[0].surname, me.surname, c.name, B.own_signature(me, r))
    body += B.quote(original, contact, day.later(t, -50, -5), r, outlook=True, to_line=me.name, subject=topic[0])
    day.out.append(Mail(t, me, to, r.choice(["FW: ", "Fwd: ", "転送: "]) + topic[0], body, msgid=day.msgid(),
                        style=day.style(), mailer=r.choice(MAILERS), kind="internal-forward"))


def generate(day, threads=620, lists=40, forwards=60):
    for _ in range(threads):
        _thread(day)
    for _ in range(lists):
        _list_mail(day)
    for _ in range(forwards):
        _forward_customer_mail(day)
