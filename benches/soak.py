#!/usr/bin/env python3
"""Memory under load: many tenants, full journals, every provider. Starts the release
binary on a free loopback port, sends a bounded number of requests (keep-alive, several
threads) spread over more tenants than the cap, and prints the server's resident memory
as it goes. Memory must level off: tenants, journals and provider maps are all capped.

    cargo build --release && python3 benches/soak.py [requests] [tenants]
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 60_000
TENANTS = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000
THREADS = 4
BINARY = os.path.join(os.path.dirname(__file__), "..", "target", "release", "sandbox")

CALLS = [
    ("POST", "/ubki/b2_api_xml/ubki/auth", {"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}}),
    ("POST", "/ubki/bonusservice/discount", {"sessid": "0123456789ABCDEF0123456789ABCDEF", "reptype": "ALB", "inn": None}),
    ("GET", "/carmachain/auth/getToken", None),
    ("POST", "/trustdecision?partner_code=sandbox&partner_key=sandbox",
     {"id_number": None, "id_type": "national_id", "country": "MX", "name": "Juan",
      "phone_number": "5512345678", "package_name": "credit_rating_estimation"}),
    ("POST", "/sbersafe/api/clients/find", {"phone": "9161234567", "merchantLogin": "sandbox"}),
    ("GET", "/dcm/kratos/self-service/login/api", None),
    ("POST", "/ubki/bonusservice/discount", {"sessid": "x" * 200, "junk": "y" * 4000}),
]


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


def worker(port, start, count, done):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for i in range(start, start + count):
        method, path, body = CALLS[i % len(CALLS)]
        if body is not None:
            body = dict(body)
            for key in ("inn", "id_number"):
                if key in body and body[key] is None:
                    body[key] = f"{i % 10**10:010d}"
        data = json.dumps(body) if body is not None else None
        headers = {"X-Sandbox-Tenant": f"t{i % TENANTS}", "Content-Type": "application/json"}
        conn.request(method, path, body=data, headers=headers)
        conn.getresponse().read()
        done[0] += 1


def main():
    port = free_port()
    env = dict(os.environ, SANDBOX_HOST="127.0.0.1", SANDBOX_PORT=str(port), SANDBOX_LOG="warn")
    server = subprocess.Popen([BINARY], env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        print(f"start: {rss_mib(server.pid):.1f} MiB")
        done = [0]
        per = REQUESTS // THREADS
        threads = [threading.Thread(target=worker, args=(port, t * per, per, done)) for t in range(THREADS)]
        started = time.time()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(2)
            print(f"{done[0]:>7} requests  {rss_mib(server.pid):7.1f} MiB")
        elapsed = time.time() - started
        print(f"done: {done[0]} requests over {TENANTS} tenants in {elapsed:.1f} s "
              f"({done[0] / elapsed:.0f}/s), {rss_mib(server.pid):.1f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=5)


if __name__ == "__main__":
    main()
