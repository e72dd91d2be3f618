#!/usr/bin/env python3
"""CI check: a realistic day of outgoing mail through the shipped policy (policies/checklist.yaml).

usage: test_dayset.py BUILD_DIR [--inbound] [--markdown FILE] [--keep DIR] [--seed N] [--via-check N]

Generates the day (generate.py) into a temporary directory, replays it with
`preflightctl replay --config C --envelopes OUT/envelopes.jsonl --history-log OUT/mail.log --json`,
prints per rule: mails matched, of which ordinary (false positives, by kind) and incidents; and the share of
ordinary mail that was held, sent for approval, rejected or rewritten to Bcc. Fails when that share exceeds
1 % or when an incident's action is weaker than its `expect`.
--inbound: the gateway also learns from mail coming in (learn mode): OUT/inbound.jsonl is replayed too.
--via-check N: instead of replay, runs `preflightctl check` on up to N mails of each kind and each incident,
after `history import` of the log (no learning during the day); for looking at the policy by hand.
"""
import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
STRENGTH = ["accept", "tag", "bcc", "hold", "approve", "reject"]
LIMIT = 0.01
RULE_ACTIONS = {}  # rule id -> the action it asks for, from the replay report


def write_config(tmp):
    path = os.path.join(tmp, "preflight.yaml")
    with open(path, "w") as f:
        f.write("roles: [milter]\nmilter: {socket: inet:0@127.0.0.1}\nstate_dir: %s\npolicies:\n  - %s\nlog: {level: warn}\n"
                % (os.path.join(tmp, "state"), os.path.join(REPO, "policies", "checklist.yaml")))
    os.makedirs(os.path.join(tmp, "state"), exist_ok=True)
    return path


def rule_ids(mail):
    return [r if isinstance(r, str) else r.get("rule", r.get("id")) for r in mail.get("rules", [])]


def replay(ctl, out, config, inbound):
    cmd = [ctl, "replay", "--config", config, "--envelopes",
           os.path.join(out, "envelopes.jsonl"), "--history-log", os.path.join(out, "mail.log"), "--json"]
    if inbound:  # a gateway that also learns from mail coming in (milter.learn_daemons)
        cmd += ["--envelopes", os.path.join(out, "inbound.jsonl")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=840)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d: %s" % (" ".join(cmd[:2]), p.returncode, p.stderr.strip()[:2000]))
    j = json.loads(p.stdout)
    RULE_ACTIONS.update({k: v.get("action", "") for k, v in j["rules"].items()})
    return {m["file"].split("/")[-1]: m for m in j["mails"]}


def via_check(ctl, out, config, envelopes, per_kind):
    subprocess.run([ctl, "history", "import", os.path.join(out, "mail.log"), "--config", config], check=True,
                   capture_output=True)
    groups = collections.defaultdict(list)
    for e in envelopes:
        groups[e["label"] if e["label"] != "ordinary" else e["kind"]].append(e)
    rng, results = random.Random(1), {}
    for key, items in sorted(groups.items()):
        for e in rng.sample(items, min(per_kind, len(items))):
            cmd = [ctl, "check", os.path.join(out, e["file"]), "--json", "--config", config, "--from", e["from"]]
            for r in e["rcpts"]:
                cmd += ["--rcpt", r]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit("FAIL: check %s: %s" % (e["file"], p.stderr.strip()))
            j = json.loads(p.stdout)
            results[e["file"].split("/")[-1]] = {"file": e["file"], "action": j["action"],
                                                  "rules": [r["rule"] for r in j["reasons"]]}
    return results


def tabulate(envelopes, results):
    """Returns (markdown lines, failures)."""
    per_rule = collections.defaultdict(lambda: {"n": 0, "fp": collections.Counter(), "inc": 0})
    ordinary = strong = 0
    strong_kinds, failures, incidents = collections.Counter(), [], collections.defaultdict(lambda: [0, 0])
    for e in envelopes:
        m = results.get(e["file"].split("/")[-1])
        if m is None:
            continue
        for rule in set(rule_ids(m)):
            per_rule[rule]["n"] += 1
            if e["label"] == "ordinary":
                per_rule[rule]["fp"][e["kind"]] += 1
            else:
                per_rule[rule]["inc"] += 1
        action = STRENGTH.index(m["action"])
        if e["label"] == "ordinary":
            ordinary += 1
            if action >= STRENGTH.index("bcc"):
                strong += 1
                strong_kinds[e["kind"]] += 1
        else:
            caught = action >= STRENGTH.index(e["expect"])
            incidents[e["label"]][0 if caught else 1] += 1
            if not caught:
                failures.append("%s %s: %s, expected at least %s (rules: %s)" % (
                    e["file"], e["label"], m["action"], e["expect"], ",".join(rule_ids(m)) or "none"))
    # A rule that only tags lets ordinary mail pass unchanged: its matches are listed, not counted as
    # false positives. A rule that rewrites, holds, asks approval or rejects stops the mail it matches.
    lines = ["| rule | action | mails | ordinary mails matched, by kind | false positives | incidents |",
             "|---|---|---:|---|---:|---:|"]
    for rule, d in sorted(per_rule.items(), key=lambda x: -x[1]["n"]):
        fp = ", ".join("%s %d" % kv for kv in d["fp"].most_common()) or "-"
        act = RULE_ACTIONS.get(rule, "?")
        stops = act in STRENGTH and STRENGTH.index(act) >= STRENGTH.index("bcc")
        lines.append("| %s | %s | %d | %d: %s | %s | %d |" % (
            rule, act, d["n"], sum(d["fp"].values()), fp, sum(d["fp"].values()) if stops else "- (tag)", d["inc"]))
    lines += ["", "| incident | caught | missed |", "|---|---:|---:|"]
    lines += ["| %s | %d | %d |" % (k, v[0], v[1]) for k, v in sorted(incidents.items())]
    share = strong / ordinary if ordinary else 0.0
    lines += ["", "Ordinary mail held, sent for approval, rejected or rewritten to Bcc: %d of %d (%.2f %%)%s" % (
        strong, ordinary, 100 * share, ": " + ", ".join("%s %d" % kv for kv in strong_kinds.most_common()) if strong else "")]
    if share > LIMIT:
        failures.append("ordinary mail stopped or rewritten: %.2f %% > %.0f %%" % (100 * share, 100 * LIMIT))
    return lines, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--markdown")
    ap.add_argument("--keep")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--via-check", type=int, default=0)
    ap.add_argument("--inbound", action="store_true",
                    help="replay the inbound mails too, as a gateway in learn mode for incoming mail sees them")
    args = ap.parse_args()
    import generate
    ctl = os.path.join(os.path.abspath(args.build_dir), "src", "bin", "preflightctl")
    with tempfile.TemporaryDirectory(prefix="dayset-") as tmp:
        out = args.keep or os.path.join(tmp, "day")
        generate.main([out, "--seed", str(args.seed)])
        config = write_config(tmp)
        with open(os.path.join(out, "envelopes.jsonl"), encoding="utf-8") as f:
            envelopes = [json.loads(l) for l in f]
        results = via_check(ctl, out, config, envelopes, args.via_check) if args.via_check else \
            replay(ctl, out, config, args.inbound)
        lines, failures = tabulate(envelopes, results)
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("# A day of outgoing mail through policies/checklist.yaml\n\n" + "\n".join(lines) + "\n")
    for fl in failures:
        print("FAIL: " + fl)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
