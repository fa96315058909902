#!/usr/bin/env python3
"""The local cluster, tested through a real nginx (stdlib only).

Starts deploy/local-cluster.sh on free ports, then 30 tenants in parallel each run a
full flow on every provider through nginx: create state, read it back, force a code,
read the journal, advance the clock. Checks that each tenant's requests all land on
one replica (health's `replica` and the journal), that no tenant sees another's state,
and that stopping one replica moves only its tenants, who start afresh elsewhere (or,
when the binary has `--state-dir` and the replicas share one, come back from their
snapshot). Stops the cluster at the end, whatever happened.

    SANDBOX_BIN=target/debug/sandbox python3 deploy/cluster-test.py
"""
import concurrent.futures
import fnmatch
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "deploy", "local-cluster.sh")
BIN = os.path.abspath(os.environ.get("SANDBOX_BIN", os.path.join(ROOT, "target/release/sandbox")))
TENANTS = 30
REPLICAS = 3
RUN_ID = f"{os.getpid()}"

UBKI_LOGIN = {"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}}
DCM_CG = "11111111-1111-4111-8111-111111111111"
DCM_CUSTOMERS = f"/dcm/api/v1/counterparty/{DCM_CG}/customers"
DCM_ISSUER = "GDQQY7WXGK5JZJQHLY7GMNZOCJ2QVG3ZNHDT4WYCNJU6ZG53RVXZPN2E"
TD_PATH = "/trustdecision?partner_code=sandbox&partner_key=sandbox"


class Failed(Exception):
    pass


def check(ok, what):
    if not ok:
        raise Failed(what)


class Client:
    """One tenant's keep-alive connection to nginx; every request names the tenant."""

    def __init__(self, port, tenant):
        self.port, self.tenant = port, tenant
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.sent = 0

    def call(self, method, path, body=None, headers=None, provider=True):
        data = json.dumps(body) if body is not None else None
        h = {"Content-Type": "application/json"}
        if self.tenant is not None:
            h["X-Sandbox-Tenant"] = self.tenant
        h.update(headers or {})
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=h)
                res = self.conn.getresponse()
                text = res.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.HTTPException):
                # nginx closed an idle keep-alive connection: open another, once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        if provider:
            self.sent += 1
        try:
            return res.status, json.loads(text) if text else None
        except json.JSONDecodeError:
            return res.status, text

    def admin(self, method, path, body=None):
        status, answer = self.call(method, "/__sandbox" + path, body, provider=False)
        check(status < 300, f"{self.tenant}: {method} /__sandbox{path} answered {status}: {answer}")
        return answer

    def replica(self):
        return self.admin("GET", "/health")["replica"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n):
    """A run of n consecutive free ports (the replicas' ports are base, base+1, ...)."""
    for _ in range(50):
        base = free_port()
        try:
            socks = []
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise Failed("no run of free ports")


def forced(c, catalog, provider, endpoint, method, path, body, headers=None):
    """Forces the first code the catalog offers for `endpoint` and checks the answer's
    status and the journal's record of it."""
    codes = [e for e in catalog["providers"][provider]["codes"] if e["forcible"]]
    fits = [e for e in codes
            if fnmatch.fnmatch(endpoint, e["triggers"]["rule"]["when"].get("endpoint", "*"))]
    check(fits, f"{provider}: no forcible code for {endpoint}")
    code = fits[0]
    status, _ = c.call(method, path, body, dict(headers or {}, **{"X-Sandbox-Force": code["code"]}))
    check(status == code["http_status"], f"{c.tenant}: forced {provider} {code['code']}: {status}")
    last = c.admin("GET", f"/requests?provider={provider}&limit=1")["requests"][0]
    check((last["code"], last["forced_by"]) == (code["code"], "force"),
          f"{c.tenant}: journal of forced {provider} {code['code']}: {last['code']} {last['forced_by']}")


def carmachain(c, i, catalog):
    status, token = c.call("GET", "/carmachain/auth/getToken")
    check(status == 200, f"{c.tenant}: carmachain token {status}")
    auth = {"Authorization": token["token"]}
    person = {"IdDocument": f"KX{i:06d}", "PhoneNumber": f"05012300{i:02d}"}
    status, made = c.call("POST", "/carmachain/api/createrequest",
                          {"type_request": ["Name"], "value": [person]}, auth)
    check(status == 200, f"{c.tenant}: carmachain createrequest {status}: {made}")
    rid = made["parametrRequest"][0]["idRequest"]
    status, back = c.call("POST", "/carmachain/api/respond",
                          {"type_request": "Name", "idRequest": [rid]}, auth)
    check(status == 200 and back["parametrRequest"][0]["idDocument"] == person["IdDocument"],
          f"{c.tenant}: carmachain respond {status}: {back}")
    forced(c, catalog, "carmachain", "/api/createrequest", "POST", "/carmachain/api/createrequest",
           {"type_request": ["Name"], "value": [person]}, auth)


def ubki(c, i, catalog):
    status, auth = c.call("POST", "/ubki/b2_api_xml/ubki/auth", UBKI_LOGIN)
    check(status == 200, f"{c.tenant}: ubki auth {status}")
    sessid = auth["doc"]["auth"]["sessid"]
    ask = {"sessid": sessid, "reptype": "ALB", "inn": "3241500301"}
    status, answer = c.call("POST", "/ubki/bonusservice/discount", ask)
    check(status == 200 and answer.get("result_code") == "0",
          f"{c.tenant}: ubki discount with its own session {status}: {answer}")
    forced(c, catalog, "ubki", "/bonusservice/discount", "POST", "/ubki/bonusservice/discount", ask)
    return sessid


def trustdecision(c, i, catalog):
    ask = {"id_number": f"PEJU9001{i:02d}HDFRRN01", "id_type": "national_id", "country": "MX",
           "name": "Juan Perez", "phone_number": f"55123456{i:02d}",
           "package_name": "credit_rating_estimation"}
    status, answer = c.call("POST", TD_PATH, ask)
    check(status == 200 and answer.get("code") == 200, f"{c.tenant}: trustdecision {answer}")
    forced(c, catalog, "trustdecision", "/", "POST", TD_PATH, ask)
    return answer["sequence_id"]


def dcm(c, i, catalog):
    auth = {"Authorization": "Bearer sandbox-dcm-token"}
    login = f"cluster-{c.tenant}"
    customer = {"asset_code": "UAH", "asset_issuer": DCM_ISSUER, "login": login,
                "name": "Ivan", "surname": "Petrenko"}
    status, made = c.call("POST", DCM_CUSTOMERS, customer, auth)
    check(status in (200, 201), f"{c.tenant}: dcm create {status}: {made}")
    status, listed = c.call("GET", DCM_CUSTOMERS, None, auth)
    check(status == 200, f"{c.tenant}: dcm list {status}")
    forced(c, catalog, "dcm", f"/api/v1/counterparty/{DCM_CG}/customers", "GET",
           DCM_CUSTOMERS, None, auth)
    return [row["login"] for row in listed["customers"]]


def sbersafe(c, i, catalog):
    phone = f"92600000{i:02d}"
    ask = {"transactionNumber": f"T-{i}", "merchantLogin": "sandbox",
           "contacts": [{"type": "MPHONE", "value": phone}]}
    status, made = c.call("POST", "/sbersafe/api/clients/create", ask)
    check(status == 200 and made.get("status") == "SUCCESS", f"{c.tenant}: sbersafe create {made}")
    status, found = c.call("POST", "/sbersafe/api/clients/find",
                           {"phone": phone, "merchantLogin": "sandbox"})
    check(found.get("client", {}).get("uuid") == made["client"]["uuid"],
          f"{c.tenant}: sbersafe find its own client: {found}")
    forced(c, catalog, "sbersafe", "/api/clients/find", "POST", "/sbersafe/api/clients/find",
           {"phone": phone, "merchantLogin": "sandbox"})
    return phone


def clock(c):
    before = c.admin("GET", "/clock")["now"]
    c.admin("POST", "/clock/advance", {"days": 1})
    after = c.admin("GET", "/clock")["now"]
    moved = epoch(after) - epoch(before)
    check(86_400 <= moved < 86_400 + 600, f"{c.tenant}: clock moved {moved} s, not a day")


def epoch(rfc3339):
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def tenant_flow(port, i):
    """One tenant's full flow; answers what the later checks need."""
    c = Client(port, f"cl{RUN_ID}-t{i:02d}")
    where = c.replica()
    catalog = c.admin("GET", "/errors")
    carmachain(c, i, catalog)
    ubki(c, i, catalog)
    trustdecision(c, i, catalog)
    logins = dcm(c, i, catalog)
    phone = sbersafe(c, i, catalog)
    clock(c)
    journal = c.admin("GET", "/requests?limit=1000")
    check(journal["total"] == c.sent,
          f"{c.tenant}: journal of {where} holds {journal['total']} of its {c.sent} requests")
    check(all("x-forwarded-for" in e["request_headers"] for e in journal["requests"]),
          f"{c.tenant}: a request reached the sandbox without X-Forwarded-For")
    check(c.replica() == where, f"{c.tenant}: moved from {where} during its flow")
    listed = c.admin("GET", "/tenants")
    check(listed["replica"] == where and c.tenant in listed["tenants"],
          f"{c.tenant}: /__sandbox/tenants of {listed['replica']} (tenant on {where})")
    return {"tenant": c.tenant, "replica": where, "logins": logins, "phone": phone}


def isolated(port, seen, me):
    """Tenant `me` sees none of the others' data: not their DCM customers, not the
    SberSafe client its neighbour created."""
    c = Client(port, seen[me]["tenant"])
    auth = {"Authorization": "Bearer sandbox-dcm-token"}
    _, listed = c.call("GET", DCM_CUSTOMERS, None, auth)
    ours = {f"cluster-{t['tenant']}" for t in seen}
    logins = {row["login"] for row in listed["customers"]} & ours
    check(logins == {f"cluster-{c.tenant}"}, f"{c.tenant}: sees DCM customers {sorted(logins)}")
    neighbour = seen[(me + 1) % len(seen)]["phone"]
    _, found = c.call("POST", "/sbersafe/api/clients/find",
                      {"phone": neighbour, "merchantLogin": "sandbox"})
    check("client" not in found, f"{c.tenant}: finds its neighbour's SberSafe client: {found}")


def headerless_is_default(port):
    """A request without X-Sandbox-Tenant is tenant `default` to the sandbox, so nginx
    must route it as `default` too, or that tenant's state would split."""
    named, bare = Client(port, "default").replica(), Client(port, None).replica()
    check(named == bare, f"no header went to {bare}, tenant default is on {named}")


def after_loss(port, tenant, stopped, restored):
    """After `stopped` is gone: a tenant of it is on another replica, afresh (or back
    from its snapshot when `restored`); any other tenant is where it was, state intact."""
    c = Client(port, tenant["tenant"])
    now = c.replica()
    auth = {"Authorization": "Bearer sandbox-dcm-token"}
    _, listed = c.call("GET", DCM_CUSTOMERS, None, auth)
    has_own = f"cluster-{c.tenant}" in {row["login"] for row in listed["customers"]}
    if tenant["replica"] != stopped:
        check(now == tenant["replica"], f"{c.tenant}: moved from {tenant['replica']} to {now}")
        check(has_own, f"{c.tenant}: lost its DCM customer without moving")
        return "stayed"
    check(now != stopped, f"{c.tenant}: still answered by the stopped {stopped}")
    if restored:
        check(has_own, f"{c.tenant}: not restored from its snapshot on {now}")
    else:
        check(not has_own, f"{c.tenant}: kept its DCM customer on {now} without a state_dir")
    return "moved"


def cluster(action, env, *args):
    subprocess.run([SCRIPT, action, *args], env=env, check=True)


def started_pids(run_dir):
    """The pids local-cluster.sh recorded: the replicas' and nginx's master."""
    files = [os.path.join(run_dir, f) for f in os.listdir(run_dir) if f.endswith(".pid")]
    files.append(os.path.join(run_dir, "nginx", "nginx.pid"))
    pids = []
    for path in files:
        with open(path) as f:
            pids.append(int(f.read().strip()))
    return pids


def has_state_dir():
    out = subprocess.run([BIN, "--help"], capture_output=True, text=True, check=True).stdout
    return "--state-dir" in out


def parallel(fn, items):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(fn, items))


def run(port, env, restored):
    seen = parallel(lambda i: tenant_flow(port, i), range(TENANTS))
    by_replica = {}
    for t in seen:
        by_replica.setdefault(t["replica"], []).append(t["tenant"])
    print("cluster: tenants per replica:", {r: len(ts) for r, ts in sorted(by_replica.items())})
    check(len(by_replica) >= 2, f"all {TENANTS} tenants on one replica: {by_replica}")
    parallel(lambda me: isolated(port, seen, me), range(TENANTS))
    headerless_is_default(port)

    stopped = max(by_replica, key=lambda r: len(by_replica[r]))
    cluster("stop-replica", env, stopped)
    fates = parallel(lambda t: after_loss(port, t, stopped, restored), seen)
    check(fates.count("moved") == len(by_replica[stopped]),
          f"{fates.count('moved')} tenants moved, {stopped} held {len(by_replica[stopped])}")
    how = "restored from snapshots" if restored else "afresh"
    print(f"cluster: stopped {stopped}: its {fates.count('moved')} tenants moved ({how}), "
          f"{fates.count('stayed')} stayed")


def main():
    check(os.access(BIN, os.X_OK), f"no binary at {BIN}")
    restored = has_state_dir()
    with tempfile.TemporaryDirectory(prefix="sandbox-cluster-") as tmp:
        port = free_ports(REPLICAS + 1)
        env = dict(os.environ, SANDBOX_BIN=BIN, SANDBOX_REPLICAS=str(REPLICAS),
                   CLUSTER_PORT=str(port), CLUSTER_BASE_PORT=str(port + 1),
                   CLUSTER_RUN=os.path.join(tmp, "run"), SANDBOX_LOG="warn")
        if restored:
            env["SANDBOX_STATE_DIR"] = os.path.join(tmp, "state")
            os.makedirs(env["SANDBOX_STATE_DIR"])
        else:
            print("cluster: the binary has no --state-dir: the snapshot part is skipped")
        started = time.time()
        cluster("start", env)
        pids = started_pids(env["CLUSTER_RUN"])
        try:
            check(len(pids) == REPLICAS + 1, f"pid files: {pids}")
            run(port, env, restored)
        except Failed as e:
            print(f"cluster-test: FAILED: {e}", file=sys.stderr)
            for log in sorted(os.listdir(env["CLUSTER_RUN"])):
                if log.endswith(".log"):
                    print(f"--- {log}", file=sys.stderr)
                    with open(os.path.join(env["CLUSTER_RUN"], log)) as f:
                        sys.stderr.write(f.read()[-2000:])
            return 1
        finally:
            cluster("stop", env)
        left = [p for p in pids if os.path.exists(f"/proc/{p}")]
        if left:
            print(f"cluster-test: FAILED: stop left {left} running", file=sys.stderr)
            return 1
        print(f"cluster-test: passed in {time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
