"""preflightd through a real Postfix, beside Postfix without a milter and with a null milter.

Starts one private Postfix (own config and queue directory, loopback ports, scripts/maillab.py) per
configuration: none (no milter), null-inet / null-unix (build/bench/null_milter) and preflight-inet /
preflight-unix (build/src/bin/preflightd with policies/checklist.yaml, every rule in monitor mode so
that no mail is held and every rule is still evaluated). Each delivers to its own smtp-sink. Postfix's
smtp-source drives them: interleaved rounds, and in each round every mix through every configuration, in
a rotated order, first sequentially (one session: ms per mail) and then under load (many sessions,
many senders: mails per second).

Every run counts what the sink received and what was refused (4xx/5xx in Postfix's log and in
smtp-source's output); a mail neither delivered nor refused is lost. The exit status is 1 when any mail
was lost or refused.

Run as root (Postfix):  python3 bench/postfix/run.py BUILD_DIR [--smoke] [--rounds N] [--json-out FILE]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "scripts"))
sys.path.insert(0, HERE)
from maillab import MailLab, free_port, make_socket_dir, wait_port, wait_unix  # noqa: E402
from mixes import MIXES, RECIPIENTS, RCPT_DOMAIN, write_mixes  # noqa: E402
import procstat  # noqa: E402

CONFIGS = ["none", "null-inet", "null-unix", "preflight-inet", "preflight-unix"]
RCPT_LIMIT = 50  # Postfix's smtp_destination_recipient_limit: the sink sees one transaction per 50
MAX_PACED_SESSIONS = 250  # below the smtpd process limit the benchmark's Postfix gets (PROCESS_LIMIT)
PROCESS_LIMIT = 300  # Postfix's default_process_limit (100) would queue a paced run's sessions

PREFLIGHT_CONFIG = """\
roles: [milter]
milter:
  socket: "{socket}"
  timeout: 120
  on_error: tempfail
state_dir: {{state_dir}}
policies: [{{policy}}]
log: {{{{level: info, file: {{log}}}}}}
queue: {{{{reinject: "unix:{{reinject_socket}}"}}}}
"""

# Full run and smoke: mails per load run, per sequential run, sessions under load; seconds of a paced run
# per mix (the end-of-message tails of issue 12 are for mixes a and b).
PLANS = {
    "full": {"load": {"a": 600, "b": 300, "c": 40, "d": 0}, "seq": {"a": 60, "b": 30, "c": 10, "d": 2},
             "paced": {"a": 10, "b": 10, "c": 0, "d": 0}, "sessions": 20, "senders": 10, "rounds": 3},
    "smoke": {"load": {"a": 30, "b": 12, "c": 2, "d": 0}, "seq": {"a": 4, "b": 2, "c": 1, "d": 1},
              "paced": {"a": 2, "b": 2, "c": 0, "d": 0}, "sessions": 6, "senders": 3, "rounds": 1},
}


def monitor_policy():
    """The shipped checklist with every rule in monitor mode: all evaluated, none holds or rejects."""
    with open(os.path.join(SOURCE, "policies", "checklist.yaml")) as f:
        text = f.read()
    return re.sub(r"^(  - id: .*)$", r"\1\n    mode: monitor", text, flags=re.M)


class Instance:
    """One configuration: a private Postfix, its sink and (but for `none`) its milter process."""

    def __init__(self, name, build, root):
        self.name = name
        self.kind, _, self.transport = name.partition("-")
        self.root = os.path.join(root, name)
        os.makedirs(self.root, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.unix_path = os.path.join(self.root, "milter", "milter.sock")
        self.milter_port = free_port()
        self.lab = MailLab(os.path.join(build, "src", "bin", "preflightd"), self.preflight_config(),
                           monitor_policy(), root=self.root, ports={"milter": self.milter_port})
        self.lab.main_cf_extra = "default_process_limit = %d\n" % PROCESS_LIMIT
        self.null_milter = os.path.join(build, "bench", "null_milter")
        self.milter = None  # the milter's Popen

    def socket_spec(self):
        if self.transport == "unix":
            return "unix:" + self.unix_path
        return "inet:%d@127.0.0.1" % self.milter_port

    def preflight_config(self):
        spec = self.socket_spec() if self.kind == "preflight" else "inet:1@127.0.0.1"
        return PREFLIGHT_CONFIG.format(socket=spec)

    def start(self):
        lab = self.lab
        lab.start_sink()
        if self.kind != "none":
            make_socket_dir(os.path.dirname(self.unix_path))
            self.start_milter()
            lab.smtpd_milters = ("unix:" + self.unix_path if self.transport == "unix"
                                 else "inet:127.0.0.1:%d" % lab.milter_port)
        else:
            lab.smtpd_milters = ""
        lab.start_postfix()

    def start_milter(self):
        lab = self.lab
        umask = lambda: os.umask(0o007)  # noqa: E731  the null milter's socket: 0770 in group postfix
        if self.kind == "preflight":
            lab.procs["preflightd"] = subprocess.Popen(
                [lab.preflightd, "--config", lab.config_file], stdout=subprocess.DEVNULL,
                stderr=open(os.path.join(self.root, "preflightd.stderr"), "ab"), preexec_fn=umask)
            self.milter = lab.procs["preflightd"]
        else:
            self.milter = subprocess.Popen([self.null_milter, self.socket_spec()], stdout=subprocess.DEVNULL,
                                           stderr=open(os.path.join(self.root, "null.stderr"), "ab"),
                                           preexec_fn=umask)
            lab.procs["null"] = self.milter
        if not (wait_unix(self.unix_path) if self.transport == "unix" else wait_port(lab.milter_port)):
            raise RuntimeError("%s: the milter did not start: %s" % (self.name, lab.read(lab.log_file)))

    def postfix_master(self):
        with open(os.path.join(self.lab.postfix_dir, "queue", "pid", "master.pid")) as f:
            return int(f.read().split()[0])

    def stop(self):
        self.lab.stop()


def sink_count(lab):
    """(transactions, recipients) the sink holds."""
    files = lab.sink_files()
    rcpts = 0
    for p in files:
        with open(p, "rb") as f:
            head = f.read(65536)
        rcpts += head.count(b"X-Rcpt-Args:")
    return len(files), rcpts


def smtp_source(lab, mix_file, mails, sessions, sender, rcpts, pause=0):
    cmd = ["smtp-source", "-s", str(sessions), "-m", str(mails), "-f", sender, "-t", "tanaka@" + RCPT_DOMAIN,
           "-M", "client.example.co.jp", "-F", mix_file, "127.0.0.1:%d" % lab.smtpd_port]
    if rcpts > 1:
        cmd[1:1] = ["-r", str(rcpts)]
    if pause:
        cmd[1:1] = ["-w", str(pause)]  # each session waits this many seconds after each mail
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def sent_count(maillog_text):
    """Recipients Postfix has delivered (to the sink), by its log."""
    return maillog_text.count(" status=sent ")


def refusals(maillog_text):
    """4xx/5xx answers Postfix gave to MAIL, RCPT, DATA or end of message (its log: "reject: STAGE from")."""
    return len(re.findall(r"reject: (?:MAIL|RCPT|DATA|END-OF-MESSAGE) from", maillog_text))


def run_once(inst, mix, mix_file, mails, sessions, senders, pause=0):
    """Sends `mails` of `mix` through `inst` and waits until the sink has them; returns the run's figures.
    With `pause`, every session pauses that many seconds after each mail: a paced, not a saturating, load."""
    lab = inst.lab
    lab.clear_sink()
    rcpts = RECIPIENTS[mix]
    maillog = os.path.join(lab.postfix_dir, "maillog")
    log_at, maillog_at = procstat.size(lab.log_file), procstat.size(maillog)
    milter_pid = inst.milter.pid if inst.milter else None
    if milter_pid:
        procstat.reset_peak(milter_pid)
    before = procstat.snapshot(inst.postfix_master(), milter_pid, lab.procs["sink"].pid)
    start = time.time()
    failed = []  # smtp-source gives up at the first refusal: what it said
    latencies = []  # sequential: one smtp-source per mail, each timed (its start-up is the same everywhere)

    def wait(p):
        out, err = p.communicate()
        if p.returncode != 0:
            failed.append((out + err).strip()[-300:])
    if pause:
        # One process per session, their starts spread over the pause: sessions started together stay in
        # step and would arrive as one burst a second instead of a steady rate.
        per = [mails // sessions + (1 if i < mails % sessions else 0) for i in range(sessions)]
        procs = []
        for i, n in enumerate(per):
            time.sleep(max(0.0, start + i * pause / sessions - time.time()))
            if n:
                procs.append(smtp_source(lab, mix_file, n, 1, "user%d@example.co.jp" % (i % senders), rcpts, pause))
        for p in procs:
            wait(p)
    elif sessions == 1:
        for _ in range(mails):
            t0 = time.time()
            wait(smtp_source(lab, mix_file, 1, 1, "user0@example.co.jp", rcpts))
            latencies.append((time.time() - t0) * 1000)
    else:
        per = [mails // senders + (1 if i < mails % senders else 0) for i in range(senders)]
        for p in [smtp_source(lab, mix_file, n, max(1, sessions // senders), "user%d@example.co.jp" % i, rcpts,
                              pause)
                  for i, n in enumerate(per) if n]:
            wait(p)
    sent = time.time()
    deadline = sent + 120
    while time.time() < deadline:
        # Postfix logs status=sent when the sink has answered 250, i.e. written the whole file: a file that
        # merely exists may still be half written (a 25 MiB mail).
        if sent_count(procstat.read_from(maillog, maillog_at)) >= mails * rcpts:
            break
        if time.time() > sent + 5:
            lab.flush()
        time.sleep(0.05)
    files = lab.sink_files()
    done = max((os.stat(p).st_mtime for p in files), default=sent)
    after = procstat.snapshot(inst.postfix_master(), milter_pid, lab.procs["sink"].pid)
    tx, got = sink_count(lab)
    log_text = procstat.read_from(maillog, maillog_at)
    eom = [float(m) for m in re.findall(r" answer=\w+ .* ms=([0-9.]+)", procstat.read_from(lab.log_file, log_at))]
    cpu = {k: (after[k] - before[k]) * 1000 / mails for k in after}
    return {
        "config": inst.name, "mix": mix, "mails": mails, "sessions": sessions,
        "delivered": got / rcpts, "recipients_delivered": got, "transactions": tx,
        "refused": refusals(log_text), "not_delivered": mails - got / rcpts, "source_failed": failed,
        "seconds": max(done, sent) - start, "send_seconds": sent - start,
        "ms_per_mail_median": statistics.median(latencies) if latencies else None,
        "cpu_ms_per_mail": cpu,
        "eom_p50_ms": percentile(eom, 50), "eom_p99_ms": percentile(eom, 99), "eom_count": len(eom),
        "peak_rss_mb": procstat.peak_rss_mb(milter_pid) if milter_pid else None,
        "rss_mb": procstat.rss_mb(milter_pid) if milter_pid else None,
    }


def paced_plan(runs, mix, rnd, seconds):
    """Half of preflight-unix's saturating rate in this round's load run of the mix: that many sessions, each
    sending a mail a second, for `seconds` (None when the round has no such run)."""
    sat = [r for r in runs if r["config"] == "preflight-unix" and r["mix"] == mix and r["mode"] == "load" and
           r["round"] == rnd and r["seconds"] > 0]
    if not sat:
        return None
    sessions = max(1, min(MAX_PACED_SESSIONS, int(round(sat[0]["mails"] / sat[0]["seconds"] / 2))))
    return sessions, sessions * seconds


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--smoke", action="store_true", help="a short run for CI: every config and mix, few mails")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--mixes", default="abcd", help="which mixes, e.g. ab (default abcd)")
    ap.add_argument("--modes", default="seq,load,paced",
                    help="seq (one session: ms per mail), load (saturating: mails/s), paced (half the saturating "
                         "rate of preflight-unix in the round's load run: end-of-message tails); comma-separated")
    ap.add_argument("--mails", type=int, help="mails per run instead of the plan's")
    ap.add_argument("--json-out")
    ap.add_argument("--keep", action="store_true", help="keep the lab directory")
    args = ap.parse_args()
    plan = PLANS["smoke" if args.smoke else "full"]
    rounds = args.rounds or plan["rounds"]
    root = tempfile.mkdtemp(prefix="preflight-bench-")
    os.chmod(root, 0o755)
    insts = [Instance(name, os.path.abspath(args.build), root) for name in CONFIGS]
    runs = []
    try:
        for inst in insts:
            inst.start()
        mix_files = write_mixes(os.path.join(root, "mixes"))
        for r in range(rounds):
            order = CONFIGS[r % len(CONFIGS):] + CONFIGS[:r % len(CONFIGS)]
            for mix in args.mixes:
                for mode in args.modes.split(","):
                    paced = paced_plan(runs, mix, r + 1, plan["paced"][mix]) if mode == "paced" else None
                    if mode == "paced":
                        if not paced or not plan["paced"][mix]:
                            continue  # paced follows the round's load run of the same mix
                        sessions, mails = paced
                        senders, pause = plan["senders"], 1
                    else:
                        mails = args.mails if args.mails and plan[mode][mix] else plan[mode][mix]
                        if not mails:
                            continue
                        sessions, senders = (1, 1) if mode == "seq" else (plan["sessions"], plan["senders"])
                        pause = 0
                    for name in order:
                        inst = insts[CONFIGS.index(name)]
                        run = run_once(inst, mix, mix_files[mix], mails, sessions, senders, pause)
                        run.update(round=r + 1, mode=mode, load=procstat.loadavg())
                        runs.append(run)
                        print(json.dumps(run), flush=True)
    finally:
        for inst in insts:
            inst.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    import report  # noqa: E402
    print(report.markdown(runs))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"runs": runs, "machine": procstat.machine()}, f, indent=1)
    bad = [r for r in runs if r["refused"] or r["not_delivered"] or r["source_failed"]]
    for r in bad:
        print("FAILED: %s mix %s (%s, round %d): %d mails sent, %g delivered, %d refused answers, smtp-source: %s" %
              (r["config"], r["mix"], r["mode"], r["round"], r["mails"], r["delivered"], r["refused"],
               "; ".join(r["source_failed"]) or "ok"), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
