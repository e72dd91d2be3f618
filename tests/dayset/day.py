"""The generation context of one working day: the seeded random source, the world, clock helpers, unique
Message-IDs, and the outgoing and inbound mail produced so far."""
from datetime import datetime, timedelta, timezone

from people import Person

JST = timezone(timedelta(hours=9))
CUSTOMER_MID_HOSTS = ["{c}.prod.outlook.com", "mail.gmail.com", "{d}", "mx.{d}", "{d}"]


class Day:
    def __init__(self, rng, world, date=(2026, 11, 30)):
        self.rng, self.world = rng, world
        self.date = datetime(*date, tzinfo=JST)
        self.out, self.inbound = [], []
        self.history = []  # (datetime, sender, [rcpts]) of the 30 days before
        self._mid = 0
        emp = world["employees"]
        self.by_dept = {}
        for p in emp:
            self.by_dept.setdefault(p.dept, []).append(p)
        self.support = Person("株式会社エグザンプル カスタマーサポート", "support@example.co.jp", "株式会社エグザンプル",
                              "カスタマーサポート部", "", "0120-123-456")
        self.support.romaji, self.support.dept_en = "Customer Support", "Customer Support"
        self.marketing = Person("株式会社エグザンプル", "info@example.co.jp", "株式会社エグザンプル", "マーケティング部")

    def at(self, hours):
        """The day's date at a fractional JST hour, clamped to 08:30-20:00."""
        hours = min(max(hours, 8.5), 20.0 - 1 / 3600)
        return self.date + timedelta(seconds=int(hours * 3600))

    def office_time(self):
        """A working-hours time, busier in the morning and after lunch."""
        r = self.rng.random()
        if r < 0.42:
            return self.at(self.rng.uniform(8.5, 12.0))
        if r < 0.5:
            return self.at(self.rng.uniform(12.0, 13.0))
        if r < 0.92:
            return self.at(self.rng.uniform(13.0, 18.0))
        return self.at(self.rng.uniform(18.0, 20.0))

    def later(self, t, lo_min, hi_min):
        return min(t + timedelta(seconds=self.rng.randrange(lo_min * 60, hi_min * 60 + 1)),
                   self.date + timedelta(hours=20) - timedelta(seconds=1))

    def msgid(self, domain="example.co.jp", outlook=None):
        self._mid += 1
        r = self.rng
        if outlook is None:
            outlook = r.random() < 0.6
        if outlook:
            box = "TYCP%03dMB%04d" % (r.randrange(1000), r.randrange(10000))
            return "<%s%04d%s@%s.jpnprd01.prod.outlook.com>" % (box, self._mid, "%08X" % r.getrandbits(32), box)
        return "<%d.%08x.%d@%s>" % (20261130000000 + self._mid, r.getrandbits(32), self._mid, domain)

    def customer_msgid(self, domain):
        self._mid += 1
        host = self.rng.choice(CUSTOMER_MID_HOSTS).format(c="OS%dP286MB%04d" % (self.rng.randrange(9), self._mid),
                                                          d=domain)
        return "<%08x%04x.%d@%s>" % (self.rng.getrandbits(32), self.rng.getrandbits(16), self._mid, host)

    def style(self, mobile=False):
        r = self.rng.random()
        if mobile:
            return "utf-8-qp" if r < 0.5 else "utf-8-b64"
        if r < 0.3:
            return "iso-2022-jp"
        if r < 0.75:
            return "utf-8-b64"
        if r < 0.9:
            return "utf-8-qp"
        return "shift_jis"

    def colleagues(self, me, n, same_dept=0.7):
        pool_dept = [p for p in self.by_dept[me.dept] if p is not me]
        out = []
        while len(out) < n:
            pool = pool_dept if self.rng.random() < same_dept and pool_dept else self.world["employees"]
            p = self.rng.choice(pool)
            if p is not me and p not in out:
                out.append(p)
        return out

    def past(self, days_back_max=30):
        """A working-hours time on one of the 30 days before the day (weekends rarer)."""
        while True:
            d = self.date - timedelta(days=self.rng.randrange(1, days_back_max + 1))
            if d.weekday() < 5 or self.rng.random() < 0.1:
                return d + timedelta(seconds=self.rng.randrange(int(8.5 * 3600), 20 * 3600))

    def sent_before(self, sender, rcpts, times=1):
        for _ in range(times):
            self.history.append((self.past(), sender, list(rcpts)))
