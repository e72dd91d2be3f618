"""The benchmark's Markdown table: medians over rounds per configuration, mix and mode, with the ratio of
preflight to the null milter over the same socket, taken round by round (the same machine load)."""
import statistics

from mixes import MIXES


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=1):
    return "–" if v is None else "%.*f" % (digits, v)


def rate(run):
    return run["mails"] / run["seconds"] if run["seconds"] > 0 else None


def per_mail_ms(run):
    """Sequential: the median of the mails' times (robust to the other load of a shared machine)."""
    return run.get("ms_per_mail_median") or run["send_seconds"] * 1000 / run["mails"]


def ratio(runs, run, key):
    """key(run) / key(null milter's run over the same socket, same mix, mode and round)."""
    if not run["config"].startswith("preflight"):
        return None
    peer = [r for r in runs if r["config"] == run["config"].replace("preflight", "null") and
            r["mix"] == run["mix"] and r["mode"] == run["mode"] and r["round"] == run["round"]]
    if not peer or not key(peer[0]) or key(run) is None:
        return None
    return key(run) / key(peer[0])


def markdown(runs):
    lines = []
    configs = list(dict.fromkeys(r["config"] for r in runs))
    for mode in ("seq", "load", "paced"):
        for mix in MIXES:
            sel = [r for r in runs if r["mix"] == mix and r["mode"] == mode]
            if not sel:
                continue
            title = {"seq": "sequential (1 session)", "load": "under load (%d sessions)" % sel[0]["sessions"],
                     "paced": "paced at half of preflight-unix's saturating rate (%d sessions, each one mail, then "
                              "1 s pause; their starts spread over a second)" % sel[0]["sessions"]}[mode]
            lines += ["", "Mix %s (%s), %s, %d round(s), median:" % (mix, MIXES[mix], title, max(r["round"] for r in sel)),
                      "",
                      "| config | sent | delivered | refused | %s | ratio to null | milter CPU ms/mail | ratio to null "
                      "| Postfix CPU ms/mail | EOM p50 / p99 ms | milter peak RSS MB |" %
                      ("ms/mail (median)" if mode == "seq" else "mails/s"),
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            speed = per_mail_ms if mode == "seq" else rate
            for c in configs:
                rs = [r for r in sel if r["config"] == c]
                if not rs:
                    continue
                milter_cpu = lambda r: r["cpu_ms_per_mail"].get("milter")  # noqa: E731
                lines.append("| %s | %d | %g | %d | %s | %s | %s | %s | %s | %s / %s | %s |" % (
                    c, sum(r["mails"] for r in rs), sum(r["delivered"] for r in rs), sum(r["refused"] for r in rs),
                    fmt(median(speed(r) for r in rs), 2 if mode == "seq" else 0),
                    fmt(median(ratio(runs, r, speed) for r in rs), 2),
                    fmt(median(milter_cpu(r) for r in rs), 2),
                    fmt(median(ratio(runs, r, milter_cpu) for r in rs), 2),
                    fmt(median(r["cpu_ms_per_mail"]["postfix"] for r in rs), 2),
                    fmt(median(r["eom_p50_ms"] for r in rs)), fmt(median(r["eom_p99_ms"] for r in rs)),
                    fmt(max((r["peak_rss_mb"] or 0) for r in rs) or None)))
    loads = [r["load"] for r in runs]
    lines += ["", "Load average (1 min) during the runs: %.1f–%.1f" % (min(loads), max(loads))]
    return "\n".join(lines)
