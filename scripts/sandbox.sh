#!/usr/bin/env bash
# Make the local Docker sandbox usable: a Docker daemon that answers, the
# Debian 12 / Debian 13 systemd base images the Molecule scenarios and the
# local inventory run on, and the registry serving the service images
# (scripts/images.py) that sandbox hosts pull instead of the official ones.
#
#   scripts/sandbox.sh            # daemon + base images + service images and registry
#   scripts/sandbox.sh daemon     # only make sure a daemon answers
#   scripts/sandbox.sh base       # only the Debian 12/13 base images
#   scripts/sandbox.sh images     # base images, then scripts/images.py build
#   SANDBOX_REBUILD=1 scripts/sandbox.sh base   # rebuild the base images
#
# Every image is rebuilt only when what it is built from changes (a hash
# labelled on the image), never per run or per scenario.
#
# Never touches a daemon that already answers. Where no container registry is
# reachable (the default assumption), images are built with debootstrap from the
# Debian archive and `docker import`ed. Users with registry access can skip all
# of this and point the scenarios at ordinary images instead:
#   MOLECULE_DEBIAN12_IMAGE=geerlingguy/docker-debian12-ansible:latest
#   MOLECULE_DEBIAN13_IMAGE=geerlingguy/docker-debian13-ansible:latest
#
# Knobs (environment):
#   SANDBOX_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   SANDBOX_CA_DIR   extra CA certificates (*.crt) to trust inside the images, for
#                    TLS-inspecting proxies (default /usr/local/share/ca-certificates)
#   SANDBOX_IMAGE_PREFIX  image name prefix (default insightpulse)
set -euo pipefail

MIRROR=${SANDBOX_MIRROR:-http://deb.debian.org/debian}
CA_DIR=${SANDBOX_CA_DIR:-/usr/local/share/ca-certificates}
PREFIX=${SANDBOX_IMAGE_PREFIX:-insightpulse}
DOCKERD_LOG=${SANDBOX_DOCKERD_LOG:-/var/log/dockerd-sandbox.log}
# Packages a fresh cloud droplet has, plus what Ansible needs to manage it.
INCLUDE=python3,python3-apt,systemd,systemd-sysv,dbus,ca-certificates,iproute2,procps,iputils-ping,curl,gnupg,sudo

log() { printf '\033[1m[sandbox]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[sandbox] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_daemon() {
  if docker info >/dev/null 2>&1; then
    log "a Docker daemon answers; leaving it alone"
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    log "no Docker engine installed: installing the distro's docker.io"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  if docker info >/dev/null 2>&1; then return 0; fi   # the package may have started it
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl start docker || true
  fi
  if ! docker info >/dev/null 2>&1; then
    log "starting dockerd in the background (log: $DOCKERD_LOG)"
    as_root sh -c "nohup dockerd >'$DOCKERD_LOG' 2>&1 &"
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { log "Docker daemon is up"; return 0; }
    sleep 1
  done
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  die "Docker daemon did not come up within 60 s: the sandbox cannot run"
}

# recipe_hash SUITE: what a base image is built from (this recipe, the package
# list, the mirror, the extra CAs). A change rebuilds the image; nothing else does.
recipe_hash() {
  { declare -f build_image; echo "$1 $INCLUDE $MIRROR"; cat "$CA_DIR"/*.crt 2>/dev/null || true; } | sha256sum | cut -c1-16
}

# build_image NAME SUITE
build_image() {
  local name=$1 suite=$2 root
  local recipe have
  recipe=$(recipe_hash "$suite")
  have=$(docker image inspect --format '{{ index .Config.Labels "io.insightpulse.recipe" }}' "$name" 2>/dev/null || true)
  if [ -z "${SANDBOX_REBUILD:-}" ] && [ "$have" = "$recipe" ]; then
    log "$name is up to date (cached)"
    return 0
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    log "installing debootstrap"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  root=$(mktemp -d "/var/tmp/sandbox-$suite.XXXXXX")
  trap 'as_root rm -rf "$root"' RETURN
  log "debootstrap $suite into $root (a few minutes)"
  as_root debootstrap --variant=minbase --include="$INCLUDE" "$suite" "$root" "$MIRROR" >"$root.log" 2>&1 \
    || { tail -n 30 "$root.log" >&2; die "debootstrap $suite failed"; }
  rm -f "$root.log"

  # apt sources as a droplet has them (deb822), with security updates.
  as_root rm -f "$root/etc/apt/sources.list"
  as_root tee "$root/etc/apt/sources.list.d/debian.sources" >/dev/null <<SRC
Types: deb
URIs: $MIRROR
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC

  # Trust the same extra CAs as this host (TLS-inspecting egress, corporate proxy).
  if compgen -G "$CA_DIR/*.crt" >/dev/null; then
    as_root cp "$CA_DIR"/*.crt "$root/usr/local/share/ca-certificates/"
    as_root chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
  fi

  # systemd in a container: no gettys, no hardware units. Docker mounts /proc/sys
  # read-only (and its API refuses systempaths=unconfined); UFW and Docker inside
  # the host need to write network sysctls. Only /proc/sys/net is made writable:
  # those keys belong to the container's own network namespace, while the rest
  # of /proc/sys (kernel.*, vm.*, fs.*) is this machine's and stays read-only.
  # With /proc/sys read-only, systemd-sysctl skips itself (ConditionPathIsReadWrite).
  as_root tee "$root/etc/systemd/system/sandbox-proc-sys-net-rw.service" >/dev/null <<'UNIT'
[Unit]
Description=Make /proc/sys/net writable, the rest of /proc/sys stays read-only (container sandbox only)
DefaultDependencies=no
Before=sysinit.target systemd-sysctl.service
ConditionVirtualization=container

[Service]
Type=oneshot
ExecStart=/bin/mount --bind /proc/sys/net /proc/sys/net
ExecStart=/bin/mount -o remount,bind,rw /proc/sys/net
RemainAfterExit=yes

[Install]
WantedBy=sysinit.target
UNIT
  as_root chroot "$root" systemctl enable sandbox-proc-sys-net-rw.service >/dev/null 2>&1
  as_root chroot "$root" systemctl mask getty.target console-getty.service systemd-firstboot.service \
    systemd-udevd.service systemd-modules-load.service sys-kernel-config.mount >/dev/null 2>&1 || true
  echo "sandbox" | as_root tee "$root/etc/hostname" >/dev/null
  as_root chroot "$root" apt-get clean

  log "importing $name"
  as_root tar -C "$root" -c . | docker import \
    --change 'ENV container=docker' \
    --change 'CMD ["/lib/systemd/systemd"]' \
    --change "LABEL io.insightpulse.recipe=$recipe" \
    --message "debootstrap $suite minbase + systemd + python3 (insightpulse sandbox)" \
    - "$name" >/dev/null
  log "built $name"
}

ensure_images() {
  build_image "$PREFIX/debian12:latest" bookworm &
  local p12=$!
  build_image "$PREFIX/debian13:latest" trixie &
  local p13=$!
  wait "$p12" || die "building $PREFIX/debian12 failed"
  wait "$p13" || die "building $PREFIX/debian13 failed"
}

# The official images the roles pull (PostgreSQL, Nginx, Odoo, ...), built from
# images/<name>/ on top of the base images and served by the sandbox registry.
ensure_service_images() {
  local py=.venv/bin/python
  [ -x "$py" ] || die "no .venv: run scripts/setup.sh first"
  "$py" scripts/images.py build || die "building the sandbox's service images failed"
}

cd "$(dirname "$0")/.."
case "${1:-all}" in
  daemon) ensure_daemon ;;
  images) ensure_daemon; ensure_images; ensure_service_images ;;
  base) ensure_daemon; ensure_images ;;
  all) ensure_daemon; ensure_images; ensure_service_images ;;
  *) die "usage: $0 [all|daemon|base|images]" ;;
esac
