#!/usr/bin/env python3
"""The whole platform's rollout on the local sandbox: first converge, no-op re-run, check mode.

A script that prints figures (never asserts). It runs what `make demo` runs, against
inventories/local:

  1. `playbooks/sandbox.yml` (the sandbox hosts; with --fresh they are removed first, so the
     first converge is from bare Debian 13 hosts, images already in the sandbox registry);
  2. `site.yml`, timed: the first converge (or, without --fresh on a converged sandbox, a
     re-run, and the output says so);
  3. `site.yml` again, timed: the no-op re-run, with its changed count per host and its
     ratio to the first converge;
  4. `site.yml --check`, timed, with its changed count per host;
  5. the ten slowest tasks of the no-op re-run (the profile_tasks callback's recap).

With --ssh, Ansible reaches the same sandbox hosts over SSH instead of `docker exec`, as it
reaches droplets: each host gets openssh-server and a key made for the benchmark (before the
first converge, outside its timing), and a second inventory (in the logs directory) gives every
host `ansible_connection: ssh`, its address on the sandbox network and that key. Everything
else (roles, variables, Mitogen) is what the local inventory runs.

Logs of every run: .cache/bench/site_converge/ (with --ssh: site_converge_ssh/).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".cache" / "bench" / "site_converge"
ENV = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
BIN = Path(sys.executable).parent


def run(name, *args, inventories=("inventories/local",)):
    LOGS.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    sources = [arg for inventory in inventories for arg in ("-i", str(inventory))]
    out = subprocess.run([str(BIN / "ansible-playbook"), *sources, *args], cwd=ROOT, env=ENV,
                         capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    (LOGS / f"{name}.log").write_text(out.stdout + out.stderr)
    changed = dict(re.findall(r"(?m)^(\S+)\s+: ok=\d+\s+changed=(\d+)", out.stdout))
    status = "ok" if out.returncode == 0 else f"FAILED (rc {out.returncode}, see {LOGS / (name + '.log')})"
    print(f"{name:<22} {seconds:7.1f} s  changed={changed}  {status}", flush=True)
    return seconds, out


def slowest(output, count=10):
    # profile_tasks' recap lines: "role : task ------ 12.34s"
    rows = re.findall(r"(?m)^(.+?) -+ (\d+\.\d+)s$", output)
    return sorted(((float(s), t.strip()) for t, s in rows), reverse=True)[:count]


def sandbox_hosts():
    listing = subprocess.run([str(BIN / "ansible-inventory"), "-i", "inventories/local", "--list"], cwd=ROOT,
                             env=ENV, capture_output=True, text=True, check=True).stdout
    return json.loads(listing)["sandbox"]["hosts"]


def ssh_inventory():
    """Serve SSH on every sandbox host and write the inventory that reaches them over it."""
    key = LOGS / "id_ed25519"
    if not key.exists():
        LOGS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "site_converge benchmark",
                        "-f", str(key)], check=True)
    public = key.with_suffix(".pub").read_text()
    hosts = {}
    for host in sandbox_hosts():
        # A droplet's image has sshd and root's key; the sandbox's bare Debian has neither.
        setup = ("set -e; command -v sshd >/dev/null || { apt-get update -qq && "
                 "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null; }; "
                 "install -d -m 0700 /root/.ssh; cat > /root/.ssh/authorized_keys; "
                 "chmod 0600 /root/.ssh/authorized_keys; systemctl enable --now ssh >/dev/null 2>&1")
        subprocess.run(["docker", "exec", "-i", host, "bash", "-c", setup], input=public, text=True, check=True)
        addresses = "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"
        address = subprocess.run(["docker", "inspect", "-f", addresses, host], capture_output=True, text=True,
                                 check=True).stdout.split()[0]
        hosts[host] = {"ansible_connection": "ssh", "ansible_host": address, "ansible_user": "root",
                       "ansible_ssh_private_key_file": str(key),
                       # Throwaway hosts with new host keys at each --fresh run: not this machine's known_hosts.
                       "ansible_host_key_checking": False,
                       "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"}
    inventory = LOGS / "ssh-hosts.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}, indent=2))
    return inventory


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="remove the sandbox hosts first (a first converge)")
    parser.add_argument("--ssh", action="store_true", help="reach the sandbox hosts over SSH, as droplets")
    args = parser.parse_args()
    global LOGS
    if args.ssh:
        LOGS = LOGS.with_name("site_converge_ssh")
    if args.fresh:
        run("sandbox-absent", "playbooks/sandbox.yml", "-e", "sandbox_state=absent")
    run("sandbox", "playbooks/sandbox.yml")
    inventories = ("inventories/local", ssh_inventory()) if args.ssh else ("inventories/local",)
    print(f"connection: {'ssh' if args.ssh else 'docker'}", flush=True)
    first, _ = run("first converge" if args.fresh else "converge (not fresh)", "site.yml", inventories=inventories)
    noop, out = run("no-op re-run", "site.yml", inventories=inventories)
    run("check mode", "site.yml", "--check", inventories=inventories)
    print(f"no-op / first converge: {noop / first:.2f}")
    print("slowest tasks of the no-op re-run:")
    for seconds, task in slowest(out.stdout):
        print(f"  {seconds:6.2f} s  {task}")


if __name__ == "__main__":
    main()
