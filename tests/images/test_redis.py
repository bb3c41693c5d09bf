"""insightpulse/redis keeps the interface of the official redis:7 image the superset role uses.

A server started with the default command answers another container on the same network
without a password (protected mode off), runs as redis (999) with /data owned by it, takes
`-...` arguments as redis-server options, and runs any other command as given.
"""

from __future__ import annotations

from conftest import Containers, docker, image, wait_for

IMAGE = image("redis")


def ping(pool: Containers, client: str, server: str, port: int = 6379) -> bool:
    result = pool.exec(client, "redis-cli", "-h", server, "-p", str(port), "ping", check=False)
    return result.stdout.strip() == "PONG"


def test_default_command_serves_the_network_without_password(containers):
    server = containers.run(IMAGE)
    client = containers.run(IMAGE, "sleep", "infinity")
    wait_for(lambda: ping(containers, client, server), timeout=30, what="redis answering PONG")
    assert containers.exec(client, "redis-cli", "-h", server, "set", "k", "v").stdout.strip() == "OK"
    assert containers.exec(client, "redis-cli", "-h", server, "-n", "1", "get", "k").stdout.strip() == ""
    assert containers.exec(client, "redis-cli", "-h", server, "get", "k").stdout.strip() == "v"
    version = containers.exec(client, "redis-cli", "-h", server, "info", "server").stdout
    assert "redis_version:7." in version


def test_runs_as_redis_with_data_owned_by_it(containers):
    server = containers.run(IMAGE)
    client = containers.run(IMAGE, "sleep", "infinity")
    wait_for(lambda: ping(containers, client, server), timeout=30, what="redis answering PONG")
    status = containers.exec(server, "cat", "/proc/1/status").stdout
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1:] == ["999"] * 4
    assert containers.exec(server, "stat", "-c", "%u:%g", "/data").stdout.strip() == "999:999"
    info = containers.inspect(server)
    assert info["Config"]["WorkingDir"] == "/data"
    assert "/data" in info["Config"]["Volumes"]
    assert "6379/tcp" in info["Config"]["ExposedPorts"]


def test_options_pass_through(containers):
    server = containers.run(IMAGE, "--port", "7000", "--save", "")
    client = containers.run(IMAGE, "sleep", "infinity")
    wait_for(lambda: ping(containers, client, server, 7000), timeout=30, what="redis answering on 7000")
    assert not ping(containers, client, server, 6379)


def test_other_commands_run_as_given():
    out = docker("run", "--rm", IMAGE, "redis-server", "--version").stdout
    assert "v=7." in out
    assert docker("run", "--rm", IMAGE, "id", "-u").stdout.strip() == "0"
