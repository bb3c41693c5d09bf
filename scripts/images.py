#!/usr/bin/env python3
"""Build the sandbox's images once per machine and serve them from a registry.

No container registry is reachable here, so the sandbox builds its own
equivalents of the official images the roles pull (images/images.yml lists
them; each images/<name>/ is a recipe) and serves them the way a droplet gets
images: from a registry. Sandbox hosts pull `ipp-registry:5000/<name>:<tag>`
exactly as a droplet pulls `<name>:<tag>`; only the image variables differ.

    scripts/images.py build [NAME ...]   build what changed, start the registry, push
    scripts/images.py list               each image: tag, state, size

An image is rebuilt only when the hash of its recipe folder, its inputs and
the ID of the base image it starts FROM differs from the hash labelled on the
image this machine has (io.insightpulse.recipe). An unchanged image is neither
rebuilt nor pushed again.

Environment:
  SANDBOX_BUILD_JOBS  builds at the same time (default 2: this machine's cores)
  SANDBOX_PULL_OFFICIAL=1  where a registry is reachable (e.g. GitHub's runners):
                      pull each image's `official` image and tag it as the
                      sandbox's instead of building it; the roles, scenarios and
                      interface tests then run against the real official images
  <input env vars>    per images/images.yml, e.g. ODOO_SOURCE_ARCHIVE
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "images"
LOGS = ROOT / ".cache" / "logs"
PREFIX = "insightpulse"
LABEL = "io.insightpulse.recipe"

# The registry: one container on this machine, on the network every sandbox
# host joins. This machine pushes through the published loopback port; the
# hosts pull by the container's name on the shared network.
REGISTRY_CONTAINER = "ipp-registry"
REGISTRY_NETWORK = "ipp-images"
REGISTRY_VOLUME = "ipp-registry-data"
REGISTRY_PUSH = "localhost:5000"
# The sandbox base images are served too: builds on the hosts start FROM them.
BASE_IMAGES = {"debian12": f"{PREFIX}/debian12:latest", "debian13": f"{PREFIX}/debian13:latest"}


def log(msg: str) -> None:
    print(f"\033[1m[images]\033[0m {msg}", file=sys.stderr, flush=True)


def docker(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, **kwargs)


def image_id(ref: str) -> str | None:
    result = docker("image", "inspect", "--format", "{{.Id}}", ref, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def image_label(ref: str) -> str | None:
    result = docker("image", "inspect", "--format", "{{ json .Config.Labels }}", ref, check=False)
    return (json.loads(result.stdout) or {}).get(LABEL) if result.returncode == 0 else None


def load_catalog() -> dict:
    return yaml.safe_load((IMAGES / "images.yml").read_text())


def local_ref(name: str, spec: dict) -> str:
    return f"{PREFIX}/{name}:{spec['tag']}"


def input_paths(name: str, spec: dict) -> dict[str, Path]:
    """Context name -> file on this machine, for each input of an image."""
    paths = {}
    for dest, source in (spec.get("inputs") or {}).items():
        path = Path(os.environ.get(source["env"]) or (ROOT / source["default"])).resolve()
        if not path.is_file():
            raise SystemExit(
                f"{name}: input {dest} not found at {path} (set {source['env']} to its path; see images/images.yml)"
            )
        paths[dest] = path
    return paths


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recipe_hash(name: str, spec: dict, inputs: dict[str, Path]) -> str:
    """Hash of everything the image is built from."""
    digest = hashlib.sha256()
    base = BASE_IMAGES[spec["base"]]
    base_id = image_id(base)
    if base_id is None:
        raise SystemExit(f"{name}: base image {base} is missing (scripts/sandbox.sh images builds it)")
    digest.update(f"tag={spec['tag']} base={base_id}\n".encode())
    recipe = IMAGES / name
    for path in sorted(p for p in recipe.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(recipe).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    for dest, path in sorted(inputs.items()):
        digest.update(f"input {dest} {file_digest(path)}\n".encode())
    return digest.hexdigest()[:16]


def build(name: str, spec: dict, inputs: dict[str, Path], recipe: str) -> float:
    """docker build in a temporary context (recipe + inputs); returns seconds."""
    LOGS.mkdir(parents=True, exist_ok=True)
    logfile = LOGS / f"image-{name}.log"
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"ipp-image-{name}-") as context:
        shutil.copytree(IMAGES / name, context, dirs_exist_ok=True)
        for dest, path in inputs.items():
            target = Path(context, dest)
            try:
                os.link(path, target)  # same file system: no copy of a large archive
            except OSError:
                shutil.copyfile(path, target)
        with logfile.open("w") as out:
            result = subprocess.run(
                [
                    "docker",
                    "build",
                    "--build-arg",
                    f"BASE_IMAGE={BASE_IMAGES[spec['base']]}",
                    "--label",
                    f"{LABEL}={recipe}",
                    "--tag",
                    local_ref(name, spec),
                    context,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
    if result.returncode != 0:
        tail = logfile.read_text().splitlines()[-30:]
        raise RuntimeError(f"building {name} failed (log: {logfile}):\n" + "\n".join(tail))
    return time.monotonic() - start


def ensure_registry(catalog: dict) -> None:
    """The registry container runs the current registry image, on its network."""
    if docker("network", "inspect", REGISTRY_NETWORK, check=False).returncode != 0:
        docker("network", "create", "--label", "owner=insightpulse-sandbox", REGISTRY_NETWORK)
    want = image_id(local_ref("registry", catalog["registry"]))
    running = docker("inspect", "--format", "{{.Image}} {{.State.Running}}", REGISTRY_CONTAINER, check=False)
    if running.returncode == 0 and running.stdout.split() == [want, "true"]:
        return
    if running.returncode == 0:
        log("replacing the registry container (new image or stopped); its volume stays")
        docker("rm", "-f", REGISTRY_CONTAINER)
    docker(
        "run",
        "-d",
        "--name",
        REGISTRY_CONTAINER,
        "--network",
        REGISTRY_NETWORK,
        "--publish",
        "127.0.0.1:5000:5000",
        "--volume",
        f"{REGISTRY_VOLUME}:/var/lib/registry",
        "--restart",
        "unless-stopped",
        "--read-only",
        "--tmpfs",
        "/tmp",  # noqa: S108 - a tmpfs inside the registry container
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--label",
        "owner=insightpulse-sandbox",
        local_ref("registry", catalog["registry"]),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{REGISTRY_PUSH}/v2/", timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit(f"the registry did not answer on {REGISTRY_PUSH} within 30 s: docker logs {REGISTRY_CONTAINER}")


def served_id(repository: str, tag: str) -> str | None:
    """Config digest (= image ID) of what the registry serves under repository:tag."""
    request = urllib.request.Request(
        f"http://{REGISTRY_PUSH}/v2/{repository}/manifests/{tag}",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return json.load(response).get("config", {}).get("digest")
    except urllib.error.HTTPError:
        return None


def push(ref: str, repository: str, tag: str) -> bool:
    """Push ref as repository:tag unless the registry already serves it."""
    local = image_id(ref)
    if served_id(repository, tag) == local:
        return False
    target = f"{REGISTRY_PUSH}/{repository}:{tag}"
    docker("tag", ref, target)
    docker("push", target)
    docker("rmi", target)  # only the extra name; the image stays
    return True


def size_mb(ref: str) -> int:
    return int(docker("image", "inspect", "--format", "{{.Size}}", ref).stdout.strip()) // 1_000_000


def pull_official(wanted: list[str], catalog: dict) -> None:
    """Use the official images themselves: pull, tag as the sandbox's."""
    for name in wanted:
        official = catalog[name]["official"]
        log(f"pulling {official} for {local_ref(name, catalog[name])}")
        docker("pull", "-q", official)
        docker("tag", official, local_ref(name, catalog[name]))


def cmd_build(names: list[str]) -> int:
    catalog = load_catalog()
    unknown = [n for n in names if n not in catalog]
    if unknown:
        raise SystemExit(f"unknown image(s) {', '.join(unknown)}; images/images.yml has {', '.join(catalog)}")
    # The registry is always needed to serve the others.
    wanted = ["registry", *[n for n in (names or catalog) if n != "registry"]]
    if os.environ.get("SANDBOX_PULL_OFFICIAL") == "1":
        pull_official(wanted, catalog)
        return serve(wanted, catalog, dict.fromkeys(wanted, "official image pulled"))
    plan = {}
    for name in wanted:
        spec = catalog[name]
        inputs = input_paths(name, spec)
        plan[name] = (spec, inputs, recipe_hash(name, spec, inputs))
    todo = [n for n, (spec, _i, recipe) in plan.items() if image_label(local_ref(n, spec)) != recipe]
    report = {n: "cached" for n in plan}
    if todo:
        jobs = int(os.environ.get("SANDBOX_BUILD_JOBS", "2"))
        log(f"building {', '.join(todo)} ({jobs} at a time; logs in .cache/logs/image-<name>.log)")
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(build, n, *plan[n]): n for n in todo}
            failed = []
            for future in concurrent.futures.as_completed(futures):
                name = futures[future]
                try:
                    seconds = future.result()
                except RuntimeError as exc:
                    failed.append(name)
                    log(str(exc))
                    continue
                report[name] = f"built in {seconds:.0f} s"
                log(f"{name}: {report[name]}")
        if failed:
            log(f"FAILED: {', '.join(failed)}")
            return 1
    return serve(list(plan), catalog, report)


def serve(names: list[str], catalog: dict, report: dict[str, str]) -> int:
    """Start the registry and push the images (and the base images) it lacks."""
    ensure_registry(catalog)
    start = time.monotonic()
    pushed = []
    for name in names:
        if name != "registry" and push(local_ref(name, catalog[name]), name, catalog[name]["tag"]):
            pushed.append(name)
    for short, ref in BASE_IMAGES.items():
        if push(ref, short, "latest"):
            pushed.append(short)
    if pushed:
        log(f"pushed {', '.join(pushed)} to {REGISTRY_PUSH} in {time.monotonic() - start:.0f} s")
    for name in names:
        ref = local_ref(name, catalog[name])
        log(f"{ref:32} {size_mb(ref):5} MB  {report[name]}")
    log(f"served to sandbox hosts as {REGISTRY_CONTAINER}:5000/<name>:<tag> (network {REGISTRY_NETWORK})")
    return 0


def cmd_list() -> int:
    catalog = load_catalog()
    for name, spec in catalog.items():
        ref = local_ref(name, spec)
        have = image_label(ref)
        try:
            state = "up to date" if have == recipe_hash(name, spec, input_paths(name, spec)) else "outdated"
        except SystemExit as exc:
            state = f"cannot build: {exc}"
        if have is None:
            state = "missing"
        print(f"{ref:32} {state}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        return cmd_build(argv[1:])
    if argv == ["list"]:
        return cmd_list()
    print(__doc__.split("\n\n")[2], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
