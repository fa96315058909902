#!/usr/bin/env bash
# Offline checks of the deployment files (CI runs this; no container engine or cluster
# is needed):
#   - deploy/compose.yaml against the vendored Compose Specification schema
#   - deploy/k8s rendered (render-kustomization.py), every object against the Kubernetes
#     schemas kubernetes-validate ships (strict: unknown fields are errors)
#   - the properties the routing and the hardening rely on, in the rendered objects
#   - the ConfigMap's scenario files with `sandbox validate`, mounted as the kubelet
#     does (links through ..data), its default equal to ours
# Usage: deploy/check.sh [SANDBOX_BIN]   (default target/debug/sandbox)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/sandbox}
kube_versions="1.33.0 1.37.0"

python3 -m pip install --quiet --disable-pip-version-check \
  kubernetes-validate==1.37.0 check-jsonschema==0.39.0

echo "compose: deploy/compose.yaml against deploy/schema/compose-spec.json"
check-jsonschema --schemafile deploy/schema/compose-spec.json deploy/compose.yaml

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
python3 deploy/render-kustomization.py deploy/k8s > "$rendered/k8s.yaml"
for v in $kube_versions; do
  echo "k8s: rendered kustomization against Kubernetes $v (strict)"
  kubernetes-validate --strict -k "$v" "$rendered/k8s.yaml"
done
python3 deploy/check-k8s.py "$rendered/k8s.yaml"

echo "k8s: scenario files of the ConfigMap, laid out as the kubelet mounts them"
cmp scenarios/default.yaml deploy/k8s/scenarios/00-default.yaml ||
  { echo "deploy/k8s/scenarios/00-default.yaml differs from scenarios/default.yaml" >&2; exit 1; }
# A ConfigMap volume: the files in a timestamped directory, `..data` linking to it, and
# each key a link through `..data` (an edit swaps `..data`).
mounted=$rendered/scenarios
mkdir -p "$mounted/..2026_01_01_00_00_00.000000000"
cp deploy/k8s/scenarios/*.yaml "$mounted/..2026_01_01_00_00_00.000000000/"
ln -s ..2026_01_01_00_00_00.000000000 "$mounted/..data"
for f in deploy/k8s/scenarios/*.yaml; do ln -s "..data/$(basename "$f")" "$mounted/$(basename "$f")"; done
"$bin" validate "$mounted"
