"""What the benchmark reads from /proc: CPU seconds (user + system) of a process or of a Postfix instance,
peak and current resident size, the load average, the machine."""
import os
import platform

TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """Fields of /proc/PID/stat after the command name (field 3 onwards), or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def cpu(pid, children=False):
    """utime + stime (and the reaped children's cutime + cstime) in seconds."""
    f = stat_fields(pid)
    if not f:
        return 0.0
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks / TICK


def tree_cpu(master):
    """CPU seconds of a Postfix instance: its master with every reaped child, plus the children alive now.
    Each child's time is counted once: by itself while it lives, in the master's cutime once reaped."""
    total = cpu(master, children=True)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = stat_fields(int(entry))
            if f and int(f[1]) == master:
                total += cpu(int(entry))
    return total


def snapshot(master, milter, sink):
    out = {"postfix": tree_cpu(master), "sink": cpu(sink)}
    if milter:
        out["milter"] = cpu(milter)
    return out


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak(pid):
    """Resets VmHWM to the current resident size (Linux 4.0+)."""
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


def peak_rss_mb(pid):
    return status_kb(pid, "VmHWM") / 1024


def rss_mb(pid):
    return status_kb(pid, "VmRSS") / 1024


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def read_from(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "model": model, "kernel": platform.release()}
