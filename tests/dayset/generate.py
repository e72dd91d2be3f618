#!/usr/bin/env python3
"""Generates one working day (Monday 2026-11-30, 08:30-20:00 JST) of the outgoing mail of a 300-person
organisation at example.co.jp, with labelled incidents, the Postfix log of the 30 days before, and the
inbound mails the replies answer. --days N continues with the following working days (same people and
customers, the same kinds of mail and incidents each day; the log stays the 30 days before the first day).

usage: generate.py OUT [--seed N] [--days N]
  OUT/mail/NNNNN.eml, OUT/envelopes.jsonl, OUT/mail.log, OUT/inbound/NNNNN.eml, OUT/inbound.jsonl
"""
import argparse
import os
import random
import sys
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import external  # noqa: E402
import incidents  # noqa: E402
import internal  # noqa: E402
import maillog  # noqa: E402
from day import Day  # noqa: E402
from people import Company, add_contacts, build_world, company_name  # noqa: E402
from writer import write_all  # noqa: E402


def seed_history(day):
    """What the organisation sent in the 30 days before: account owners to their contacts (not all),
    the support desk to returning customers, last month's newsletter to the whole list, internal mail."""
    r, w = day.rng, day.world
    for c in w["customers"]:
        for owner in c.owners:
            for p in c.contacts:
                if r.random() < 0.85:
                    day.sent_before(owner.addr, [p.addr], times=r.randrange(1, 8))
        if r.random() < 0.5 and len(c.contacts) > 1:
            day.sent_before(c.owners[0].addr, [p.addr for p in c.contacts[:3]], times=r.randrange(1, 3))
    for c in w["customers"]:  # last month's invoice went to the billing contact
        c.billing = (r.choice(day.by_dept["経理部"]), r.choice(c.contacts))
        day.sent_before(c.billing[0].addr, [c.billing[1].addr], times=r.randrange(1, 3))
    for p in w["support_customers"]:
        if r.random() < 0.4:
            day.sent_before(day.support.addr, [p.addr])
    seminar = [p.addr for p in w["seminar"]]
    t = day.date.replace(day=2, hour=10)
    for i in range(0, len(seminar), 300):
        day.history.append((t, day.marketing.addr, seminar[i:i + 300]))
    emp = w["employees"]
    for _ in range(30 * 120):
        me = r.choice(emp)
        day.sent_before(me.addr, [p.addr for p in day.colleagues(me, r.choice([1, 2, 3, 5]))])


def new_companies(day, n):
    taken = {d.split(".")[0].replace("-", "") for d in [c.domain for c in day.world["customers"] + day.world["small"]]}
    out = []
    for _ in range(n):
        c = Company(*company_name(day.rng, taken))
        add_contacts(day.rng, c, 1)
        out.append(c)
    return out


def ordinary(day):
    r, w = day.rng, day.world
    internal.generate(day)
    for _ in range(950):
        external.customer_reply(day)
    hours = sorted(r.uniform(9.0, 18.5) for _ in w["support_customers"])
    for p, h in zip(w["support_customers"], hours):
        external.support_desk(day, p, h)
    for _ in range(70):
        external.quote_or_invoice(day)
    external.newsletter(day, w["seminar"][:1200], "エグザンプル通信 2026年12月号", 300, 10.0)
    external.newsletter(day, r.sample(w["seminar"], 45), "【リマインド】明日のオンラインセミナーについて", 45, 15.5)
    for c in new_companies(day, 14):
        external.first_contact(day, c)
    for _ in range(45):
        external.meeting(day, r.choice(w["customers"]))
    for _ in range(25):
        a, b = r.sample(w["customers"], 2)
        external.joint_project(day, a, b)


def next_working_day(date):
    date += timedelta(days=1)
    while date.weekday() >= 5:
        date += timedelta(days=1)
    return date


def one_day(day):
    """The day's outgoing and inbound mail, each in time order; day.out and day.inbound start empty again."""
    ordinary(day)
    incidents.generate(day)
    out = sorted(day.out, key=lambda m: m.time)
    inbound = sorted(day.inbound, key=lambda m: m.time)
    day.out, day.inbound = [], []
    return out, inbound


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--days", type=int, default=1, help="working days of mail, from Monday 2026-11-30 on")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    day = Day(rng, build_world(rng))
    seed_history(day)
    os.makedirs(args.out, exist_ok=True)
    labels, n_out, n_in = {}, 0, 0
    for i in range(args.days):
        if i:
            day.date = next_working_day(day.date)
        out, inbound = one_day(day)  # days do not overlap: writing them one after another keeps time order
        write_all(args.out, out, "mail", "envelopes.jsonl", rng, n_out + 1)
        write_all(args.out, inbound, "inbound", "inbound.jsonl", rng, n_in + 1)
        n_out, n_in = n_out + len(out), n_in + len(inbound)
        for m in out:
            labels[m.label] = labels.get(m.label, 0) + 1
        if i == 0:  # the log of the 30 days before, the same whatever the number of days
            bounces = [(day.past(), day.world["employees"][5].addr, "sales@hoshino-denkl.co.jp")]
            maillog.write(os.path.join(args.out, "mail.log"), rng, day.history, bounces)
    print("%d outgoing mails, %d inbound, %d history messages -> %s" % (n_out, n_in, len(day.history), args.out))
    for k in sorted(labels):
        print("  %-40s %5d" % (k, labels[k]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
