"""Demo: preflightd with the shipped policy inside a private Postfix on 127.0.0.1:2525, delivering to a
local sink that keeps every mail as a file in ./demo/sink. Ctrl-C stops everything.

Usage: python3 scripts/demo.py build/src/bin/preflightd
"""
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from maillab import MailLab  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = """\
milter: {{socket: "inet:{milter_port}@127.0.0.1", on_error: tempfail}}
state_dir: {state_dir}
policies: [{policy}]
log: {{level: info, file: {log}}}
queue: {{reinject: "unix:{reinject_socket}", notice_from: preflight@example.co.jp, interval: 2}}
web: {{listen: "127.0.0.1:{web_port}", base_url: "http://127.0.0.1:{web_port}"}}
"""


def main():
    preflightd = os.path.abspath(sys.argv[1])
    root = os.path.join(TOP, "demo")
    shutil.rmtree(root, ignore_errors=True)
    with open(os.path.join(TOP, "policies", "default.yaml")) as f:
        policy = f.read()
    lab = MailLab(preflightd, CONFIG, policy, root=root, ports={"smtpd": 2525, "sink": 2526, "milter": 8891, "reinject": 2527,
                                                                 "web": 8025})
    lab.start()
    rcpts = ",".join("user%d@partner%d.example.com" % (i, i) for i in range(6))
    print("""
preflight demo is running.
  Postfix (with preflightd as its milter): 127.0.0.1:2525    internal domain: example.co.jp
  Policy: demo/policy.yaml (a copy of policies/default.yaml)

Send a mail with six external recipients visible in To (preflight moves them to Bcc):
  swaks --server 127.0.0.1:2525 --from taro@example.co.jp --to {rcpts}

Send an internal mail (arrives unchanged, with an X-Preflight-Verdict header):
  swaks --server 127.0.0.1:2525 --from taro@example.co.jp --to hanako@example.co.jp

See the result:
  delivered mail, one file per transaction:   ls demo/sink/ ; cat demo/sink/*
  preflightd's decision for each message:     tail -f demo/preflightd.log
Dry-run any .eml with the same pipeline:
  build/src/bin/preflightctl check MESSAGE.eml --policy demo/policy.yaml --from taro@example.co.jp --rcpt ...

Ctrl-C stops Postfix, the sink and preflightd.
""".format(rcpts=rcpts))
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        while not stop:
            time.sleep(0.5)
            if lab.procs["preflightd"].poll() is not None:
                print("preflightd exited; see demo/preflightd.log and demo/preflightd.stderr")
                break
    finally:
        lab.stop()
        print("stopped")


if __name__ == "__main__":
    main()
