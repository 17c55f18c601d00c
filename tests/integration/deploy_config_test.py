#!/usr/bin/env python3
"""Checks the deployment files as far as this machine can without a Docker daemon or a cluster.

- docker-compose.yml through `docker-compose config` (Debian's docker-compose), for the default
  and for 4 shards: the simulator replicas, their --shard replica/N and the mounted files exist.
- Every YAML file under deploy/ and dashboards/ parses (python3-yaml).
- deploy/kubernetes: every kustomization's resources exist; Services select pods that have the
  named ports; the Indexed Job's completions, parallelism and FLEETSIM_SHARDS agree; scrape
  annotations name a container port; the ServiceMonitor selects Services with its port. With a
  kubectl on PATH, `kubectl kustomize` must also build every kustomization.
- Dockerfile: two Debian 12 stages; every package the build stage installs is in scripts/setup.sh;
  the runtime stage installs the package of every shared library the built binary links (ldd);
  a CMake configure with the Dockerfile's options succeeds.

Standard library plus python3-yaml. Exits non-zero with a message on the first failed check.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

# Shared libraries of packages every Debian 12 image has (debian:12-slim included).
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
# Sanitizer runtimes: linked by the ASan+UBSan test build only, never by the image's.
SANITIZER_PACKAGE = re.compile(r"^lib(asan|ubsan|lsan|tsan)\d+$")


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def compose_config(source, env_extra):
    env = dict(os.environ, **env_extra)
    for flags in (["config", "-q"], ["config"]):
        p = subprocess.run(["docker-compose", "-f", os.path.join(source, "docker-compose.yml")] + flags,
                           capture_output=True, text=True, cwd=source, env=env, timeout=60)
        check(p.returncode == 0, "docker-compose %s failed:\n%s" % (" ".join(flags), p.stderr))
    return yaml.safe_load(p.stdout)


def check_compose(source):
    for shards in ("2", "4"):
        env = {} if shards == "2" else {"FLEETSIM_SHARDS": shards}
        config = compose_config(source, env)
        services = config["services"]
        for name in ("hub", "sim", "prometheus", "grafana"):
            check(name in services, "docker-compose.yml has no %s service" % name)
        sim = services["sim"]
        check(str(sim.get("deploy", {}).get("replicas")) == shards,
              "sim replicas %r, expected %s" % (sim.get("deploy"), shards))
        command = sim["command"]
        check(command[0] == "run", "sim command %r does not start with run" % command)
        check("--shard=replica/" + shards in command, "sim command %r lacks --shard=replica/%s" % (command, shards))
        check(any(c.startswith("--metrics-port=") for c in command), "sim exposes no --metrics-port")
        check(services["hub"]["command"][0] == "hub", "hub service does not run `fleetsim hub`")
        check(os.path.isfile(os.path.join(source, sim["command"][1])),
              "the sim's scenario %s does not exist" % sim["command"][1])
        for svc in services.values():
            for volume in svc.get("volumes", []):
                spec = volume if isinstance(volume, str) else "%s:%s" % (volume.get("source"), volume.get("target"))
                host = spec.split(":")[0]
                if host.startswith("/"):
                    check(os.path.exists(host), "compose mounts %s, which does not exist" % host)
    prometheus = config["services"]["prometheus"]
    check(any("dashboards/prometheus.yml" in str(v) for v in prometheus.get("volumes", [])),
          "prometheus does not mount dashboards/prometheus.yml")
    grafana = config["services"]["grafana"]
    check(any("dashboards/provisioning" in str(v) for v in grafana.get("volumes", [])),
          "grafana does not mount dashboards/provisioning")


def load_yaml_files(source):
    docs = {}
    paths = []
    for folder in ("deploy", "dashboards"):
        for ext in ("yaml", "yml"):
            paths += glob.glob(os.path.join(source, folder, "**", "*." + ext), recursive=True)
    check(paths, "no YAML file under deploy/ or dashboards/")
    for path in sorted(paths):
        with open(path) as f:
            try:
                loaded = [d for d in yaml.safe_load_all(f) if d is not None]
            except yaml.YAMLError as e:
                fail("%s: %s" % (path, e))
        check(loaded, "%s: no YAML document" % path)
        docs[path] = loaded
    return docs


def kustomize_resources(directory, seen=None):
    """Every manifest a kustomization includes, following directories (bases)."""
    seen = seen if seen is not None else set()
    path = os.path.join(directory, "kustomization.yaml")
    check(os.path.isfile(path), "%s has no kustomization.yaml" % directory)
    with open(path) as f:
        k = yaml.safe_load(f)
    check(k.get("kind") == "Kustomization", "%s: kind %r" % (path, k.get("kind")))
    manifests = []
    for resource in k.get("resources", []):
        target = os.path.normpath(os.path.join(directory, resource))
        check(os.path.exists(target), "%s lists %s, which does not exist" % (path, resource))
        if os.path.isdir(target):
            check(target not in seen, "%s: %s included twice" % (path, resource))
            seen.add(target)
            manifests += kustomize_resources(target, seen)
        else:
            manifests.append(target)
    return manifests


def pod_templates(objects):
    for o in objects:
        if o["kind"] in ("Deployment", "Job"):
            yield o, o["spec"]["template"]


def check_kubernetes(source, docs):
    root = os.path.join(source, "deploy", "kubernetes")
    manifests = kustomize_resources(root)
    objects = []
    for m in manifests:
        for d in docs[m]:
            for field in ("apiVersion", "kind", "metadata"):
                check(field in d, "%s: a document has no %s" % (m, field))
            check(d["metadata"].get("name"), "%s: a %s has no name" % (m, d["kind"]))
            objects.append(d)
    kinds = sorted(o["kind"] for o in objects)
    for needed in ("Deployment", "Job", "Service", "Namespace"):
        check(needed in kinds, "deploy/kubernetes has no %s" % needed)

    # The Indexed Job: one pod per shard, each told how many shards there are.
    jobs = [o for o in objects if o["kind"] == "Job"]
    check(len(jobs) == 1, "%d Jobs in the kustomization" % len(jobs))
    job = jobs[0]["spec"]
    check(job.get("completionMode") == "Indexed", "the simulator Job is not Indexed")
    check(job.get("completions") == job.get("parallelism"),
          "completions %s != parallelism %s" % (job.get("completions"), job.get("parallelism")))
    check(job.get("backoffLimit") == 0, "a failed shard would be retried (backoffLimit %s)" % job.get("backoffLimit"))
    pod = job["template"]["spec"]
    check(pod.get("restartPolicy") == "Never", "restartPolicy %r" % pod.get("restartPolicy"))
    sim = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in sim.get("env", [])}
    check(env.get("FLEETSIM_SHARDS") == str(job["completions"]),
          "FLEETSIM_SHARDS=%s but completions %s" % (env.get("FLEETSIM_SHARDS"), job["completions"]))
    check(sim["args"][0] == "run", "the Job's container does not `run`")
    check(not any(a.startswith("--shard") for a in sim["args"]), "the Job passes --shard: the index comes from the Job")
    check(os.path.isfile(os.path.join(source, sim["args"][1])), "the Job's scenario %s does not exist" % sim["args"][1])

    # Services select pods that have their named ports; annotations name real ports.
    templates = list(pod_templates(objects))
    for svc in (o for o in objects if o["kind"] == "Service"):
        selector = svc["spec"]["selector"]
        matching = [t for _, t in templates if all(t["metadata"]["labels"].get(k) == v for k, v in selector.items())]
        check(matching, "Service %s selects no pod" % svc["metadata"]["name"])
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            for t in matching:
                names = {p.get("name") for c in t["spec"]["containers"] for p in c.get("ports", [])}
                numbers = {p["containerPort"] for c in t["spec"]["containers"] for p in c.get("ports", [])}
                check(target in names or target in numbers,
                      "Service %s port %s: no container port %s" % (svc["metadata"]["name"], port["name"], target))
    for owner, t in templates:
        annotations = t["metadata"].get("annotations", {})
        check(annotations.get("prometheus.io/scrape") == "true", "%s pods are not scraped" % owner["metadata"]["name"])
        numbers = {p["containerPort"] for c in t["spec"]["containers"] for p in c.get("ports", [])}
        check(int(annotations["prometheus.io/port"]) in numbers,
              "%s: prometheus.io/port %s is no container port" % (owner["metadata"]["name"], annotations["prometheus.io/port"]))
        for c in t["spec"]["containers"]:
            metrics = [a for a in c.get("args", []) if a.startswith("--metrics-port=")]
            check(metrics and int(metrics[0].split("=")[1]) == int(annotations["prometheus.io/port"]),
                  "%s: --metrics-port does not match the scrape annotation" % owner["metadata"]["name"])
        for v in t["spec"].get("volumes", []):
            claim = v.get("persistentVolumeClaim", {}).get("claimName")
            if claim:
                check(any(o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == claim for o in objects),
                      "claim %s is not in the kustomization" % claim)

    # The monitoring overlay: the base plus a ServiceMonitor over both metrics Services.
    overlay = kustomize_resources(os.path.join(root, "monitoring"))
    monitors = [d for m in overlay for d in docs[m] if d["kind"] == "ServiceMonitor"]
    check(len(monitors) == 1, "monitoring/ has %d ServiceMonitors" % len(monitors))
    monitor = monitors[0]["spec"]
    selected = set(monitor["selector"]["matchExpressions"][0]["values"])
    endpoint_ports = {e["port"] for e in monitor["endpoints"]}
    for svc in (o for o in objects if o["kind"] == "Service"):
        if svc["metadata"]["labels"]["app.kubernetes.io/name"] in selected:
            names = {p["name"] for p in svc["spec"]["ports"]}
            check(endpoint_ports <= names, "Service %s lacks port %s" % (svc["metadata"]["name"], endpoint_ports))
            selected.discard(svc["metadata"]["labels"]["app.kubernetes.io/name"])
    check(not selected, "the ServiceMonitor selects Services that do not exist: %s" % selected)

    merge = docs[os.path.join(root, "merge-job.yaml")][0]
    check(merge["kind"] == "Job", "merge-job.yaml is not a Job")
    check("report merge" in " ".join(merge["spec"]["template"]["spec"]["containers"][0]["args"]),
          "merge-job.yaml does not run `fleetsim report merge`")

    kubectl = shutil.which("kubectl")
    if kubectl:
        for directory in (root, os.path.join(root, "monitoring")):
            p = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True, timeout=60)
            check(p.returncode == 0, "kubectl kustomize %s: %s" % (directory, p.stderr))
            built = [d for d in yaml.safe_load_all(p.stdout) if d]
            check(all(d["metadata"].get("namespace") == "fleetsim" or d["kind"] == "Namespace" for d in built),
                  "kubectl kustomize %s: an object outside the fleetsim namespace" % directory)
        print("kubectl kustomize: both kustomizations build")
    else:
        print("no kubectl on PATH: kustomizations checked by this script alone")
    return len(objects)


def apt_packages(run_line):
    """Package names of an `apt-get install` inside a RUN instruction."""
    m = re.search(r"apt-get install ([^&]*)", run_line)
    check(m, "no apt-get install in %r" % run_line[:80])
    return {w for w in m.group(1).split() if not w.startswith("-") and w != "\\"}


def check_dockerfile(source, fleetsim):
    with open(os.path.join(source, "Dockerfile")) as f:
        text = f.read()
    joined = re.sub(r"\\\n", " ", text)
    stages = re.split(r"^FROM ", joined, flags=re.M)[1:]
    check(len(stages) == 2, "Dockerfile has %d stages, expected build and runtime" % len(stages))
    check(stages[0].startswith("debian:12 AS build"), "first stage: %r" % stages[0][:40])
    check(stages[1].startswith("debian:12-slim AS runtime"), "second stage: %r" % stages[1][:40])
    build_packages = apt_packages(stages[0])
    runtime_packages = apt_packages(stages[1])

    with open(os.path.join(source, "scripts", "setup.sh")) as f:
        setup = f.read()
    listed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", re.search(r"PACKAGES=\((.*?)\n\)", setup, re.S).group(1)))
    missing = build_packages - listed
    check(not missing, "the Dockerfile's build stage installs %s, which scripts/setup.sh does not" % sorted(missing))
    check("scripts/build.sh" in stages[0], "the build stage does not use scripts/build.sh")
    for src in re.findall(r"^COPY (?!--from)(\S+)", stages[1], flags=re.M):
        check(os.path.exists(os.path.join(source, src)), "COPY %s: no such path" % src)
    check(re.search(r'^ENTRYPOINT \["fleetsim"\]', stages[1], flags=re.M), "the runtime stage's entrypoint is not fleetsim")

    with open(os.path.join(source, ".dockerignore")) as f:
        ignored = f.read().split()
    check("build*/" in ignored and ".git/" in ignored, ".dockerignore does not leave out build trees and .git")

    if fleetsim:
        p = subprocess.run(["ldd", fleetsim], capture_output=True, text=True, check=True)
        needed = set()
        for lib in re.findall(r"=> (/\S+)", p.stdout):
            real = os.path.realpath(lib)
            owner = None
            for candidate in (lib, real, lib.replace("/lib/", "/usr/lib/", 1), real.replace("/lib/", "/usr/lib/", 1)):
                q = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if q.returncode == 0:
                    owner = q.stdout.split(":")[0]
                    break
            check(owner, "no Debian package owns %s" % lib)
            needed.add(owner)
        # Installing a package brings its dependencies, so a library of a dependency counts.
        q = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                            "--no-breaks", "--no-replaces", "--no-enhances"] + sorted(runtime_packages),
                           capture_output=True, text=True)
        closure = set(runtime_packages)
        closure |= {line.strip().split(": ")[-1] for line in q.stdout.splitlines() if "Depends:" in line}
        missing = {p for p in needed - closure - BASE_PACKAGES if not SANITIZER_PACKAGE.match(p)}
        check(not missing, "the runtime stage lacks %s (the binary links their libraries)" % sorted(missing))
        print("runtime stage: the binary's %d library packages are installed or in the base image" % len(needed))

    # The build stage's configure: tests and benchmarks off must configure with only its packages.
    with tempfile.TemporaryDirectory(prefix="fleetsim-docker-") as build:
        p = subprocess.run(["cmake", "-S", source, "-B", build, "-G", "Ninja", "-DFLEETSIM_TESTS=OFF",
                            "-DFLEETSIM_BENCH=OFF"], capture_output=True, text=True, timeout=120)
        check(p.returncode == 0, "cmake configure as in the Dockerfile failed:\n%s" % p.stderr[-3000:])
    return len(build_packages), len(runtime_packages)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--fleetsim", help="a built fleetsim binary, to check the runtime stage's libraries")
    args = ap.parse_args()
    source = os.path.abspath(args.source_dir)

    check(shutil.which("docker-compose"), "docker-compose is not installed (scripts/setup.sh installs it)")
    check_compose(source)
    print("docker-compose.yml: `docker-compose config` accepts it for 2 and 4 shards")
    docs = load_yaml_files(source)
    print("YAML: %d files under deploy/ and dashboards/ parse" % len(docs))
    objects = check_kubernetes(source, docs)
    print("deploy/kubernetes: %d objects, references consistent" % objects)
    build, runtime = check_dockerfile(source, args.fleetsim)
    print("Dockerfile: %d build packages all in setup.sh, %d runtime packages" % (build, runtime))
    print("PASS")


if __name__ == "__main__":
    main()
