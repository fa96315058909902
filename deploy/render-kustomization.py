#!/usr/bin/env python3
"""Renders deploy/k8s/kustomization.yaml offline (no kubectl or kustomize here) for
deploy/check.sh: its resources, its ConfigMap generator, its labels and image tags, as
`kubectl kustomize` would, printed as one multi-document YAML stream. It knows only the
fields our kustomization uses and refuses any other, so a new field is noticed rather
than silently left out of the check.

    python3 deploy/render-kustomization.py deploy/k8s > rendered.yaml
"""
import os
import sys

import yaml

KNOWN = {"apiVersion", "kind", "labels", "resources", "images", "configMapGenerator",
         "generatorOptions"}


def config_maps(root, kust):
    options = kust.get("generatorOptions", {})
    if set(options) - {"disableNameSuffixHash"} or not options.get("disableNameSuffixHash"):
        sys.exit("render: only generatorOptions.disableNameSuffixHash: true is rendered")
    maps = []
    for gen in kust.get("configMapGenerator", []):
        if set(gen) - {"name", "files"}:
            sys.exit(f"render: configMapGenerator keys {sorted(set(gen) - {'name', 'files'})} not rendered")
        data = {}
        for entry in gen["files"]:
            key, _, path = entry.rpartition("=") if "=" in entry else (None, None, entry)
            with open(os.path.join(root, path), encoding="utf-8") as f:
                data[key or os.path.basename(path)] = f.read()
        maps.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": gen["name"]}, "data": data})
    return maps


def add_labels(doc, kust):
    for group in kust.get("labels", []):
        if set(group) - {"pairs"}:
            sys.exit("render: only labels[].pairs is rendered (no selectors, no templates)")
        doc.setdefault("metadata", {}).setdefault("labels", {}).update(group["pairs"])


def set_images(doc, kust):
    tags = {i["name"]: i for i in kust.get("images", [])}
    pod = doc.get("spec", {}).get("template", {}).get("spec", {})
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        name = container["image"].split(":")[0]
        if name in tags:
            image = tags[name]
            container["image"] = f"{image.get('newName', name)}:{image['newTag']}"


def render(root):
    with open(os.path.join(root, "kustomization.yaml"), encoding="utf-8") as f:
        kust = yaml.safe_load(f)
    unknown = set(kust) - KNOWN
    if unknown:
        sys.exit(f"render: kustomization fields {sorted(unknown)} are not rendered")
    docs = []
    for resource in kust.get("resources", []):
        with open(os.path.join(root, resource), encoding="utf-8") as f:
            docs.extend(d for d in yaml.safe_load_all(f) if d)
    docs.extend(config_maps(root, kust))
    for doc in docs:
        add_labels(doc, kust)
        set_images(doc, kust)
    return docs


if __name__ == "__main__":
    yaml.safe_dump_all(render(sys.argv[1]), sys.stdout, sort_keys=False)
