#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: odoo_module
short_description: Install, upgrade or uninstall Odoo modules, idempotently
version_added: 0.1.0
description:
  - Makes a set of Odoo modules (addons) installed, installed and up to date, or uninstalled in one database.
  - Only what is missing is installed and only what changed is upgraded, so a second run reports C(changed=false).
  - Check mode tells the truth, computed from the module catalog the way Odoo resolves it - the modules that
    would be installed include the dependencies pulled in and auto-install modules triggered; the modules that
    would be removed include every installed module that depends on them; an upgrade includes installed
    dependents (Odoo upgrades them too).
  - An unknown module name fails before anything changes, naming it (Odoo's own C(-i) silently ignores it).
  - So does a module Odoo cannot install. An Odoo Enterprise module asked of Odoo Community (C(knowledge),
    C(helpdesk)... which Community lists as upsell rows, flagged C(to_buy), without their code) is named as such.
  - "Upgrade detection for O(state=latest) - the default, O(upgrade_detection=version), upgrades a module when the
    version in its manifest (Odoo's computed C(installed_version), adapted to the series, for example
    C(18.0.1.2.0)) is newer than the version recorded at install time (C(latest_version) column). It needs no
    access to the addon source, works for both methods and follows Odoo's own signal (migration scripts are keyed
    on that version). Its blind spot is code changed without a version bump, which is common for in-house addons
    such as C(hr_expense_ocr_audit)."
  - "O(upgrade_detection=checksum) closes that blind spot the way click-odoo-contrib's C(click-odoo-update) does
    - a sha1 of the addon's files (same algorithm and exclude patterns, so both tools agree) is compared with the
    checksum stored at the last install/upgrade in the system parameter C(module_auto_update.installed_checksums).
    A module is upgraded when its version is newer or its checksum differs (or none is stored yet, so the first run
    upgrades once). It needs the addon source readable on the managed host (O(addons_path)) - with Docker, the
    host directories mounted as C(/mnt/extra-addons). Requested modules not found there (Odoo's own, say) are
    compared by version only, with a warning."
  - "With O(method=rpc), the running server decides with the code it loaded at start (Odoo caches manifests and
    imports Python code once). Restart Odoo after deploying new addon code and before an O(state=latest) task;
    when O(addons_path) is given, a manifest version on disk that differs from the one the server reports fails
    the task, naming the modules, instead of upgrading with stale code."
author:
  - InsightPulse platform team (@insightpulse)
extends_documentation_fragment:
  - insightpulse.platform.odoo
options:
  name:
    description:
      - Technical names of the modules, for example V(queue_job) or V(hr_expense).
    type: list
    elements: str
    required: true
    aliases: [names, module]
  state:
    description:
      - V(present) installs the modules that are not installed (with their dependencies).
      - V(latest) also upgrades installed modules whose code changed, see O(upgrade_detection).
      - V(absent) uninstalls them and every installed module depending on them.
    type: str
    choices: [present, latest, absent]
    default: present
  method:
    description:
      - V(rpc) talks to the running server (C(update_list), C(button_immediate_install),
        C(button_immediate_upgrade), C(button_immediate_uninstall) on C(ir.module.module)).
      - V(cli) runs O(odoo_command) with C(-d DB -i/-u ... --stop-after-init) and reads module states straight from
        PostgreSQL (C(ir_module_module)) through O(psql_command). For first installs and for servers whose
        XML-RPC or database manager is unavailable. It cannot uninstall (Odoo's CLI has no such switch).
    type: str
    choices: [rpc, cli]
    default: rpc
  odoo_command:
    description:
      - The Odoo command for O(method=cli), split like a shell would (no shell is used), for example
        C(docker compose -f /opt/odoo/compose.yml exec -T odoo odoo -c /etc/odoo/odoo.conf) or
        C(/opt/odoo/odoo-bin -c /etc/odoo/odoo.conf). C(-d), C(-i)/C(-u) and C(--stop-after-init) are appended.
      - Stop the serving Odoo first, or run this against a separate container, when using workers.
    type: str
  odoo_args:
    description:
      - Extra arguments appended to O(odoo_command), for example V(--log-level=warn).
    type: list
    elements: str
    default: []
  psql_command:
    description:
      - psql invocation used by O(method=cli) to read C(ir_module_module), split like a shell would, for example
        C(docker compose -f /opt/odoo/compose.yml exec -T db psql -U odoo). C(-X -q -A -t -d DB -c SQL) are
        appended. psql is used rather than psycopg2 so nothing needs installing on the host and it works through
        C(docker compose exec).
    type: str
    default: psql
  update_list:
    description:
      - When to refresh the module catalog from the addons path (C(update_list) over RPC) before deciding.
      - V(auto) refreshes only when a requested name is not in the catalog yet, or for O(state=latest) (new
        dependencies). V(always) refreshes every run; V(never) keeps the run strictly read-only in check mode.
      - The refresh runs in check mode too (it changes no module state), otherwise check mode could not see a
        freshly added addon. With O(method=cli) the catalog is refreshed by Odoo itself during C(-i)/C(-u); a name
        missing from the database is then looked up in O(addons_path).
    type: str
    choices: [auto, always, never]
    default: auto
  upgrade_detection:
    description:
      - How O(state=latest) decides that an installed module changed - V(version) or V(checksum); see the
        description above for why V(version) is the default.
    type: str
    choices: [version, checksum]
    default: version
  addons_path:
    description:
      - Addon directories readable on the managed host. Needed by O(upgrade_detection=checksum), and by
        O(method=cli) with O(state=latest) (manifest versions) or to accept addons not yet in the catalog.
    type: list
    elements: path
    default: []
  busy_timeout:
    description:
      - How long, in seconds, to keep trying a module operation (O(method=rpc)) that Odoo refuses because a
        scheduled action is running. Odoo locks every C(ir_cron) row before installing, upgrading or
        uninstalling, and a running scheduled action holds its row until it finishes; the attempt is repeated
        every few seconds until the lock is free. Nothing has changed when Odoo refuses.
      - Use V(0) to try once.
    type: float
    default: 300
notes:
  - Phased installs (infrastructure first, then functional modules, then custom ones) are successive tasks; each
    task only does what is missing, so re-running the play is cheap.
  - Supports check mode and diff mode (module states before and after).
seealso:
  - module: insightpulse.platform.odoo_database
  - module: insightpulse.platform.odoo_config_param
"""

EXAMPLES = r"""
# A phased install (background jobs, core apps, mobile UI, custom addon) as successive
# idempotent tasks: each phase installs only what is still missing
- name: Phase 1 - background jobs (OCA queue_job)
  insightpulse.platform.odoo_module:
    url: http://127.0.0.1:8069
    database: production
    password: "{{ odoo_admin_password }}"
    name: [queue_job]

- name: Phase 2 - core functionality (Odoo Community apps)
  insightpulse.platform.odoo_module:
    url: http://127.0.0.1:8069
    database: production
    password: "{{ odoo_admin_password }}"
    name: [project, hr_expense]

- name: Phase 3 - mobile UI (OCA web_responsive)
  insightpulse.platform.odoo_module:
    url: http://127.0.0.1:8069
    database: production
    password: "{{ odoo_admin_password }}"
    name: [web_responsive]

- name: Phase 4 - custom OCR expense audit, upgraded whenever its code changes
  insightpulse.platform.odoo_module:
    url: http://127.0.0.1:8069
    database: production
    password: "{{ odoo_admin_password }}"
    name: [hr_expense_ocr_audit]
    state: latest
    upgrade_detection: checksum
    addons_path: [/opt/odoo/addons]

- name: First install before the web server is up, through the containers
  insightpulse.platform.odoo_module:
    database: production
    method: cli
    odoo_command: docker compose -f /opt/odoo/compose.yml run --rm -T odoo odoo -c /etc/odoo/odoo.conf
    psql_command: docker compose -f /opt/odoo/compose.yml exec -T db psql -U odoo
    name: [queue_job]

- name: What would removing project take with it?
  insightpulse.platform.odoo_module:
    database: production
    password: "{{ odoo_admin_password }}"
    name: [project]
    state: absent
  check_mode: true
  register: project_removal
"""

RETURN = r"""
installed:
  description: Modules installed (or, in check mode, that would be), dependencies and auto-installed modules included.
  returned: always
  type: list
  elements: str
  sample: [hr, hr_expense, project]
upgraded:
  description: Modules upgraded (or that would be), installed dependents included.
  returned: always
  type: list
  elements: str
  sample: [hr_expense_ocr_audit]
removed:
  description: Modules uninstalled (or that would be), dependents included.
  returned: always
  type: list
  elements: str
  sample: []
states:
  description: State of each requested module after the run (predicted in check mode).
  returned: always
  type: dict
  sample: {queue_job: installed}
commands:
  description: Commands run by O(method=cli).
  returned: when O(method=cli) changed something
  type: list
  elements: list
busy_waits:
  description: How many times Odoo refused the operation because a scheduled action was running (see O(busy_timeout)).
  returned: when Odoo refused at least once
  type: int
  sample: 2
"""

import shlex
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_addons import (
    CHECKSUMS_PARAM,
    DEFAULT_EXCLUDE_PATTERNS,
    EXCLUDE_PATTERNS_PARAM,
    adapt_version,
    addon_hash,
    find_addon,
    parse_checksums,
    read_manifest,
    serie_of,
    version_newer,
)
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_catalog import (
    ModuleInfo,
    read_catalog_rpc,
    read_catalog_sql,
)
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import OdooError, OdooFault
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_psql import (
    get_param_sql,
    run_psql,
    sql_literal,
)
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_rpc import connect, connection_argument_spec

# How Odoo refuses a module operation while a scheduled action runs (ir.module.module's
# _button_immediate_function, Odoo 16 to 19). It says so only when the call's context names a
# language: without one, translating the message queries the database in the transaction the
# refused lock already aborted, and the answer is an InFailedSqlTransaction traceback instead.
CRON_BUSY = "currently processing a scheduled action"
# The module operations' context: a language, so that a refusal is worded (see CRON_BUSY).
BUTTON_CONTEXT = {"lang": "en_US"}


class ModuleManager:
    def __init__(self, module, client_factory=connect):
        self.module = module
        self.busy_waits = 0
        self.params = module.params
        self.names = []
        for name in self.params["name"]:
            name = name.strip()
            if name and name not in self.names:
                self.names.append(name)
        self.method = self.params["method"]
        self.client_factory = client_factory
        self.client = None
        self.commands = []

    # ------------------------------------------------------------------ catalog
    def _run(self, argv):
        return self.module.run_command(argv)

    def read_catalog(self, refresh=False):
        if self.method == "rpc":
            if refresh:
                self.client.execute_kw("ir.module.module", "update_list", [])
            versions_for = self.names if self.params["state"] == "latest" else None
            return read_catalog_rpc(self.client, with_versions_for=versions_for)
        catalog = read_catalog_sql(self._run, self.params["psql_command"], self.params["database"])
        self._complete_from_addons_path(catalog)
        return catalog

    def _serie(self, catalog):
        base = catalog.get("base")
        serie = serie_of(base.latest_version) if base is not None else None
        if serie is None and self.client is not None:
            serie = self.client.server_serie()
        return serie

    def _complete_from_addons_path(self, catalog):
        """cli method: the database cannot compute manifest versions; read them from addons_path,
        and accept addons that Odoo will discover during -i (they are on the addons path)."""
        addons_path = self.params["addons_path"]
        if not addons_path:
            return
        serie = self._serie(catalog)
        for name in self.names:
            path = find_addon(addons_path, name)
            if path is None:
                continue
            manifest = read_manifest(path)
            info = catalog.get(name)
            if info is None:
                if not manifest.get("installable", True):
                    continue
                info = ModuleInfo(name, "uninstalled", auto_install=bool(manifest.get("auto_install")))
                info.depends = list(manifest.get("depends", []))
                catalog[name] = info
            info.available_version = adapt_version(manifest.get("version"), serie)

    def need_refresh(self, catalog):
        mode = self.params["update_list"]
        if self.method != "rpc" or mode == "never":
            return False
        if mode == "always":
            return True
        return bool(catalog.unknown(self.names)) or self.params["state"] == "latest"

    # ------------------------------------------------------------------ checksums
    def _get_param(self, key):
        if self.method == "rpc":
            rows = self.client.execute_kw(
                "ir.config_parameter", "search_read", [[("key", "=", key)]], {"fields": ["value"], "limit": 1}
            )
            return rows[0]["value"] if rows else None
        return get_param_sql(self._run, self.params["psql_command"], self.params["database"], key)

    def _set_param(self, key, value):
        if self.method == "rpc":
            ids = self.client.execute_kw("ir.config_parameter", "search", [[("key", "=", key)]])
            if ids:
                self.client.execute_kw("ir.config_parameter", "write", [ids, {"value": value}])
            else:
                self.client.execute_kw("ir.config_parameter", "create", [{"key": key, "value": value}])
            return
        template = (
            "INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES (%s, %s, "
            "now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') ON CONFLICT (key) DO UPDATE SET "
            "value = EXCLUDED.value, write_date = EXCLUDED.write_date"
        )
        sql = template % (sql_literal(key), sql_literal(value))
        run_psql(self._run, self.params["psql_command"], self.params["database"], sql)

    def _active_langs(self):
        try:
            if self.method == "rpc":
                domain = [("active", "=", True)]
                rows = self.client.execute_kw("res.lang", "search_read", [domain], {"fields": ["code"]})
                return [row["code"] for row in rows]
            sql = "SELECT code FROM res_lang WHERE active"
            rows = run_psql(self._run, self.params["psql_command"], self.params["database"], sql)
            return [row[0] for row in rows]
        except OdooError:
            return []

    def checksums(self, names):
        patterns = self._get_param(EXCLUDE_PATTERNS_PARAM) or DEFAULT_EXCLUDE_PATTERNS
        patterns = [item.strip() for item in patterns.split(",") if item.strip()]
        langs = self._active_langs()
        result = {}
        missing = []
        for name in names:
            path = find_addon(self.params["addons_path"], name)
            if path is None:
                missing.append(name)
                continue
            result[name] = addon_hash(path, patterns, langs)
        if missing:
            self.module.warn(
                "upgrade_detection=checksum: %s not found in addons_path (%s); compared by version only"
                % (", ".join(missing), ", ".join(self.params["addons_path"]))
            )
        return result

    def quick_noop(self):
        """rpc, present/absent: when every requested module is already in the wanted state, one
        search_read of those names proves the no-op; the whole catalog and its ~1300 dependency rows
        (most of the time of a no-op run on a real Odoo 18) are only read when something may change."""
        state = self.params["state"]
        if self.method != "rpc" or state == "latest" or self.params["update_list"] == "always":
            return None
        rows = self.client.execute_kw(
            "ir.module.module", "search_read", [[("name", "in", list(self.names))]], {"fields": ["name", "state"]}
        )
        states = {row["name"]: row["state"] for row in rows}
        if set(states) != set(self.names):
            return None  # unknown names: the full path refreshes, validates and names them
        if state == "present" and not all(states[n] == "installed" for n in self.names):
            return None
        if state == "absent" and any(states[n] in _INSTALLED for n in self.names):
            return None
        result = dict(changed=False, installed=[], upgraded=[], removed=[])
        return self._finish(result, states, dict(states))

    def stale_on_server(self, catalog):
        """Requested installed modules whose manifest version in addons_path differs from the one the
        server reports (``installed_version`` comes from the manifest cache filled at server start)."""
        serie = self._serie(catalog)
        stale = []
        for name in self.names:
            info = catalog[name]
            if not info.is_installed() or not info.available_version:
                continue
            path = find_addon(self.params["addons_path"], name)
            if path is None:
                continue
            on_disk = adapt_version(read_manifest(path).get("version"), serie)
            if on_disk != info.available_version:
                stale.append("%s is %s on disk, the server runs %s" % (name, on_disk, info.available_version))
        return stale

    # ------------------------------------------------------------------ plan
    def outdated(self, catalog, current_sums, stored_sums):
        changed = []
        for name in self.names:
            info = catalog[name]
            if not info.is_installed():
                continue
            newer = version_newer(info.available_version, info.latest_version)
            edited = current_sums is not None and name in current_sums and current_sums[name] != stored_sums.get(name)
            if newer or edited:
                changed.append(name)
        return changed

    def validate(self, catalog):
        unknown = catalog.unknown(self.names)
        if unknown:
            where = "ir.module.module of database '%s'" % self.params["database"]
            if self.method == "cli":
                where += " (nor in addons_path)" if self.params["addons_path"] else " (give addons_path for new addons)"
            self.module.fail_json(
                msg="Unknown Odoo module%s: %s - not in %s. Nothing was changed."
                % ("s" if len(unknown) > 1 else "", ", ".join(unknown), where),
                unknown=unknown,
            )
        if self.params["state"] != "absent":
            broken = [n for n in self.names if catalog[n].state == "uninstallable"]
            if broken:
                enterprise = [n for n in broken if catalog[n].is_enterprise_only()]
                others = [n for n in broken if n not in enterprise]
                reasons = []
                if enterprise:
                    reasons.append(
                        "%s %s, not available on Odoo Community (Community lists Enterprise apps as upsells, "
                        "to_buy, without their code)"
                        % (
                            ", ".join(enterprise),
                            "are Odoo Enterprise modules" if len(enterprise) > 1 else "is an Odoo Enterprise module",
                        )
                    )
                if others:
                    reasons.append(
                        "Odoo module(s) not installable (uninstallable in the catalog: missing dependency or "
                        "installable=False): %s" % ", ".join(others)
                    )
                self.module.fail_json(msg="%s. Nothing was changed." % "; ".join(reasons))

    # ------------------------------------------------------------------ apply
    def _ids(self, catalog, names):
        ids = [catalog[n].id for n in names if catalog[n].id is not None]
        if len(ids) != len(names):
            ids = self.client.execute_kw("ir.module.module", "search", [[("name", "in", list(names))]])
        return ids

    def apply_rpc(self, catalog, install, upgrade, remove):
        if install:
            self._button("button_immediate_install", self._ids(catalog, install))
        if upgrade:
            self._button("button_immediate_upgrade", self._ids(catalog, upgrade))
        if remove:
            self._button("button_immediate_uninstall", self._ids(catalog, remove))

    def _button(self, method, ids):
        """Run one module operation, again while Odoo refuses it for a running scheduled action
        (it refuses before changing anything), until busy_timeout has passed."""
        deadline = time.monotonic() + self.params["busy_timeout"]
        delay = 2.0
        while True:
            try:
                return self.client.execute_kw("ir.module.module", method, [ids], {"context": dict(BUTTON_CONTEXT)})
            except OdooFault as err:
                if CRON_BUSY not in str(err):
                    raise
                if time.monotonic() + delay > deadline:
                    raise OdooFault(
                        "%s: a scheduled action was still running after %ss (busy_timeout); nothing was changed"
                        % (err, int(self.params["busy_timeout"])),
                        code=err.code,
                        exception=err.exception,
                    ) from None
            self.busy_waits += 1
            time.sleep(delay)
            delay = min(delay * 1.5, 10.0)

    def apply_cli(self, install, upgrade):
        command = self.params["odoo_command"]
        argv = shlex.split(command) + ["-d", self.params["database"]]
        if install:
            argv += ["-i", ",".join(install)]
        if upgrade:
            argv += ["-u", ",".join(upgrade)]
        argv += ["--stop-after-init"] + list(self.params["odoo_args"])
        self.commands.append(argv)
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            tail = "\n".join(((out or "") + (err or "")).strip().splitlines()[-20:])
            self.module.fail_json(
                msg="Odoo command failed with exit code %s: %s\n%s"
                % (rc, " ".join(shlex.quote(a) for a in argv), tail),
                rc=rc,
                stdout=out,
                stderr=err,
                cmd=argv,
            )

    # ------------------------------------------------------------------ run
    def run(self):
        params = self.params
        state = params["state"]
        if self.method == "cli":
            if not params["odoo_command"] and not self.module.check_mode:
                self.module.fail_json(msg="method=cli needs odoo_command")
            if state == "absent":
                self.module.fail_json(
                    msg="method=cli cannot uninstall: Odoo's command line has no uninstall switch. Use method=rpc."
                )
            if state == "latest" and not params["addons_path"]:
                self.module.fail_json(
                    msg="method=cli with state=latest needs addons_path: the database does not know manifest versions"
                )
        else:
            if params["password"] is None:
                self.module.fail_json(msg="method=rpc needs password (of login '%s')" % params["login"])
            self.client = self.client_factory(params)
        if params["upgrade_detection"] == "checksum" and state == "latest" and not params["addons_path"]:
            self.module.fail_json(msg="upgrade_detection=checksum needs addons_path (where the addon source is)")

        noop = self.quick_noop()
        if noop is not None:
            return noop
        catalog = self.read_catalog()
        if self.need_refresh(catalog):
            catalog = self.read_catalog(refresh=True)
        self.validate(catalog)
        if self.method == "rpc" and state == "latest" and params["addons_path"]:
            stale = self.stale_on_server(catalog)
            if stale:
                self.module.fail_json(
                    msg="The running Odoo server has not loaded the code in addons_path: %s. Odoo reads manifests "
                    "and Python code once, at start; restart it before upgrading over RPC (or use method=cli). "
                    "Nothing was changed." % "; ".join(stale)
                )

        install, upgrade, remove = [], [], []
        requested_install, requested_remove = [], []
        current_sums, stored_sums = None, {}
        if state in ("present", "latest"):
            install = catalog.install_set(self.names)
            requested_install = [n for n in self.names if not catalog[n].is_installed()]
        if state == "latest":
            if params["upgrade_detection"] == "checksum":
                installed = [n for n in self.names if catalog[n].is_installed()]
                current_sums = self.checksums(installed)
                stored_sums = parse_checksums(self._get_param(CHECKSUMS_PARAM))
            requested_upgrade = self.outdated(catalog, current_sums, stored_sums)
            upgrade = [n for n in catalog.upgrade_set(requested_upgrade) if n not in install]
        else:
            requested_upgrade = []
        if state == "absent":
            remove = catalog.uninstall_set(self.names)
            requested_remove = [n for n in self.names if catalog[n].is_installed()]

        affected = sorted(set(self.names) | set(install) | set(upgrade) | set(remove))
        before = catalog.states(affected)
        changed = bool(install or upgrade or remove)
        result = dict(changed=changed, installed=install, upgraded=upgrade, removed=remove)

        if not changed or self.module.check_mode:
            after = dict(before)
            for name in install + upgrade:
                after[name] = "installed"
            for name in remove:
                after[name] = "uninstalled"
            return self._finish(result, before, after)

        try:
            if self.method == "rpc":
                self.apply_rpc(catalog, requested_install, requested_upgrade, requested_remove)
            else:
                self.apply_cli(requested_install, requested_upgrade)
        except OdooError as err:
            self._fail_after_error(err, catalog, affected)

        final = self.read_catalog()
        # what Odoo really did, anywhere in the catalog (a wrong prediction must not go unreported)
        affected = sorted(set(affected) | set(_changed_modules(catalog, final)))
        before = catalog.states(affected)
        after = final.states(affected)
        if state == "absent":
            left = [n for n in self.names if n in final and final[n].is_installed()]
            if left:
                self.module.fail_json(msg="Odoo did not uninstall: %s" % ", ".join(left), states=after)
        else:
            missing = [n for n in self.names if final[n].state != "installed"]
            if missing:
                self.module.fail_json(
                    msg="Odoo did not install %s (states: %s); see the Odoo log"
                    % (", ".join(missing), ", ".join("%s=%s" % (n, final[n].state) for n in missing)),
                    states=after,
                    commands=self.commands,
                )
            if params["upgrade_detection"] == "checksum" and (install or upgrade):
                stored = parse_checksums(self._get_param(CHECKSUMS_PARAM))
                stored.update(self.checksums(self.names))
                self._set_param(CHECKSUMS_PARAM, _dumps(stored))
        # report what Odoo actually did, not only the prediction
        result["installed"] = [n for n in affected if before.get(n) not in _INSTALLED and after.get(n) == "installed"]
        result["removed"] = [n for n in affected if before.get(n) in _INSTALLED and after.get(n) not in _INSTALLED]
        return self._finish(result, before, after)

    def _fail_after_error(self, err, catalog, affected):
        """Odoo commits module by module: a failed install can leave dependencies installed.
        Report the states as they are now, not as they were before the attempt."""
        details = dict(installed=[], upgraded=[], removed=[])
        try:
            final = self.read_catalog()
        except OdooError:
            details["states"] = catalog.states(self.names)
        else:
            changed = _changed_modules(catalog, final)
            affected = sorted(set(affected) | set(changed))
            before, after = catalog.states(affected), final.states(affected)
            details["states"] = final.states(self.names)
            was = {n: before.get(n) in _INSTALLED for n in changed}
            details["installed"] = [n for n in changed if not was[n] and after.get(n) in _INSTALLED]
            details["removed"] = [n for n in changed if was[n] and after.get(n) not in _INSTALLED]
            details["changed"] = bool(changed)
            if changed:
                err = "%s (Odoo changed %s before failing)" % (err, ", ".join(changed))
            if self.module._diff:
                details["diff"] = dict(before=_yaml_states(before), after=_yaml_states(after))
        if self.commands:
            details["commands"] = self.commands
        if self.busy_waits:
            details["busy_waits"] = self.busy_waits
        self.module.fail_json(msg=str(err), **details)

    def _finish(self, result, before, after):
        result["states"] = {name: after.get(name) for name in self.names}
        if self.commands:
            result["commands"] = self.commands
        if self.busy_waits:
            result["busy_waits"] = self.busy_waits
        if self.module._diff:
            result["diff"] = dict(before=_yaml_states(before), after=_yaml_states(after))
        return result


_INSTALLED = ("installed", "to upgrade", "to remove")


def _changed_modules(before, after):
    """Names whose state differs between two catalogs (new names count when not uninstalled)."""
    changed = []
    for name in sorted(set(before) | set(after)):
        old = before[name].state if name in before else "uninstalled"
        new = after[name].state if name in after else "uninstalled"
        if old != new:
            changed.append(name)
    return changed


def _dumps(data):
    import json

    return json.dumps(data, sort_keys=True)


def _yaml_states(states):
    return "".join("%s: %s\n" % (name, states[name]) for name in sorted(states))


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        name=dict(type="list", elements="str", required=True, aliases=["names", "module"]),
        state=dict(type="str", default="present", choices=["present", "latest", "absent"]),
        method=dict(type="str", default="rpc", choices=["rpc", "cli"]),
        odoo_command=dict(type="str"),
        odoo_args=dict(type="list", elements="str", default=[]),
        psql_command=dict(type="str", default="psql"),
        update_list=dict(type="str", default="auto", choices=["auto", "always", "never"]),
        upgrade_detection=dict(type="str", default="version", choices=["version", "checksum"]),
        addons_path=dict(type="list", elements="path", default=[]),
        busy_timeout=dict(type="float", default=300),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = ModuleManager(module).run()
    except OdooError as err:
        module.fail_json(msg=str(err))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
