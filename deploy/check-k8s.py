#!/usr/bin/env python3
"""What the schemas cannot say: the rendered manifests route by tenant, probe health,
run hardened and mount the watched scenarios. Exit 1 naming each property missing.

    python3 deploy/check-k8s.py rendered.yaml
"""
import sys

import yaml


def expectations(objects):
    dep = objects["Deployment"]
    pod = dep["spec"]["template"]["spec"]
    box = pod["containers"][0]
    env = {e["name"]: e for e in box.get("env", [])}
    mounts = {m["name"]: m for m in box.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    ingress = objects["Ingress"]["metadata"].get("annotations", {})
    scenario_map = volumes.get("scenarios", {}).get("configMap", {}).get("name")
    yield "replicas > 1", dep["spec"].get("replicas", 1) > 1
    yield "runAsNonRoot", pod.get("securityContext", {}).get("runAsNonRoot") is True
    yield "readOnlyRootFilesystem", box.get("securityContext", {}).get("readOnlyRootFilesystem") is True
    yield "allowPrivilegeEscalation false", box["securityContext"].get("allowPrivilegeEscalation") is False
    for probe in ("readinessProbe", "livenessProbe"):
        yield f"{probe} on /__sandbox/health", box.get(probe, {}).get("httpGet", {}).get("path") == "/__sandbox/health"
    yield "resources requests and limits", {"requests", "limits"} <= set(box.get("resources", {}))
    yield "SANDBOX_REPLICA from the pod name", env.get("SANDBOX_REPLICA", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name"
    yield "SANDBOX_WATCH true", env.get("SANDBOX_WATCH", {}).get("value") == "true"
    yield "SANDBOX_SCENARIO is the scenarios mount", env.get("SANDBOX_SCENARIO", {}).get("value") == mounts.get("scenarios", {}).get("mountPath")
    yield "scenarios mounted read-only", mounts.get("scenarios", {}).get("readOnly") is True
    yield "SANDBOX_STATE_DIR is the state mount", env.get("SANDBOX_STATE_DIR", {}).get("value") == mounts.get("state", {}).get("mountPath")
    yield "scenarios volume is the generated ConfigMap", scenario_map == objects["ConfigMap"]["metadata"]["name"]
    yield "ingress hashes X-Sandbox-Tenant", ingress.get("nginx.ingress.kubernetes.io/upstream-hash-by") == "$http_x_sandbox_tenant"
    yield "ingress class nginx", objects["Ingress"]["spec"].get("ingressClassName") == "nginx"


def main(path):
    with open(path, encoding="utf-8") as f:
        objects = {d["kind"]: d for d in yaml.safe_load_all(f) if d}
    failed = [name for name, ok in expectations(objects) if not ok]
    for name in failed:
        print(f"k8s: missing: {name}", file=sys.stderr)
    print(f"k8s: {len(list(expectations(objects))) - len(failed)} properties hold, {len(failed)} missing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
