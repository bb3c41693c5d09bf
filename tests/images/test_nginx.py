"""insightpulse/nginx keeps the interface of the official nginx:1.26 image.

One server gets what a role would hand the official image: a conf.d file, a
template rendered from the environment, /docker-entrypoint.d scripts (an
*.envsh whose export reaches the template, a *.sh, a non-executable *.sh that
must be skipped) and a config file changed under it before `nginx -s reload`.
Requests go from this machine to the container's address, bypassing any proxy.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Containers, docker, image, wait_for

IMAGE = image("nginx")
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))

EXTRA_CONF = 'server { listen 8080; location / { return 200 "extra\\n"; } }\n'
TEMPLATE = 'server { listen ${NGINX_PORT}; location / { return 200 "templated ${GREETING} $host\\n"; } }\n'
RELOAD_CONF = 'server {{ listen 8082; location / {{ return 200 "{}\\n"; }} }}\n'


@dataclass
class Nginx:
    pool: Containers
    name: str
    ip: str
    reload_conf: Path

    def get(self, path: str = "/", port: int = 80) -> tuple[int, str, str]:
        """(status, content type, body) of a GET to the container."""
        try:
            with DIRECT.open(f"http://{self.ip}:{port}{path}", timeout=5) as response:
                return response.status, response.headers["Content-Type"], response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    files = tmp_path_factory.mktemp("nginx")
    (files / "templates").mkdir()
    (files / "templates" / "port.conf.template").write_text(TEMPLATE)
    (files / "extra.conf").write_text(EXTRA_CONF)
    (files / "reload.conf").write_text(RELOAD_CONF.format("v1"))
    scripts = {
        "15-greeting.envsh": "export GREETING=from-envsh\n",
        "30-mark.sh": "#!/bin/sh\necho ran > /usr/share/nginx/html/mark.txt\n",
        "35-skipped.sh": "#!/bin/sh\necho ran > /usr/share/nginx/html/skipped.txt\n",
    }
    mounts = [
        f"{files / 'templates'}:/etc/nginx/templates:ro",
        f"{files / 'extra.conf'}:/etc/nginx/conf.d/extra.conf:ro",
        f"{files / 'reload.conf'}:/etc/nginx/conf.d/reload.conf:ro",
    ]
    for script, text in scripts.items():
        (files / script).write_text(text)
        (files / script).chmod(0o644 if script == "35-skipped.sh" else 0o755)
        mounts.append(f"{files / script}:/docker-entrypoint.d/{script}:ro")

    pool = Containers()
    try:
        name = pool.run(IMAGE, env={"NGINX_PORT": "8081"}, options=tuple(f"-v{mount}" for mount in mounts))
        server = Nginx(pool, name, pool.ip(name), files / "reload.conf")
        wait_for(lambda: server.get()[0] == 200, timeout=20, what="nginx answering on port 80")
        yield server
    finally:
        pool.close()


def test_image_declares_the_official_interface():
    config = json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Config"]
    assert config["StopSignal"] == "SIGQUIT"
    assert {"80/tcp", "443/tcp"} <= set(config["ExposedPorts"])
    assert config["Entrypoint"] == ["/docker-entrypoint.sh"]
    assert config["Cmd"] == ["nginx", "-g", "daemon off;"]


def test_default_page(nginx: Nginx):
    status, content_type, body = nginx.get("/")
    assert status == 200
    assert content_type == "text/html"  # mime.types is included
    assert "<title>Welcome to nginx!</title>" in body
    assert nginx.get("/index.html")[0] == 200


def test_conf_d_file_is_served(nginx: Nginx):
    assert nginx.get(port=8080)[::2] == (200, "extra\n")


def test_template_rendered_with_environment_only(nginx: Nginx):
    # NGINX_PORT from `docker run -e`, GREETING from the *.envsh; nginx's own $host untouched.
    assert nginx.get(port=8081)[::2] == (200, f"templated from-envsh {nginx.ip}\n")
    rendered = nginx.pool.exec(nginx.name, "cat", "/etc/nginx/conf.d/port.conf").stdout
    assert "listen 8081;" in rendered
    assert "$host" in rendered


def test_entrypoint_d_runs_executable_scripts_only(nginx: Nginx):
    assert nginx.get("/mark.txt")[::2] == (200, "ran\n")
    assert nginx.get("/skipped.txt")[0] == 404
    logs = nginx.pool.logs(nginx.name)
    assert "sourcing /docker-entrypoint.d/15-greeting.envsh" in logs
    assert "ignoring /docker-entrypoint.d/35-skipped.sh, not executable" in logs


def test_config_test_passes(nginx: Nginx):
    result = nginx.pool.exec(nginx.name, "nginx", "-t", check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_reload_picks_up_changed_config_without_restart(nginx: Nginx):
    before = nginx.pool.inspect(nginx.name)["State"]
    assert nginx.get(port=8082)[::2] == (200, "v1\n")
    nginx.reload_conf.write_text(RELOAD_CONF.format("v2"))  # same inode: the bind mount sees it
    nginx.pool.exec(nginx.name, "nginx", "-s", "reload")
    wait_for(lambda: nginx.get(port=8082)[2] == "v2\n", timeout=10, what="the reloaded config answering")
    after = nginx.pool.inspect(nginx.name)["State"]
    assert (after["Pid"], after["StartedAt"], after["Running"]) == (before["Pid"], before["StartedAt"], True)


def test_workers_run_as_uid_101(nginx: Nginx):
    top = docker("top", nginx.name, "-o", "pid,uid,args").stdout.splitlines()[1:]  # docker top needs pid
    rows = [line.split(None, 2)[1:] for line in top]
    workers = {uid for uid, args in rows if "worker process" in args}
    masters = {uid for uid, args in rows if "master process" in args}
    assert workers == {"101"}
    assert masters == {"0"}


def test_logs_reach_docker_logs(nginx: Nginx):
    path = f"/probe-{uuid.uuid4().hex[:8]}"
    assert nginx.get(path)[0] == 404

    def logged() -> bool:
        logs = docker("logs", nginx.name)
        # access log -> stdout, error log (the failed open()) -> stderr
        return f'"GET {path} HTTP/1.1" 404' in logs.stdout and f'{path}" failed' in logs.stderr

    wait_for(logged, timeout=10, what="the request in docker logs")


def test_http2_and_ssl_modules_built_in(nginx: Nginx):
    configure = nginx.pool.exec(nginx.name, "nginx", "-V").stderr
    assert "nginx/1.26." in configure
    assert "--with-http_v2_module" in configure
    assert "--with-http_ssl_module" in configure


def test_other_commands_run_as_given():
    script = "id -u nginx; id -g nginx; ls /etc/nginx; readlink /var/log/nginx/access.log /var/log/nginx/error.log"
    result = docker("run", "--rm", IMAGE, "bash", "-c", script)
    lines = result.stdout.splitlines()
    assert lines[:2] == ["101", "101"]
    assert lines[-2:] == ["/dev/stdout", "/dev/stderr"]
    assert "sites-enabled" not in lines
    assert "conf.d" in lines
    assert "docker-entrypoint" not in result.stdout + result.stderr  # scripts run for nginx only
