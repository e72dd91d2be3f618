#!/usr/bin/env python3
"""Generates one working day (Monday 2026-11-30, 08:30-20:00 JST) of the outgoing mail of a 300-person
organisation at example.co.jp, with labelled incidents, the Postfix log of the 30 days before, and the
inbound mails the replies answer.

usage: generate.py OUT [--seed N]
  OUT/mail/NNNNN.eml, OUT/envelopes.jsonl, OUT/mail.log, OUT/inbound/NNNNN.eml, OUT/inbound.jsonl
"""
import argparse
import os
import random
import sys

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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20261130)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    day = Day(rng, build_world(rng))
    seed_history(day)
    ordinary(day)
    incidents.generate(day)
    out = sorted(day.out, key=lambda m: m.time)
    inbound = sorted(day.inbound, key=lambda m: m.time)
    os.makedirs(args.out, exist_ok=True)
    write_all(args.out, out, "mail", "envelopes.jsonl", rng)
    write_all(args.out, inbound, "inbound", "inbound.jsonl", rng)
    bounces = [(day.past(), day.world["employees"][5].addr, "sales@hoshino-denkl.co.jp")]
    maillog.write(os.path.join(args.out, "mail.log"), rng, day.history, bounces)
    labels = {}
    for m in out:
        labels[m.label] = labels.get(m.label, 0) + 1
    print("%d outgoing mails, %d inbound, %d history messages -> %s" % (len(out), len(inbound), len(day.history), args.out))
    for k in sorted(labels):
        print("  %-40s %5d" % (k, labels[k]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
