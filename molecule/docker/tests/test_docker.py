"""Verify the docker role (docker_source: distro) on Debian 12 (engine only) and Debian 13 (engine + Compose v2)."""

import json

PLUGIN = "/usr/libexec/docker/cli-plugins/docker-compose"


def _is_debian13(host):
    return host.backend.get_hostname().endswith("debian13")


def test_engine_installed_enabled_running(host):
    assert host.package("docker.io").is_installed
    docker = host.service("docker")
    assert docker.is_enabled
    assert docker.is_running


def test_daemon_json_from_dict(host):
    daemon_json = host.file("/etc/docker/daemon.json")
    assert daemon_json.user == "root" and daemon_json.mode == 0o644
    assert json.loads(daemon_json.content_string) == {
        "log-driver": "json-file",
        "log-opts": {"max-size": "10m", "max-file": "3"},
        "live-restore": True,
        # docker_insecure_registries, set for every scenario in .config/molecule/config.yml
        "insecure-registries": ["ipp-registry:5000"],
    }
    info = json.loads(host.check_output("docker info --format '{{json .}}'"))
    assert info["LoggingDriver"] == "json-file"
    assert info["LiveRestoreEnabled"] is True
    assert info["Driver"] == "overlay2"
    assert "ipp-registry:5000" in info["RegistryConfig"]["IndexConfigs"]


def test_pulls_from_the_sandbox_registry(host):
    # The way every sandbox host gets the images a droplet would pull from a
    # registry: by the registry container's name on the sandbox network.
    image = "ipp-registry:5000/debian13:latest"
    pulled = host.run(f"docker pull -q {image}")
    assert pulled.rc == 0, pulled.stderr
    assert host.check_output(f"docker run --rm --network none {image} cat /etc/debian_version").startswith("13")


def test_user_in_docker_group(host):
    assert "docker" in host.user("deploy").groups
    assert host.run("su -s /bin/sh deploy -c 'docker version --format {{.Server.Version}}'").rc == 0


def test_python_docker_sdk(host):
    assert host.run("python3 -c 'import docker, requests'").rc == 0


def test_engine_runs_a_container(host):
    # Image imported offline from busybox-static in side_effect.yml.
    assert host.run("docker run --rm --network none ipp/busybox:local /bin/true").rc == 0
    running = host.check_output("docker inspect -f '{{.State.Running}}' ipp-engine-check")
    assert running == "true"
    log_type = host.check_output("docker inspect -f '{{.HostConfig.LogConfig.Type}}' ipp-engine-check")
    assert log_type == "json-file"


def test_compose_v2_where_packaged(host):
    version = host.run("docker compose version --short")
    if _is_debian13(host):
        assert version.rc == 0
        assert version.stdout.strip().lstrip("v").startswith("2."), version.stdout
        assert host.file(PLUGIN).exists
        assert host.package("docker-compose").is_installed
    else:
        # Debian 12: engine only (docker_compose_required: false), no Compose v1 either.
        assert version.rc != 0
        assert not host.file(PLUGIN).exists
        assert not host.package("docker-compose").is_installed


def test_compose_project_is_up(host):
    if not _is_debian13(host):
        return
    projects = json.loads(host.check_output("docker compose ls --format json"))
    assert any(p["Name"] == "ipp-compose" and p["Status"].startswith("running") for p in projects), projects
    page = host.check_output("docker exec ipp-compose-web-1 wget -qO- http://127.0.0.1:8080/")
    assert "insightpulse docker scenario" in page
    published = host.run(
        "python3 -c \"import urllib.request as u; print(u.urlopen('http://127.0.0.1:18080/').read().decode())\""
    )
    assert published.stdout.startswith("insightpulse docker scenario"), published.stderr
