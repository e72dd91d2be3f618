"""The log never delays mail: preflightd's log.file is a pipe nobody reads (4 KiB, full after a few lines),
and every mail through the real Postfix is still answered at once. Then the pipe is read: its lines are
JSON objects (log.format: json) with the per-message fields.

Run: python3 tests/integration/test_log.py BUILD_DIR   (as root; ctest does this)
"""
import fcntl
import json
import os
import select
import sys
import termios
import threading
import time
import unittest
import array

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from maillab import MailLab  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build")
CONFIG = """\
roles: [milter]
milter: {{socket: "inet:{milter_port}@127.0.0.1"}}
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}, format: json}}
"""
POLICY = """\
organisation: {internal_domains: [example.co.jp]}
rules:
  - {id: visible-external-to-bcc, when: "recipients.visible_external >= 2", action: bcc}
"""
MAILS = 40
PIPE = 4096


def pending(fd):
    """Bytes waiting in the pipe."""
    buf = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, buf)
    return buf[0]


class BlockedLog(unittest.TestCase):
    def test_a_log_nobody_reads_does_not_delay_mail(self):
        lab = MailLab(os.path.join(BUILD, "src", "bin", "preflightd"), CONFIG, POLICY)
        os.mkfifo(lab.log_file)
        reader = os.open(lab.log_file, os.O_RDONLY | os.O_NONBLOCK)
        fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, PIPE)
        try:
            lab.start()
            to = ["a@partner.example.com", "b@partner.example.com"]
            started = time.monotonic()
            for i in range(MAILS):
                raw = ("From: taro@example.co.jp\r\nTo: %s\r\nSubject: log %d\r\n\r\nHello.\r\n"
                       % (", ".join(to), i)).encode()
                code, text = lab.send("taro@example.co.jp", to, raw)
                self.assertEqual(code, 250, text)
            elapsed = time.monotonic() - started
            # the log's writer thread is stuck on the full pipe
            self.assertGreater(pending(reader), PIPE - 1024)
            self.assertTrue(any(w.endswith("pipe_write") for w in self.wait_channels(lab.procs["preflightd"].pid)))
            self.assertEqual(len(lab.wait_for_sink(MAILS)), MAILS)
            self.assertLess(elapsed, 60)  # a stuck writer would hold every mail to milter_content_timeout
            lines = self.drain(reader)
            records = [json.loads(l) for l in lines if l.startswith("{")]
            self.assertTrue(records)
            per_message = [r for r in records if "qid" in r and "action" in r]
            self.assertTrue(per_message, lines[-5:])
            last = per_message[-1]
            for field in ("from", "recipients.total", "action", "rules", "answer", "ms", "time", "level"):
                self.assertIn(field, last)
            self.assertEqual((last["action"], last["rules"], last["answer"]), ("bcc", "visible-external-to-bcc", "continue"))
            float(last["ms"])
        finally:
            stop = threading.Event()  # preflightd writes its last lines while it stops: keep reading
            drainer = threading.Thread(target=self.drain, args=(reader, stop))
            drainer.start()
            lab.finish()
            stop.set()
            drainer.join()
            os.close(reader)

    @staticmethod
    def wait_channels(pid):
        """What each thread of the process sleeps in (/proc/PID/task/TID/wchan)."""
        out = []
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/wchan" % (pid, tid)) as f:
                out.append(f.read())
        return out

    @staticmethod
    def drain(fd, stop=None):
        """Reads the pipe until it stays empty for a second (or until `stop` is set); returns the lines."""
        data, quiet_since = b"", time.time()
        while (stop.is_set() is False) if stop else time.time() - quiet_since < 1.0:
            r, _, _ = select.select([fd], [], [], 0.1)
            chunk = b""
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    pass
            if chunk:
                data, quiet_since = data + chunk, time.time()
        return data.decode("utf-8", "replace").splitlines()


if __name__ == "__main__":
    unittest.main()
