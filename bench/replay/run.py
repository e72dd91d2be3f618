#!/usr/bin/env python3
"""Replay throughput on generated working days (tests/dayset): `preflightctl replay` over N outgoing mails
with the shipped policy (policies/checklist.yaml), the scratch history first seeded from the generated
Postfix log of the 30 days before, pinned to one core.

usage: run.py BUILD_DIR [--mails N | --short] [--data DIR] [--seed S] [--cpu C] [--json-out FILE]

The generator writes about 4,000 outgoing mails per working day; enough days are generated for N mails
and the first N (in time order) are replayed. --data DIR keeps the generated mail there and reuses it when
it was made with the same seed and days. Prints the time of the history seeding (log import) and of the
replay apart, each as wall-clock and user CPU seconds, and mails/s; user CPU is the figure to compare on a
shared machine. --json-out keeps the replay's JSON report (its verdicts can be compared between builds).
"""
import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GENERATOR = os.path.join(REPO, "tests", "dayset", "generate.py")
MAILS_PER_DAY = 4000  # a little under what one generated day has (4,020-4,110)


def generate(data, seed, days):
    stamp = os.path.join(data, "bench-data.json")
    want = {"seed": seed, "days": days}
    if os.path.exists(stamp):  # more days than asked for are as good: the first days are the same
        with open(stamp) as f:
            have = json.load(f)
        if have["seed"] == seed and have["days"] >= days:
            return have["days"]
    t = time.monotonic()
    subprocess.run([sys.executable, GENERATOR, data, "--seed", str(seed), "--days", str(days)], check=True,
                   stdout=subprocess.DEVNULL)
    with open(stamp, "w") as f:
        json.dump(want, f)
    print("generated %d working days in %.0f s -> %s" % (days, time.monotonic() - t, data))
    return days


def first_envelopes(data, n):
    """An envelope file with the first n outgoing mails; their paths made absolute."""
    path = os.path.join(data, "envelopes-%d.jsonl" % n)
    with open(os.path.join(data, "envelopes.jsonl"), encoding="utf-8") as src, \
            open(path, "w", encoding="utf-8") as dst:
        count = 0
        for line in src:
            if count == n:
                break
            e = json.loads(line)
            e["file"] = os.path.join(data, e["file"])
            dst.write(json.dumps(e, ensure_ascii=False) + "\n")
            count += 1
    if count < n:
        sys.exit("only %d mails were generated, %d asked for" % (count, n))
    return path


def write_config(tmp):
    path = os.path.join(tmp, "preflight.yaml")
    os.makedirs(os.path.join(tmp, "state"), exist_ok=True)
    with open(path, "w") as f:
        f.write("roles: [milter]\nmilter: {socket: inet:0@127.0.0.1}\nstate_dir: %s\npolicies:\n  - %s\n"
                "log: {level: warn}\n" % (os.path.join(tmp, "state"), os.path.join(REPO, "policies", "checklist.yaml")))
    return path


def run_replay(ctl, config, envelopes, log, cpu, json_out):
    cmd = ["taskset", "-c", str(cpu), ctl, "replay", "--config", config, "--envelopes", envelopes,
           "--history-log", log, "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    with open(json_out, "w") as out:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit("replay exited %d: %s" % (p.returncode, p.stderr[-2000:]))
    seeded = re.search(r"scratch history seeded in ([\d.e+-]+) s; user CPU ([\d.e+-]+) s", p.stderr)
    done = re.search(r"replay: (\d+) mails in ([\d.e+-]+) s, \d+ mails/s; user CPU ([\d.e+-]+) s", p.stderr)
    if not seeded or not done:
        sys.exit("replay printed no timing lines: %s" % p.stderr[-2000:])
    return {"mails": int(done.group(1)), "import_wall": float(seeded.group(1)), "import_cpu": float(seeded.group(2)),
            "replay_wall": float(done.group(2)), "replay_cpu": float(done.group(3)), "process_wall": wall,
            "process_cpu": after.ru_utime - before.ru_utime, "max_rss_mb": after.ru_maxrss / 1024}


def check_report(json_out, n):
    with open(json_out, encoding="utf-8") as f:
        j = json.load(f)
    if len(j["mails"]) != n or j["errors"]:
        sys.exit("replay judged %d of %d mails; errors: %s" % (len(j["mails"]), n, j["errors"][:5]))
    return j["totals"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir")
    ap.add_argument("--mails", type=int, default=100000)
    ap.add_argument("--short", action="store_true", help="5,000 mails (two generated days)")
    ap.add_argument("--data", help="keep (and reuse) the generated mail in DIR")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--cpu", type=int, default=0, help="the core to pin the replay to (taskset -c)")
    ap.add_argument("--json-out", help="keep the replay's JSON report in FILE")
    args = ap.parse_args()
    n = 5000 if args.short else args.mails
    ctl = os.path.join(os.path.abspath(args.build_dir), "src", "bin", "preflightctl")
    days = max(1, math.ceil(n / MAILS_PER_DAY))
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        data = os.path.abspath(args.data) if args.data else os.path.join(tmp, "data")
        days = generate(data, args.seed, days)
        envelopes = first_envelopes(data, n)
        json_out = args.json_out or os.path.join(tmp, "replay.json")
        r = run_replay(ctl, write_config(tmp), envelopes, os.path.join(data, "mail.log"), args.cpu, json_out)
        totals = check_report(json_out, n)
    print("mails replayed: %d (%d generated days, seed %d), pinned to core %d" % (r["mails"], days, args.seed, args.cpu))
    print("log import:  %7.2f s user CPU (%7.2f s wall)" % (r["import_cpu"], r["import_wall"]))
    print("replay:      %7.2f s user CPU (%7.2f s wall)" % (r["replay_cpu"], r["replay_wall"]))
    print("process:     %7.2f s user CPU (%7.2f s wall), max RSS %.0f MB" % (r["process_cpu"], r["process_wall"],
                                                                          r["max_rss_mb"]))
    print("replay rate: %7.0f mails/s per user CPU second (%.0f mails/s wall)" % (
        r["mails"] / max(r["replay_cpu"], 1e-9), r["mails"] / max(r["replay_wall"], 1e-9)))
    print("with import: %7.0f mails/s per user CPU second" % (r["mails"] / max(r["replay_cpu"] + r["import_cpu"], 1e-9)))
    print("actions:     " + ", ".join("%s %d" % kv for kv in sorted(totals.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
