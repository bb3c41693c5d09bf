import shlex

import pytest
from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_addons, odoo_psql
from ansible_collections.insightpulse.platform.plugins.modules import odoo_module


@pytest.fixture
def seeded(odoo):
    """Catalog for a phased install (queue_job -> core apps -> web_responsive -> OCR expense audit)."""
    odoo.add_module("web", "installed", depends=["base"])
    odoo.add_module("mail", "installed", depends=["base"])
    odoo.add_module("queue_job", depends=["base"])
    odoo.add_module("hr", depends=["mail"])
    odoo.add_module("hr_expense", depends=["hr"])
    odoo.add_module("project", depends=["mail"])
    odoo.add_enterprise_upsell("knowledge")  # as Odoo 18 Community lists it: uninstallable, to_buy
    odoo.add_module("hr_project_bridge", depends=["hr", "project"], auto_install=True)
    odoo.add_module("web_responsive", depends=["web"])
    odoo.add_module("hr_expense_ocr_audit", depends=["hr_expense", "queue_job"])
    return odoo


def args(server, **kw):
    base = {"url": server.url, "database": "production", "password": "admin-pw", "wait_timeout": 5}
    base.update(kw)
    return base


def button_calls(odoo):
    return [c for c in odoo.calls if c[0] == "execute_kw" and c[2].startswith(("button_", "update_list"))]


def test_present_installs_only_missing_and_reports_dependencies(run_module, seeded, odoo_server):
    res = run_module(odoo_module.main, args(odoo_server, name=["hr_expense", "web"]))
    assert not res.failed, res.result
    assert res.result["changed"] is True
    assert res.result["installed"] == ["hr", "hr_expense"]
    assert res.result["states"] == {"hr_expense": "installed", "web": "installed"}
    assert seeded.modules["hr"]["state"] == "installed"
    assert button_calls(seeded) == [("execute_kw", "ir.module.module", "button_immediate_install")]

    again = run_module(odoo_module.main, args(odoo_server, name=["hr_expense", "web"]))
    assert again.result["changed"] is False
    assert again.result["installed"] == []
    assert len(button_calls(seeded)) == 1


def test_check_mode_tells_the_truth_without_touching(run_module, seeded, odoo_server):
    res = run_module(
        odoo_module.main, args(odoo_server, name=["hr_expense_ocr_audit", "project"]), check_mode=True, diff=True
    )
    assert res.result["changed"] is True
    assert res.result["installed"] == [
        "hr",
        "hr_expense",
        "hr_expense_ocr_audit",
        "hr_project_bridge",
        "project",
        "queue_job",
    ]
    assert "hr_project_bridge: uninstalled\n" in res.result["diff"]["before"]
    assert "hr_project_bridge: installed\n" in res.result["diff"]["after"]
    assert button_calls(seeded) == []
    assert seeded.modules["hr_expense_ocr_audit"]["state"] == "uninstalled"

    real = run_module(odoo_module.main, args(odoo_server, name=["hr_expense_ocr_audit", "project"]))
    assert real.result["installed"] == res.result["installed"]
    assert seeded.modules["hr_project_bridge"]["state"] == "installed"


def test_unknown_module_fails_before_any_change(run_module, seeded, odoo_server):
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job", "web_responsiv", "nope"]))
    assert res.failed
    assert res.result["msg"].startswith("Unknown Odoo modules: web_responsiv, nope - not in ir.module.module")
    assert res.result["unknown"] == ["web_responsiv", "nope"]
    assert seeded.modules["queue_job"]["state"] == "uninstalled"
    # auto mode refreshed the list once to look for the unknown names, and did nothing else
    assert button_calls(seeded) == [("execute_kw", "ir.module.module", "update_list")]


def test_new_addon_found_by_update_list(run_module, seeded, odoo_server):
    seeded.on_disk["hr_expense_ocr_audit_v2"] = {"depends": ["hr_expense"]}
    res = run_module(odoo_module.main, args(odoo_server, name=["hr_expense_ocr_audit_v2"]))
    assert not res.failed, res.result
    assert res.result["installed"] == ["hr", "hr_expense", "hr_expense_ocr_audit_v2"]


def test_update_list_never_skips_refresh(run_module, seeded, odoo_server):
    seeded.on_disk["fresh"] = {"depends": ["base"]}
    res = run_module(odoo_module.main, args(odoo_server, name=["fresh"], update_list="never"))
    assert res.failed
    assert "Unknown Odoo module: fresh" in res.result["msg"]
    assert button_calls(seeded) == []


def test_seed_phased_install_as_successive_tasks(run_module, seeded, odoo_server):
    """A phased install, one task per phase, installs each phase's missing modules once."""
    phases = [["queue_job"], ["project", "hr_expense"], ["web_responsive"], ["hr_expense_ocr_audit"]]
    installed = []
    for phase in phases:
        res = run_module(odoo_module.main, args(odoo_server, name=phase))
        assert not res.failed, res.result
        assert set(phase) <= set(res.result["installed"])
        installed += res.result["installed"]
    assert installed == [
        "queue_job",
        "hr",
        "hr_expense",
        "hr_project_bridge",
        "project",
        "web_responsive",
        "hr_expense_ocr_audit",
    ]
    for phase in phases:
        assert run_module(odoo_module.main, args(odoo_server, name=phase)).result["changed"] is False


ENTERPRISE_MSG = (
    "knowledge is an Odoo Enterprise module, not available on Odoo Community (Community lists Enterprise apps "
    "as upsells, to_buy, without their code). Nothing was changed."
)


@pytest.mark.parametrize("check_mode", [False, True])
def test_enterprise_module_on_community_is_named_as_such(run_module, seeded, odoo_server, check_mode):
    res = run_module(odoo_module.main, args(odoo_server, name=["knowledge", "project", "hr_expense"]), check_mode)
    assert res.failed
    assert res.result["msg"] == ENTERPRISE_MSG
    assert "missing dependency" not in res.result["msg"]
    assert button_calls(seeded) == []
    assert seeded.modules["project"]["state"] == "uninstalled"


def test_other_uninstallable_modules_keep_their_message(run_module, seeded, odoo_server):
    seeded.add_module("broken_addon", "uninstallable", depends=["base"])  # installable=False, or a missing dependency
    res = run_module(odoo_module.main, args(odoo_server, name=["project", "broken_addon"]))
    assert res.failed
    assert res.result["msg"] == (
        "Odoo module(s) not installable (uninstallable in the catalog: missing dependency or installable=False): "
        "broken_addon. Nothing was changed."
    )
    assert "Enterprise" not in res.result["msg"]
    assert button_calls(seeded) == []


def test_enterprise_and_other_uninstallable_modules_in_one_message(run_module, seeded, odoo_server):
    seeded.add_enterprise_upsell("helpdesk")
    seeded.add_module("broken_addon", "uninstallable")
    res = run_module(odoo_module.main, args(odoo_server, name=["helpdesk", "broken_addon", "knowledge"]))
    assert res.failed
    assert res.result["msg"] == (
        "helpdesk, knowledge are Odoo Enterprise modules, not available on Odoo Community (Community lists "
        "Enterprise apps as upsells, to_buy, without their code); Odoo module(s) not installable (uninstallable "
        "in the catalog: missing dependency or installable=False): broken_addon. Nothing was changed."
    )


def test_enterprise_module_may_still_be_absent(run_module, seeded, odoo_server):
    res = run_module(odoo_module.main, args(odoo_server, name=["knowledge"], state="absent"))
    assert not res.failed, res.result
    assert res.result["changed"] is False
    assert res.result["states"] == {"knowledge": "uninstallable"}


def test_latest_upgrades_only_newer_versions_with_dependents(run_module, seeded, odoo_server):
    run_module(odoo_module.main, args(odoo_server, name=["hr_expense_ocr_audit", "web_responsive"]))
    assert (
        run_module(odoo_module.main, args(odoo_server, name=["queue_job", "web_responsive"], state="latest")).result[
            "changed"
        ]
        is False
    )

    seeded.set_available_version("queue_job", "1.1")
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job", "web_responsive"], state="latest"))
    assert res.result["changed"] is True
    assert res.result["upgraded"] == ["hr_expense_ocr_audit", "queue_job"]
    assert seeded.modules["queue_job"]["latest_version"] == "18.0.1.1"
    upgrade_calls = [c for c in button_calls(seeded) if c[2] == "button_immediate_upgrade"]
    assert len(upgrade_calls) == 1
    assert (
        run_module(odoo_module.main, args(odoo_server, name=["queue_job"], state="latest")).result["changed"] is False
    )


def test_latest_with_checksums(run_module, seeded, odoo_server, tmp_path):
    addon = tmp_path / "hr_expense_ocr_audit"
    addon.mkdir()
    (addon / "__manifest__.py").write_text("{'version': '1.0', 'depends': ['hr_expense']}")
    (addon / "models.py").write_text("A = 1\n")
    opts = dict(
        name=["hr_expense_ocr_audit"], state="latest", upgrade_detection="checksum", addons_path=[str(tmp_path)]
    )
    first = run_module(odoo_module.main, args(odoo_server, **opts))
    assert first.result["installed"] == ["hr", "hr_expense", "hr_expense_ocr_audit", "queue_job"]
    stored = odoo_addons.parse_checksums(seeded.params[odoo_addons.CHECKSUMS_PARAM])
    assert stored == {"hr_expense_ocr_audit": odoo_addons.addon_hash(str(addon), keep_langs=["en_US"])}

    assert run_module(odoo_module.main, args(odoo_server, **opts)).result["changed"] is False

    (addon / "models.py").write_text("A = 2\n")  # code changed, version not bumped
    check = run_module(odoo_module.main, args(odoo_server, **opts), check_mode=True)
    assert check.result["upgraded"] == ["hr_expense_ocr_audit"]
    assert odoo_addons.parse_checksums(seeded.params[odoo_addons.CHECKSUMS_PARAM]) == stored
    changed = run_module(odoo_module.main, args(odoo_server, **opts))
    assert changed.result["upgraded"] == ["hr_expense_ocr_audit"]
    assert odoo_addons.parse_checksums(seeded.params[odoo_addons.CHECKSUMS_PARAM]) != stored
    assert run_module(odoo_module.main, args(odoo_server, **opts)).result["changed"] is False


def test_latest_over_rpc_refuses_a_server_running_older_code(run_module, seeded, odoo_server, tmp_path):
    # real Odoo 18: after replacing queue_job 18.0.1.5.2 by 18.0.1.6.1 on disk, the running server still
    # reports installed_version 18.0.1.5.2 (manifest cache) until it is restarted
    seeded._install(["queue_job"])
    addon = tmp_path / "queue_job"
    addon.mkdir()
    (addon / "__manifest__.py").write_text("{'version': '18.0.1.6.1', 'depends': ['base']}")
    opts = dict(name=["queue_job"], state="latest", addons_path=[str(tmp_path)])
    res = run_module(odoo_module.main, args(odoo_server, **opts))
    assert res.failed
    assert "queue_job is 18.0.1.6.1 on disk, the server runs 18.0.1.0" in res.result["msg"]
    assert "restart" in res.result["msg"]
    assert [c for c in button_calls(seeded) if c[2].startswith("button_")] == []
    seeded.set_available_version("queue_job", "1.6.1")  # the server was restarted
    res = run_module(odoo_module.main, args(odoo_server, **opts))
    assert res.result["upgraded"] == ["queue_job"]


def test_checksum_mode_falls_back_to_version_for_addons_not_on_the_path(run_module, seeded, odoo_server, tmp_path):
    run_module(odoo_module.main, args(odoo_server, name=["hr_expense", "queue_job"]))
    addon = tmp_path / "queue_job"
    addon.mkdir()
    (addon / "__manifest__.py").write_text("{'version': '1.0'}")
    opts = dict(
        name=["hr_expense", "queue_job"], state="latest", upgrade_detection="checksum", addons_path=[str(tmp_path)]
    )
    first = run_module(odoo_module.main, args(odoo_server, **opts))
    assert not first.failed, first.result
    assert first.result["upgraded"] == ["queue_job"]  # no stored checksum yet; hr_expense: same version
    assert list(odoo_addons.parse_checksums(seeded.params[odoo_addons.CHECKSUMS_PARAM])) == ["queue_job"]
    seeded.set_available_version("hr_expense", "1.1")
    second = run_module(odoo_module.main, args(odoo_server, **opts))
    assert second.result["upgraded"] == ["hr_expense"]


def test_checksum_without_addons_path_fails(run_module, seeded, odoo_server):
    res = run_module(
        odoo_module.main, args(odoo_server, name=["queue_job"], state="latest", upgrade_detection="checksum")
    )
    assert res.failed
    assert "needs addons_path" in res.result["msg"]


def test_absent_removes_dependents(run_module, seeded, odoo_server):
    run_module(odoo_module.main, args(odoo_server, name=["hr_expense_ocr_audit"]))
    check = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], state="absent"), check_mode=True)
    assert check.result["removed"] == ["hr_expense_ocr_audit", "queue_job"]
    assert seeded.modules["queue_job"]["state"] == "installed"
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], state="absent"), diff=True)
    assert res.result["removed"] == ["hr_expense_ocr_audit", "queue_job"]
    assert res.result["states"] == {"queue_job": "uninstalled"}
    assert "hr_expense_ocr_audit: installed" in res.result["diff"]["before"]
    assert "hr_expense_ocr_audit: uninstalled" in res.result["diff"]["after"]
    assert seeded.modules["hr_expense"]["state"] == "installed"
    again = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], state="absent"))
    assert again.result["changed"] is False


def test_failed_install_is_reported_in_one_line(run_module, seeded, odoo_server):
    seeded.fail_install.add("queue_job")
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"]))
    assert res.failed
    assert res.result["msg"] == ("Odoo error in object.execute_kw: UserError: could not install queue_job")


def test_failed_install_reports_what_odoo_committed_before_failing(run_module, seeded, odoo_server):
    # real Odoo 18 commits module by module: queue_job's failing load left mail & co installed
    seeded.commit_per_module = True
    seeded.fail_install.add("hr_expense_ocr_audit")
    res = run_module(odoo_module.main, args(odoo_server, name=["hr_expense_ocr_audit"]), diff=True)
    assert res.failed
    assert res.result["msg"] == (
        "Odoo error in object.execute_kw: UserError: could not install hr_expense_ocr_audit "
        "(Odoo changed hr, hr_expense, queue_job before failing)"
    )
    assert res.result["changed"] is True
    assert res.result["installed"] == ["hr", "hr_expense", "queue_job"]
    assert res.result["states"] == {"hr_expense_ocr_audit": "uninstalled"}
    assert "hr_expense: installed\n" in res.result["diff"]["after"]


class FakeTime:
    """odoo_module's clock and sleep: sleeping moves the clock, nothing waits."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(odoo_module, "time", clock)
    return clock


def test_install_waits_while_a_scheduled_action_runs(run_module, seeded, odoo_server, fake_time):
    seeded.cron_busy = 3
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"]))
    assert not res.failed, res.result
    assert res.result["installed"] == ["queue_job"]
    assert res.result["busy_waits"] == 3
    assert len(fake_time.sleeps) == 3 and all(2 <= s <= 10 for s in fake_time.sleeps)
    installs = [c for c in button_calls(seeded) if c[2] == "button_immediate_install"]
    assert len(installs) == 4
    assert seeded.modules["queue_job"]["state"] == "installed"


def test_upgrade_and_uninstall_wait_too(run_module, seeded, odoo_server, fake_time):
    seeded.modules["queue_job"]["state"] = "installed"
    seeded.modules["queue_job"]["latest_version"] = "18.0.0.9"
    seeded.cron_busy = 1
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], state="latest"))
    assert not res.failed, res.result
    assert res.result["upgraded"] == ["queue_job"] and res.result["busy_waits"] == 1
    seeded.cron_busy = 1
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], state="absent"))
    assert not res.failed, res.result
    assert res.result["removed"] == ["queue_job"] and res.result["busy_waits"] == 1


def test_a_scheduled_action_that_outlasts_busy_timeout_fails_with_nothing_changed(
    run_module, seeded, odoo_server, fake_time
):
    seeded.cron_busy = 1000
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], busy_timeout=30))
    assert res.failed
    assert res.result["msg"].startswith(
        "Odoo error in object.execute_kw: Odoo is currently processing a scheduled action."
    )
    assert res.result["msg"].endswith("still running after 30s (busy_timeout); nothing was changed")
    assert res.result["changed"] is False and res.result["installed"] == []
    assert sum(fake_time.sleeps) <= 30
    assert seeded.modules["queue_job"]["state"] == "uninstalled"


def test_other_faults_are_not_retried(run_module, seeded, odoo_server, fake_time):
    seeded.fail_install.add("queue_job")
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"]))
    assert res.failed and fake_time.sleeps == []
    assert "busy_waits" not in res.result


BE, FR = 21, 75  # res.country ids


@pytest.fixture
def l10n(seeded):
    seeded.add_module("account", depends=["mail"])
    seeded.add_module("l10n_be", depends=["account"], auto_install=True, countries=[BE])
    seeded.add_module("l10n_fr", depends=["account"], auto_install=True, countries=[FR])
    seeded.add_module("account_edi", depends=["account"], auto_install=True)
    return seeded


def test_country_specific_auto_install_follows_company_countries(run_module, l10n, odoo_server):
    # real Odoo 18: installing project/hr_expense pulls account, and the 130 l10n_* modules
    # (auto_install, 'countries' in the manifest) install only for a company in their country
    l10n.company_countries = [BE]
    opts = args(odoo_server, name=["account"])
    check = run_module(odoo_module.main, opts, check_mode=True)
    assert check.result["installed"] == ["account", "account_edi", "l10n_be"]
    real = run_module(odoo_module.main, opts)
    assert real.result["installed"] == check.result["installed"]
    assert l10n.modules["l10n_fr"]["state"] == "uninstalled"


def test_country_specific_auto_install_without_company_country(run_module, l10n, odoo_server):
    opts = args(odoo_server, name=["account"])
    check = run_module(odoo_module.main, opts, check_mode=True)
    assert check.result["installed"] == ["account", "account_edi"]
    real = run_module(odoo_module.main, opts)
    assert real.result["installed"] == ["account", "account_edi"]
    assert l10n.modules["l10n_be"]["state"] == "uninstalled"


def test_no_op_run_does_not_read_countries(run_module, l10n, odoo_server):
    l10n._install(["account"])
    l10n.calls.clear()
    res = run_module(odoo_module.main, args(odoo_server, name=["account"]))
    assert res.result["changed"] is False
    assert ("execute_kw", "res.company", "search_read") not in l10n.calls


def test_no_op_reads_only_the_requested_modules(run_module, seeded, odoo_server):
    # on a real Odoo 18 (630 modules, 1265 dependency rows) the catalog read is most of a no-op run
    seeded.calls.clear()
    res = run_module(odoo_module.main, args(odoo_server, name=["web", "mail"]), diff=True)
    assert res.result["changed"] is False
    assert res.result["states"] == {"web": "installed", "mail": "installed"}
    both = "mail: installed\nweb: installed\n"
    assert res.result["diff"] == {"before": both, "after": both}
    reads = [c for c in seeded.calls if c[0] == "execute_kw"]
    assert reads == [("execute_kw", "ir.module.module", "search_read")]
    absent = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], state="absent"))
    assert absent.result["changed"] is False and absent.result["states"] == {"queue_job": "uninstalled"}


def test_wrong_password_message(run_module, seeded, odoo_server):
    res = run_module(odoo_module.main, args(odoo_server, name=["queue_job"], password="bad"))
    assert res.failed
    assert "wrong login or password" in res.result["msg"]


# ---------------------------------------------------------------- cli method
class FakeCli:
    """Plays psql (answering from the FakeOdoo state) and the odoo command."""

    def __init__(self, odoo):
        self.odoo = odoo
        self.argvs = []

    def __call__(self, argv):
        self.argvs.append(argv)
        sep = odoo_psql.PSQL_SEPARATOR
        if "psql" in argv:
            sql = argv[-1]
            if "FROM ir_module_module_dependency" in sql:
                rows = [[m["name"], d, "t"] for m in self.odoo.modules.values() for d in m["depends"]]
            elif "FROM module_country" in sql:
                rows = [[m["name"], str(c)] for m in self.odoo.modules.values() for c in m["country_ids"]]
            elif "FROM res_company" in sql:
                rows = [[str(c)] for c in self.odoo.company_countries]
            elif "FROM ir_module_module" in sql:
                rows = [
                    [
                        m["name"],
                        m["state"],
                        m["latest_version"] or "",
                        "t" if m["auto_install"] else "f",
                        "t" if m["to_buy"] else "f",
                    ]
                    for m in self.odoo.modules.values()
                ]
            else:
                rows = []
            return 0, "".join(sep.join(r) + "\n" for r in rows), ""
        assert argv[argv.index("-d") + 1] == "production"
        if "-i" in argv:
            self.odoo._install(argv[argv.index("-i") + 1].split(","))
        return 0, "odoo: done\n", ""


ODOO_CMD = "docker compose -f /opt/odoo/compose.yml exec -T odoo odoo -c /etc/odoo/odoo.conf"
PSQL_CMD = "docker compose -f /opt/odoo/compose.yml exec -T db psql -U odoo"


def cli_args(**kw):
    base = {"database": "production", "method": "cli", "odoo_command": ODOO_CMD, "psql_command": PSQL_CMD}
    base.update(kw)
    return base


def test_cli_installs_with_stop_after_init_and_reads_states_from_db(run_module, seeded):
    cli = FakeCli(seeded)
    res = run_module(odoo_module.main, cli_args(name=["queue_job", "web"]), run_command=cli)
    assert not res.failed, res.result
    assert res.result["installed"] == ["queue_job"]
    odoo_runs = [a for a in cli.argvs if "psql" not in a]
    assert odoo_runs == [shlex.split(ODOO_CMD) + ["-d", "production", "-i", "queue_job", "--stop-after-init"]]
    assert res.result["commands"] == odoo_runs
    psql = shlex.split(PSQL_CMD)
    assert all(a[: len(psql)] == psql for a in cli.argvs if "psql" in a)

    cli2 = FakeCli(seeded)
    again = run_module(odoo_module.main, cli_args(name=["queue_job", "web"]), run_command=cli2)
    assert again.result["changed"] is False
    assert [a for a in cli2.argvs if "psql" not in a] == []


def test_cli_names_an_enterprise_module_from_the_database(run_module, seeded):
    cli = FakeCli(seeded)
    res = run_module(odoo_module.main, cli_args(name=["knowledge", "project", "hr_expense"]), run_command=cli)
    assert res.failed
    assert res.result["msg"] == ENTERPRISE_MSG
    assert all("psql" in a for a in cli.argvs)
    assert any("to_buy" in a[-1] for a in cli.argvs)


def test_cli_check_mode_runs_no_odoo_command(run_module, seeded):
    cli = FakeCli(seeded)
    res = run_module(odoo_module.main, cli_args(name=["hr_expense"]), check_mode=True, run_command=cli)
    assert res.result["installed"] == ["hr", "hr_expense"]
    assert all("psql" in a for a in cli.argvs)


def test_cli_command_failure_is_reported(run_module, seeded):
    def failing(argv):
        if "psql" in argv:
            return FakeCli(seeded)(argv)
        return 1, "", "Traceback...\nodoo.exceptions.UserError: boom\n"

    res = run_module(odoo_module.main, cli_args(name=["queue_job"]), run_command=failing)
    assert res.failed
    assert "exit code 1" in res.result["msg"] and "UserError: boom" in res.result["msg"]


def test_cli_absent_is_refused(run_module, seeded):
    res = run_module(odoo_module.main, cli_args(name=["queue_job"], state="absent"), run_command=FakeCli(seeded))
    assert res.failed
    assert "cannot uninstall" in res.result["msg"]


def test_cli_latest_uses_manifest_versions(run_module, seeded, tmp_path):
    seeded._install(["queue_job"])
    addon = tmp_path / "queue_job"
    addon.mkdir()
    (addon / "__manifest__.py").write_text("{'version': '18.0.1.0', 'depends': ['base']}")
    cli = FakeCli(seeded)
    opts = cli_args(name=["queue_job"], state="latest", addons_path=[str(tmp_path)])
    assert run_module(odoo_module.main, opts, run_command=cli).result["changed"] is False
    (addon / "__manifest__.py").write_text("{'version': '1.2', 'depends': ['base']}")
    res = run_module(odoo_module.main, opts, run_command=cli)
    assert res.result["upgraded"] == ["queue_job"]
    assert [a[-3:] for a in cli.argvs if "psql" not in a] == [["-u", "queue_job", "--stop-after-init"]]


def test_cli_country_specific_auto_install(run_module, l10n):
    l10n.company_countries = [FR]
    cli = FakeCli(l10n)
    check = run_module(odoo_module.main, cli_args(name=["account"]), check_mode=True, run_command=cli)
    assert check.result["installed"] == ["account", "account_edi", "l10n_fr"]
    real = run_module(odoo_module.main, cli_args(name=["account"]), run_command=cli)
    assert real.result["installed"] == check.result["installed"]
    assert l10n.modules["l10n_be"]["state"] == "uninstalled"
