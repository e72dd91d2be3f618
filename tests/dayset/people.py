"""The organisation (300 people at example.co.jp and its branch subdomains), its customers and partners
(companies with contacts, signatures and relationships to account owners), and private individuals
(support-desk customers, seminar and newsletter contacts at free-mail providers). Everything is drawn
from one seeded random.Random, so the same seed gives the same world."""

SURNAMES = [("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("伊藤", "ito"),
            ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"),
            ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"), ("佐々木", "sasaki"), ("山口", "yamaguchi"),
            ("松本", "matsumoto"), ("井上", "inoue"), ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"),
            ("清水", "shimizu"), ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"),
            ("阿部", "abe"), ("石川", "ishikawa"), ("山下", "yamashita"), ("中島", "nakajima"), ("石井", "ishii"),
            ("小川", "ogawa"), ("前田", "maeda"), ("岡田", "okada"), ("長谷川", "hasegawa"), ("藤田", "fujita"),
            ("後藤", "goto"), ("近藤", "kondo"), ("村上", "murakami"), ("遠藤", "endo"), ("青木", "aoki"),
            ("坂本", "sakamoto"), ("斉藤", "saito"), ("福田", "fukuda"), ("太田", "ota"), ("西村", "nishimura"),
            ("藤井", "fujii"), ("金子", "kaneko"), ("岡本", "okamoto"), ("藤原", "fujiwara"), ("中野", "nakano"),
            ("三浦", "miura"), ("原田", "harada"), ("松田", "matsuda"), ("竹内", "takeuchi"), ("小野", "ono"),
            ("田村", "tamura"), ("中山", "nakayama"), ("和田", "wada"), ("石田", "ishida"), ("森田", "morita"),
            ("上田", "ueda"), ("原", "hara"), ("内田", "uchida"), ("柴田", "shibata"), ("酒井", "sakai"),
            ("工藤", "kudo"), ("横山", "yokoyama"), ("宮崎", "miyazaki"), ("宮本", "miyamoto"), ("大野", "ono")]
GIVEN = [("大輔", "daisuke"), ("健太", "kenta"), ("翔太", "shota"), ("拓也", "takuya"), ("直樹", "naoki"),
         ("誠", "makoto"), ("隆", "takashi"), ("浩", "hiroshi"), ("修", "osamu"), ("亮", "ryo"), ("聡", "satoshi"),
         ("和也", "kazuya"), ("一郎", "ichiro"), ("健一", "kenichi"), ("雄一", "yuichi"), ("剛", "tsuyoshi"),
         ("学", "manabu"), ("淳", "jun"), ("徹", "toru"), ("悠真", "yuma"), ("蓮", "ren"), ("陽翔", "haruto"),
         ("美咲", "misaki"), ("陽子", "yoko"), ("恵子", "keiko"), ("由美", "yumi"), ("真由美", "mayumi"),
         ("裕子", "yuko"), ("智子", "tomoko"), ("直子", "naoko"), ("さくら", "sakura"), ("愛", "ai"),
         ("彩", "aya"), ("麻衣", "mai"), ("千尋", "chihiro"), ("舞", "mai"), ("優子", "yuko"), ("香織", "kaori"),
         ("美穂", "miho"), ("結衣", "yui"), ("花子", "hanako"), ("明美", "akemi"), ("奈々", "nana"),
         ("理恵", "rie"), ("沙織", "saori"), ("綾香", "ayaka"), ("健二", "kenji"), ("秀樹", "hideki")]
DEPARTMENTS = [  # (name, English, size, subdomain or "", phone block)
    ("営業部", "Sales Dept.", 70, "", "03-5432-1"), ("営業部 大阪営業所", "Osaka Sales Office", 25, "osaka", "06-6201-3"),
    ("技術部", "Engineering Dept.", 45, "", "03-5432-2"), ("開発部", "Development Dept.", 40, "dev", "03-5432-3"),
    ("カスタマーサポート部", "Customer Support", 18, "", "03-5432-5"), ("総務部", "General Affairs", 16, "", "03-5432-6"),
    ("人事部", "Human Resources", 12, "", "03-5432-7"), ("経理部", "Accounting", 14, "", "03-5432-8"),
    ("マーケティング部", "Marketing", 15, "", "03-5432-9"), ("品質保証部", "Quality Assurance", 20, "nagoya", "052-223-4"),
    ("経営企画室", "Corporate Planning", 8, "", "03-5432-0"), ("情報システム部", "IT", 17, "", "03-5432-4")]
ORG = {"name": "株式会社エグザンプル", "en": "Example Co., Ltd.", "domain": "example.co.jp",
       "postal": "〒105-0011", "address": "東京都港区芝公園2-4-1 芝パークビル8F", "fax": "03-5432-1999",
       "url": "https://www.example.co.jp/"}
FREEMAIL = ["gmail.com", "yahoo.co.jp", "icloud.com", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp",
            "outlook.jp", "hotmail.co.jp", "nifty.com", "biglobe.ne.jp", "au.com", "ybb.ne.jp"]
WORDS = [("hoshino", "星野"), ("aozora", "青空"), ("minato", "みなと"), ("sakura", "さくら"), ("fuji", "富士"),
         ("yamato", "大和"), ("kitaguni", "北国"), ("asahi", "旭"), ("daiichi", "第一"), ("tokai", "東海"),
         ("kansai", "関西"), ("chubu", "中部"), ("hokuto", "北斗"), ("midori", "みどり"), ("shinwa", "信和"),
         ("kyoei", "共栄"), ("taiyo", "太陽"), ("sanwa", "三和"), ("heiwa", "平和"), ("shoei", "昭栄"),
         ("marui", "丸井"), ("kaneko", "金子"), ("tsubasa", "つばさ"), ("kawasemi", "かわせみ"), ("ginga", "銀河"),
         ("hikari", "光"), ("seiwa", "清和"), ("toyo", "東洋"), ("nakanishi", "中西"), ("ohashi", "大橋"),
         ("kitano", "北野"), ("mizuho", "瑞穂"), ("takumi", "匠"), ("aoba", "青葉"), ("wakaba", "若葉"),
         ("izumi", "泉"), ("kotobuki", "寿"), ("yuki", "雪"), ("shiro", "白"), ("umino", "海野"),
         ("tamagawa", "多摩川"), ("sumida", "隅田"), ("arakawa", "荒川"), ("shinano", "信濃"), ("biwako", "琵琶湖"),
         ("rokko", "六甲"), ("akagi", "赤城"), ("hakone", "箱根"), ("nikko", "日光"), ("setouchi", "瀬戸内"),
         ("kiso", "木曽"), ("tenryu", "天竜"), ("kurobe", "黒部"), ("awaji", "淡路"), ("shonan", "湘南"),
         ("musashi", "武蔵"), ("sagami", "相模"), ("echigo", "越後"), ("owari", "尾張"), ("mikawa", "三河"),
         ("settsu", "摂津"), ("harima", "播磨"), ("bizen", "備前"), ("tosa", "土佐"), ("satsuma", "薩摩"),
         ("hitachi-naka", "ひたちなか"), ("kanazawa", "金沢"), ("matsuyama", "松山"), ("takasaki", "高崎"),
         ("utsunomiya", "宇都宮"), ("shizuoka", "静岡"), ("okayama", "岡山"), ("kumamoto", "熊本"),
         ("nagano", "長野"), ("toyama", "富山"), ("fukui", "福井"), ("gifu", "岐阜"), ("mie", "三重"),
         ("kagawa", "香川"), ("ehime", "愛媛"), ("oita", "大分"), ("miyako", "都"), ("tsukuba", "つくば"),
         ("seiryu", "清流"), ("kaiun", "開運"), ("eiko", "栄光"), ("kyowa", "協和"), ("daiwa", "大和和"),
         ("nisshin", "日進"), ("meisei", "明星"), ("koyo", "光洋"), ("tokiwa", "常盤"), ("yayoi", "弥生")]
TRADES = [("denki", "電機"), ("kogyo", "工業"), ("shoji", "商事"), ("kensetsu", "建設"), ("seiki", "精機"),
          ("sangyo", "産業"), ("unyu", "運輸"), ("logi", "ロジスティクス"), ("tech", "テクノロジー"),
          ("soft", "ソフト"), ("medical", "メディカル"), ("foods", "フーズ"), ("kagaku", "化学"), ("giken", "技研"),
          ("design", "デザイン"), ("system", "システム"), ("print", "印刷"), ("fudosan", "不動産"),
          ("hanbai", "販売"), ("seiyaku", "製薬")]
SUFFIXES = [".co.jp"] * 12 + [".jp"] * 2 + [".com"] * 4 + [".ne.jp", ".or.jp", ".net"]
CITIES = [("〒100-0005", "東京都千代田区丸の内1-6-5", "03"), ("〒530-0001", "大阪府大阪市北区梅田2-2-2", "06"),
          ("〒460-0008", "愛知県名古屋市中区栄3-5-12", "052"), ("〒812-0011", "福岡県福岡市博多区博多駅前2-1-1", "092"),
          ("〒220-0012", "神奈川県横浜市西区みなとみらい3-3-1", "045"), ("〒980-0021", "宮城県仙台市青葉区中央1-3-1", "022"),
          ("〒060-0005", "北海道札幌市中央区北5条西2-5", "011"), ("〒330-0854", "埼玉県さいたま市大宮区桜木町1-7-5", "048")]
FOREIGN = [("Northwind Components Ltd.", "northwind-components.com", "+44 20 7946 0"),
           ("Brightline Systems Inc.", "brightline-systems.com", "+1 415 555 0"),
           ("Koru Analytics Pty Ltd", "koru-analytics.com.au", "+61 2 9876 5"),
           ("Lindqvist Engineering AB", "lindqvist-eng.se", "+46 8 555 12"),
           ("Harbour Bridge Trading Pte. Ltd.", "harbourbridge.com.sg", "+65 6123 4"),
           ("Vantage Precision GmbH", "vantage-precision.de", "+49 89 1234 5")]
EN_FIRST = ["James", "Emma", "Oliver", "Sophie", "Daniel", "Hannah", "Lucas", "Mia", "Noah", "Olivia", "Liam", "Anna"]
EN_LAST = ["Smith", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Lindberg", "Chen", "Tan", "Muller", "Evans"]


class Person:
    def __init__(self, name, addr, company, dept="", title="", phone="", en=False):
        self.name, self.addr, self.company, self.dept, self.title, self.phone = name, addr, company, dept, title, phone
        self.en = en
        self.surname = (name.split() or [""])[-1 if en else 0]
        self.supervisor = None

    @property
    def domain(self):
        return self.addr.split("@")[1]


class Company:
    def __init__(self, name, domain, postal="", address="", phone_prefix="", en=False, notice=False):
        self.name, self.domain, self.postal, self.address, self.phone_prefix = name, domain, postal, address, phone_prefix
        self.en, self.notice = en, notice  # notice: the company appends an English confidentiality notice
        self.contacts, self.owners = [], []  # owners: employees who have written to this company


def japanese_name(rng):
    s, g = rng.choice(SURNAMES), rng.choice(GIVEN)
    return "%s %s" % (s[0], g[0]), s[1], g[1]


def local_part(rng, surname, given):
    form = rng.random()
    if form < 0.45:
        return "%s.%s" % (given, surname)
    if form < 0.75:
        return "%s-%s" % (given[0], surname)
    if form < 0.9:
        return "%s%s" % (surname, given[0])
    return "%s_%s" % (surname, given)


def unique(addr, taken):
    base, n = addr, 2
    while addr in taken:
        local, domain = base.split("@")
        addr = "%s%d@%s" % (local, n, domain)
        n += 1
    taken.add(addr)
    return addr


def build_org(rng):
    """300 employees in departments; each has a supervisor (the first person of the department is its head)."""
    people, taken = [], set()
    for dept, dept_en, size, sub, phone in DEPARTMENTS:
        domain = (sub + "." if sub else "") + ORG["domain"]
        members = []
        for i in range(size):
            name, s, g = japanese_name(rng)
            addr = unique("%s@%s" % (local_part(rng, s, g), domain), taken)
            title = "部長" if i == 0 else ("課長" if i < 3 else ("主任" if i < 8 else ""))
            p = Person(name, addr, ORG["name"], dept, title, "%s%03d" % (phone, rng.randrange(1000)))
            p.romaji = "%s %s" % (g.capitalize(), s.capitalize())
            p.dept_en = dept_en
            p.supervisor = members[0] if members else None
            members.append(p)
        people.extend(members)
    return people


def company_name(rng, taken):
    while True:
        w, t = rng.choice(WORDS), rng.choice(TRADES)
        domain = "%s-%s%s" % (w[0], t[0], rng.choice(SUFFIXES)) if rng.random() < 0.6 else \
            "%s%s%s" % (w[0], t[0], rng.choice(SUFFIXES))
        base = domain.split(".")[0].replace("-", "")
        if base not in taken:  # two companies of the same name and trade are rare in one address book
            taken.add(base)
            form = "株式会社%s%s" % (w[1], t[1]) if rng.random() < 0.7 else "%s%s株式会社" % (w[1], t[1])
            return form, domain


def add_contacts(rng, c, n):
    taken = {p.addr for p in c.contacts}
    for _ in range(n):
        if c.en:
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            addr = unique("%s.%s@%s" % (first.lower(), last.lower(), c.domain), taken)
            c.contacts.append(Person("%s %s" % (first, last), addr, c.name, "Sales", rng.choice(["Manager", "Director", ""]),
                                     "%s%03d" % (c.phone_prefix, rng.randrange(1000)), en=True))
        else:
            name, s, g = japanese_name(rng)
            addr = unique("%s@%s" % (local_part(rng, s, g), c.domain), taken)
            dept = rng.choice(["営業部", "購買部", "技術部", "総務部", "経理部", "情報システム部", "製造部"])
            phone = "%s-%04d-%04d" % (c.phone_prefix, rng.randrange(1000, 9999), rng.randrange(10000))
            c.contacts.append(Person(name, addr, c.name, dept, rng.choice(["", "", "主任", "課長", "部長"]), phone))


def build_customers(rng, employees, count=230):
    """Customer and partner companies; the shipped policy's partners (サンプル商事, テスト工業) and important
    customer are among them. Account owners are salespeople and engineers."""
    taken, companies = set(), []
    fixed = [("株式会社サンプル商事", "sample.co.jp"), ("テスト工業株式会社", "test-kogyo.co.jp"),
             ("株式会社ビッグクライアント", "bigclient.example.jp")]
    for i in range(count):
        if i < len(fixed):
            name, domain = fixed[i]
            taken.add(domain)
        else:
            name, domain = company_name(rng, taken)
        postal, address, area = rng.choice(CITIES)
        companies.append(Company(name, domain, postal, address, area, notice=rng.random() < 0.08))
    for name, domain, prefix in FOREIGN:
        companies.append(Company(name, domain, "", "", prefix, en=True, notice=True))
    sellers = [p for p in employees if p.dept in ("営業部", "営業部 大阪営業所", "技術部", "開発部", "品質保証部")]
    for c in companies:
        add_contacts(rng, c, rng.choice([1, 2, 2, 3, 3, 4, 5]))
        c.owners = rng.sample(sellers, rng.choice([1, 1, 2, 2, 3]))
    return companies


def build_individuals(rng, n, companies_pool):
    """Private persons and small-business contacts: free mail mostly, some at their own small company."""
    taken, out = set(), []
    for _ in range(n):
        name, s, g = japanese_name(rng)
        if rng.random() < 0.7:
            domain = rng.choice(FREEMAIL)
            local = rng.choice(["%s.%s" % (s, g), "%s%s%d" % (g, s[:3], rng.randrange(100)),
                                "%s_%s%02d" % (g[:4], s, rng.randrange(100)), "%s%d" % (s, rng.randrange(1960, 2005))])
            company = ""
        else:
            c = rng.choice(companies_pool)
            domain, local, company = c.domain, local_part(rng, s, g), c.name
        out.append(Person(name, unique("%s@%s" % (local, domain), taken), company))
    return out


def build_world(rng):
    employees = build_org(rng)
    customers = build_customers(rng, employees)
    small_taken = {c.domain.split(".")[0].replace("-", "") for c in customers}
    small = [Company(*company_name(rng, small_taken)) for _ in range(900)]
    seminar = build_individuals(rng, 6300, small + customers)
    support = build_individuals(rng, 150, small)
    return {"employees": employees, "customers": customers, "small": small, "seminar": seminar,
            "support_customers": support}
