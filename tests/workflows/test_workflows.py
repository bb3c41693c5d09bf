"""The GitHub Actions workflows are code too: load them and check triggers and gating.

A typo in a trigger, a secret name or a gate output would otherwise only show
up on GitHub, after a tag was pushed.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name):
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads a bare `on:` key as True; the files quote it, keep it that way.
    assert "on" in data, f"{name}: quote the 'on' key so it is not parsed as a boolean"
    return data


def gate_outputs(wf):
    """Map gate output name -> set of secrets its step reads."""
    gate = wf["jobs"]["gate"]
    outputs = {}
    steps = {s.get("id"): s for s in gate["steps"]}
    for out, expr in gate["outputs"].items():
        m = re.fullmatch(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}", expr)
        assert m, f"gate output {out} must come from a step output"
        step = steps[m.group(1)]
        assert m.group(2) == out
        line = next(ln for ln in step["run"].splitlines() if ln.strip().startswith(f'echo "{out}='))
        env_names = set(re.findall(r"\$(\w+)", line)) - {"GITHUB_OUTPUT"}
        for name in env_names:
            assert step["env"][name] == f"${{{{ secrets.{name} }}}}", f"{name} must come from the secret of that name"
        outputs[out] = env_names
    return outputs


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_every_need_exists_and_every_gate_output_is_declared(name):
    wf = load(name)
    jobs = wf["jobs"]
    for job_id, job in jobs.items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        for need in needs:
            assert need in jobs, f"{name}: {job_id} needs unknown job {need}"
        for ref_job, out in re.findall(r"needs\.(\w+)\.outputs\.(\w+)", str(job.get("if", ""))):
            assert ref_job in needs, f"{name}: {job_id} reads {ref_job} outputs without needing it"
            assert out in jobs[ref_job].get("outputs", {}), f"{name}: {ref_job} has no output {out}"


def test_ci_runs_on_push_and_pull_request_with_a_molecule_matrix():
    wf = load("ci.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert "pull_request" in wf["on"]
    assert {"lint", "unit", "molecule"} <= set(wf["jobs"])
    scenarios = wf["jobs"]["molecule"]["strategy"]["matrix"]["scenario"]
    on_disk = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))
    assert sorted(scenarios) == on_disk, "every Molecule scenario runs in CI, and only those"
    run = " ".join(s.get("run", "") for s in wf["jobs"]["molecule"]["steps"])
    assert "${{ matrix.scenario }}" in run


def test_release_only_on_semver_tags_and_builds_before_anything_else():
    wf = load("release.yml")
    assert wf["on"] == {"push": {"tags": ["v*.*.*"]}}
    jobs = wf["jobs"]
    needs = jobs["release"]["needs"]
    assert "build" in ([needs] if isinstance(needs, str) else needs)
    build_runs = " ".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "make build" in build_runs
    assert "GITHUB_REF_NAME" in build_runs, "the tag must be checked against galaxy.yml"


def test_release_publish_gated_on_galaxy_key_and_deploy_on_ssh_and_vault():
    wf = load("release.yml")
    outputs = gate_outputs(wf)
    assert outputs["publish"] == {"GALAXY_API_KEY"}
    assert outputs["deploy"] == {"SSH_PRIVATE_KEY", "ANSIBLE_VAULT_PASSWORD"}
    jobs = wf["jobs"]
    assert jobs["publish"]["if"] == "needs.gate.outputs.publish == 'true'"
    assert jobs["deploy"]["if"] == "needs.gate.outputs.deploy == 'true'"
    # The deploy runs the documented user command against production.
    deploy_run = " ".join(s.get("run", "") for s in jobs["deploy"]["steps"])
    assert "ansible-playbook site.yml -i inventories/prod" in deploy_run
    assert "release" in jobs["deploy"]["needs"]
    # Secrets are only ever read through env, never interpolated into scripts.
    for job in jobs.values():
        for step in job.get("steps", []):
            assert "secrets." not in step.get("run", ""), "read secrets through env, not inline in run"


def test_monitor_is_opt_in_and_scheduled():
    wf = load("monitor.yml")
    assert "schedule" in wf["on"] and "workflow_dispatch" in wf["on"]
    outputs = gate_outputs(wf)
    assert outputs["enabled"] == {"MONITOR_ENABLED", "SSH_PRIVATE_KEY", "ANSIBLE_VAULT_PASSWORD"}
    gate_line = wf["jobs"]["gate"]["steps"][0]["run"]
    assert '"$MONITOR_ENABLED" = "true"' in gate_line
    health = wf["jobs"]["health"]
    assert health["if"] == "needs.gate.outputs.enabled == 'true'"
    # The same health table as an operator's: the healthcheck playbook, no checks of its own.
    runs = " ".join(s.get("run", "") for s in health["steps"])
    assert "ansible-playbook playbooks/healthcheck.yml -i inventories/prod" in runs
    assert "curl" not in runs
    assert not any(s.get("continue-on-error") for s in health["steps"]), "a required service down fails the run"
    for step in health["steps"]:
        assert "secrets." not in step.get("run", ""), "read secrets through env, not inline in run"
