"""Texts of business mail: greetings, topics, signatures (TEL/FAX, 〒), quoting in '>' and Outlook
'-----Original Message-----' / 差出人: style, English confidentiality notices, full-width dates."""
from people import ORG

FW = str.maketrans("0123456789:", "０１２３４５６７８９：")
WEEKDAY = "月火水木金土日"

INTERNAL_TOPICS = [
    ("定例会議の議事録", "本日の定例会議の議事録を共有します。\n決定事項と宿題を末尾にまとめましたので、担当の方は期限までに対応をお願いします。"),
    ("来週の打合せ日程について", "来週の打合せですが、{date}の{hour}時からでいかがでしょうか。\n会議室は7階の第2会議室を仮押さえしています。"),
    ("資料のレビュー依頼", "提案資料のドラフトを共有フォルダに置きました。\n\\\\fs01\\営業部\\提案書\\2026年度\\ 配下です。\n明日の午前中までにコメントをいただけると助かります。"),
    ("出張申請の件", "{date}から2日間、大阪営業所へ出張します。\n申請はワークフローで提出済みですので、承認をお願いいたします。"),
    ("勤怠入力のお願い", "11月分の勤怠入力の締切は{date}です。\n未入力の方は早めに入力をお願いします。"),
    ("障害報告（第一報）", "本日{hour}時頃から社内ポータルにつながりにくい事象が発生しています。\n原因調査中です。続報は追ってお送りします。"),
    ("見積書の社内確認", "{company}様向けの見積書の社内確認をお願いします。\n値引き率が通常より大きいので、部長の承認が必要です。"),
    ("年末年始の休業について", "年末年始は12月27日（土）から1月4日（日）まで休業となります。\nお客様への案内文は別途お送りします。"),
    ("新人研修の講師のお願い", "来月の新人研修で、技術部から講師を一名お願いしたいと考えています。\n候補の方がいれば{date}までにご連絡ください。"),
    ("経費精算の締め", "今月の経費精算は{date}締めです。\n領収書の原本は総務部の回収箱へお願いします。"),
    ("PCの入れ替えについて", "老朽化したPCの入れ替えを順次行います。\n対象者には個別に日程をご連絡します。データのバックアップをお願いします。"),
    ("案件進捗の共有", "{company}様の案件の進捗です。\n・要件定義: 完了\n・基本設計: 80%\n・見積: 提出済み\n次回の定例で詳細を報告します。"),
    ("日報", "本日の業務報告です。\n午前: {company}様訪問（提案）\n午後: 見積作成、社内打合せ\n明日: 資料修正"),
    ("会議室の予約", "{date}の{hour}時から会議室Aを予約しました。\n参加者の皆さまはカレンダーをご確認ください。"),
    ("お弁当の注文", "{date}の全体会議のお弁当の注文を取りまとめます。\n必要な方は本日中に返信してください。"),
]
INTERNAL_REPLIES = ["承知しました。対応します。", "ありがとうございます。確認しました。", "了解です。{hour}時からで大丈夫です。",
                    "資料拝見しました。2点コメントがあります。\n・3ページ目の数値が前回と違います\n・スケジュールに余裕がありません",
                    "すみません、その時間は外出しています。翌日なら空いています。", "対応完了しました。ご確認ください。",
                    "ご共有ありがとうございます。部内にも展開しておきます。", "参加します。よろしくお願いします。"]
CUSTOMER_TOPICS = [
    ("お見積りのお願い", "先日ご説明いただいた件について、正式にお見積りをお願いできますでしょうか。\n数量は月{n}台を想定しております。"),
    ("納期のご確認", "発注済みの件ですが、納期の見込みを教えていただけますでしょうか。\n社内の工程調整のため、{date}頃までに分かると助かります。"),
    ("打合せのお礼", "本日はお忙しいところお時間をいただきありがとうございました。\nいただいた資料を社内で検討いたします。"),
    ("仕様に関するご質問", "仕様書の第3章について質問がございます。\n接続台数の上限は{n}台という理解でよろしいでしょうか。"),
    ("請求書送付先の変更", "来月より請求書の送付先が経理部に変わります。\nお手数ですが、ご対応をお願いいたします。"),
    ("次回お打合せの日程", "次回のお打合せですが、{date}の{hour}時はいかがでしょうか。\n弊社会議室にお越しいただければと存じます。"),
    ("ご提案内容について", "ご提案いただいた内容について、社内で前向きに検討しております。\nいくつか確認させてください。"),
]
CUSTOMER_ANSWERS = ["ご連絡ありがとうございます。\nご質問の件、確認いたしましたのでご回答いたします。\n{answer}",
                    "ご依頼の件、承知いたしました。\n{answer}", "お問い合わせいただいた件につきまして、ご回答いたします。\n{answer}",
                    "ご確認ありがとうございます。\n{answer}\nご不明な点がございましたらお気軽にお問い合わせください。"]
ANSWERS = ["ご認識のとおりで問題ございません。", "{date}までには出荷できる見込みです。確定しましたら改めてご連絡いたします。",
           "お見積書は明日中にお送りいたします。今しばらくお待ちください。", "{date}の{hour}時で承知いたしました。当日はよろしくお願いいたします。",
           "上限は{n}台ですが、オプションで拡張が可能です。詳しくは添付の資料をご覧ください。",
           "送付先の変更、承知いたしました。来月分から反映いたします。"]
SUPPORT_QUESTIONS = ["ログインできなくなりました。パスワードを再設定する方法を教えてください。", "購入した製品の保証期間を確認したいです。",
                     "アプリを更新したところ、同期ができなくなりました。", "請求金額が先月と違うのですが、理由を教えてください。",
                     "解約の手続き方法を教えてください。", "領収書を再発行していただくことはできますか。",
                     "エラーコード E-{n} が表示されて起動しません。", "設定画面が英語表示になってしまいました。"]
SUPPORT_ANSWERS = ["お手数ですが、ログイン画面の「パスワードをお忘れの方」から再設定をお願いいたします。",
                   "保証期間はご購入日から1年間となっております。", "アプリを一度削除し、再インストールをお試しください。",
                   "今月はオプションの月額料金が加算されております。明細はマイページからご確認いただけます。",
                   "解約はマイページの「契約内容」からお手続きいただけます。", "領収書を再発行いたしました。マイページからダウンロードいただけます。",
                   "電源ボタンを10秒以上長押しして再起動をお試しください。改善しない場合はお知らせください。",
                   "設定 > 言語 から「日本語」を選択してください。"]
NOTICES = [
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be legally privileged. "
    "If you are not the intended recipient, please notify the sender immediately and delete this e-mail. "
    "Any use, disclosure or copying of this e-mail by anyone other than the intended recipient is prohibited.",
    "This message contains confidential information and is intended only for the individual named. If you are "
    "not the named addressee you should not disseminate, distribute or copy this e-mail.",
    "本メールには機密情報が含まれている場合があります。誤って受信された場合は、送信者にご連絡の上、削除してください。\n"
    "CONFIDENTIAL: This e-mail is intended solely for the addressee."]


def jdate(day, fullwidth=False):
    s = "%d月%d日（%s）" % (day.month, day.day, WEEKDAY[day.weekday()])
    return s.translate(FW) if fullwidth else s


def fill(text, rng, day, company=""):
    from datetime import timedelta
    d = day + timedelta(days=rng.randrange(1, 12))
    return text.format(date=jdate(d, rng.random() < 0.25), hour=rng.choice([10, 11, 13, 14, 15, 16, 17]),
                       company=company, n=rng.choice([5, 10, 20, 30, 50, 120, 1024]), answer="{answer}")


def own_signature(p, rng):
    line = rng.choice(["----------------------------------------", "━━━━━━━━━━━━━━━━━━━━", "=" * 40, "--"])
    tel = p.phone if rng.random() < 0.7 else p.phone.translate(FW)
    sig = ["", line, ORG["name"], ("%s %s" % (p.dept, p.title)).rstrip(), p.name + (
        " (%s)" % p.romaji if rng.random() < 0.3 else "")]
    if rng.random() < 0.8:
        sig += ["%s %s" % (ORG["postal"], ORG["address"]), "TEL: %s / FAX: %s" % (tel, ORG["fax"])]
    sig += ["Mail: %s" % p.addr, line]
    return "\n".join(sig)


def customer_signature(c, p, rng):
    if p.en:
        return "\n".join(["", "Best regards,", "", p.name, "%s, %s" % (p.title or "Account Manager", c.name),
                          "Tel: %s" % p.phone, "Email: %s" % p.addr])
    sig = ["", "**************************************", c.name, "%s %s" % (p.dept, p.title), p.name]
    if c.postal:
        sig.append("%s %s" % (c.postal, c.address))
    sig += ["TEL %s  FAX %s" % (p.phone, p.phone[:-4] + "%04d" % rng.randrange(10000)), "E-mail: %s" % p.addr,
            "**************************************"]
    return "\n".join(sig)


def greeting_external(c, p, me, rng):
    if p.en:
        return "Dear %s,\n\nThank you for your e-mail. This is %s from %s.\n" % (p.name.split()[0], me.romaji, ORG["en"])
    title = "%s %s様" % (p.dept, p.surname) if rng.random() < 0.6 else "%s様" % p.name
    return "%s\n%s\n\nいつもお世話になっております。\n%sの%sです。\n" % (c.name, title, ORG["name"], me.surname)


def greeting_internal(to, me, rng):
    if len(to) > 3:
        return rng.choice(["関係者各位", "各位", "皆さま"]) + "\n\nお疲れ様です。%sです。\n" % me.surname
    return "%sさん\n\nお疲れ様です。%sです。\n" % ("、".join(p.surname for p in to), me.surname)


def closing_external(p, rng):
    if p.en:
        return "\nPlease let me know if you have any questions.\n\nBest regards,"
    return "\n" + rng.choice(["引き続きよろしくお願いいたします。", "何卒よろしくお願い申し上げます。", "以上、よろしくお願いいたします。"])


def quote(original, author, when, rng, outlook=None, to_line="", subject=""):
    """The original mail below the reply: '>' lines, or an Outlook header block."""
    if outlook is None:
        outlook = rng.random() < 0.55
    if outlook:
        if rng.random() < 0.5:
            head = ["", "-----Original Message-----", "From: %s <%s>" % (author.name, author.addr),
                    "Sent: %s" % when.strftime("%A, %B %d, %Y %I:%M %p"), "To: %s" % to_line, "Subject: %s" % subject]
        else:
            head = ["", "差出人: %s <%s>" % (author.name, author.addr),
                    "送信日時: %d年%d月%d日 %d:%02d" % (when.year, when.month, when.day, when.hour, when.minute),
                    "宛先: %s" % to_line, "件名: %s" % subject]
        return "\n".join(head) + "\n\n" + original
    intro = "\n%s %s wrote:\n" % (when.strftime("%Y/%m/%d %H:%M"), author.name) if rng.random() < 0.5 else \
        "\n%s、%s さんは書きました:\n" % (when.strftime("%Y年%m月%d日 %H:%M"), author.name)
    return intro + "\n".join("> " + l if l else ">" for l in original.split("\n"))


def customer_mail_text(c, p, me, topic, rng, day):
    if p.en:
        text = ("Dear Mr./Ms. %s,\n\nI hope this finds you well. Could you please send us an updated quotation and "
                "the delivery schedule for the next order?\n" % me.surname)
    else:
        text = "%s\n%s %s様\n\nいつも大変お世話になっております。\n%sの%sでございます。\n\n%s\n\nよろしくお願いいたします。\n" % (
            ORG["name"], me.dept, me.surname, c.name, p.surname, fill(topic[1], rng, day))
    text += customer_signature(c, p, rng)
    if c.notice:
        text += "\n\n" + rng.choice(NOTICES)
    return text
