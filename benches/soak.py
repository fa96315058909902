#!/usr/bin/env python3
"""Memory under load: many tenants, full journals, every provider. Starts the release
binary on a free loopback port with default settings (log `warn` to /dev/null, so the
number is the sandbox's own memory), drives it with wrk (benches/wrk/soak.lua: each
request from one of TENANTS tenants at random, every provider, new INNs, junk bodies)
until REQUESTS answers or MAX_SECONDS, and prints resident memory (VmRSS) as it goes.
Memory must level off: tenants, journals (one budget for all) and provider maps are
capped.

    cargo build --release && python3 benches/soak.py [requests] [tenants] [max_seconds]
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
TENANTS = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
MAX_SECONDS = int(sys.argv[3]) if len(sys.argv) > 3 else 300
THREADS, CONNECTIONS = 2, 32
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BINARY = os.environ.get("SANDBOX_BIN") or os.path.join(ROOT, "target", "release", "sandbox")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    port = free_port()
    env = dict(os.environ, SANDBOX_HOST="127.0.0.1", SANDBOX_PORT=str(port), SANDBOX_LOG="warn")
    server = subprocess.Popen([BINARY], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        print(f"start: {rss_mib(server.pid):.1f} MiB", flush=True)
        done_file = os.path.join(ROOT, "target", "soak.done")
        if os.path.exists(done_file):
            os.remove(done_file)
        wrk_env = dict(os.environ, SOAK_TENANTS=str(TENANTS), WRK_DONE_FILE=done_file,
                       WRK_STOP_AFTER=str(REQUESTS // THREADS))
        started = time.time()
        client = subprocess.Popen(
            ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{MAX_SECONDS}s",
             "-s", "benches/wrk/soak.lua", f"http://127.0.0.1:{port}"],
            cwd=ROOT, env=wrk_env, stdout=subprocess.PIPE, text=True)
        peak = 0.0
        while client.poll() is None:
            time.sleep(5)
            if os.path.exists(done_file) and len(open(done_file).readlines()) >= THREADS:
                client.send_signal(signal.SIGINT)
            rss = rss_mib(server.pid)
            peak = max(peak, rss)
            print(f"{time.time() - started:6.0f} s  {rss:7.1f} MiB", flush=True)
        out = client.stdout.read()
        elapsed = time.time() - started
        result = re.search(r"^RESULT (\S+)", out, re.M)
        rate = float(result.group(1)) if result else 0.0
        total = re.search(r"(\d+) requests in", out)
        print(f"done: {total.group(1) if total else '?'} requests over {TENANTS} tenants in "
              f"{elapsed:.0f} s ({rate:,.0f}/s); resident {rss_mib(server.pid):.1f} MiB, peak {peak:.1f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=5)


if __name__ == "__main__":
    main()
