#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: odoo_database
short_description: Create or drop an Odoo database
version_added: 0.1.0
description:
  - V(present) creates the database with the Odoo command line
    (C(<odoo_command> -d DB -i base --stop-after-init --without-demo=all --load-language=LANG)), then sets the
    language and the password of the administrator (login O(admin_login)) over XML-RPC (C(res.users) C(write)).
  - V(absent) drops it, only with O(confirm_drop=true) - over C(/xmlrpc/2/db) C(drop) with the master password
    (O(method=rpc)), or with C(DROP DATABASE) through O(psql_command) (O(method=cli)).
  - Existence is checked with C(/xmlrpc/2/db) C(list) when the database manager allows it, else with C(db_exist),
    or with C(pg_database) through O(psql_command) for O(method=cli). With O(method=cli) a database that exists
    but holds no Odoo tables (created empty beforehand, for example by a PostgreSQL role that makes the
    application's database and owner) counts as absent and is initialised in place.
  - Idempotent - an existing database is left alone; when O(admin_password) is given, the administrator's
    password and language are converged (login first, write only when the login fails).
  - To change the administrator password, O(password) is the current one; a freshly created database has the
    password V(admin), which is tried too.
author:
  - InsightPulse platform team (@insightpulse)
extends_documentation_fragment:
  - insightpulse.platform.odoo
options:
  state:
    description:
      - Whether the database should exist.
    type: str
    choices: [present, absent]
    default: present
  method:
    description:
      - How existence is checked and how the database is dropped - V(rpc) uses C(/xmlrpc/2/db), V(cli) uses
        O(psql_command) (for servers with the database manager disabled, C(list_db = False)).
      - Creation always uses O(odoo_command).
    type: str
    choices: [rpc, cli]
    default: rpc
  odoo_command:
    description:
      - Odoo command line used to create the database, split like a shell would, for example
        C(docker compose -f /opt/odoo/compose.yml run --rm -T odoo odoo -c /etc/odoo/odoo.conf).
      - Required to create a database.
    type: str
  odoo_args:
    description:
      - Extra arguments appended to the creation command.
    type: list
    elements: str
    default: []
  psql_command:
    description:
      - psql invocation for O(method=cli), for example
        C(docker compose -f /opt/odoo/compose.yml exec -T db psql -U odoo).
    type: str
    default: psql
  maintenance_db:
    description:
      - Database psql connects to for existence checks and C(DROP DATABASE) (O(method=cli)).
    type: str
    default: postgres
  demo:
    description:
      - Load demonstration data. V(false) passes C(--without-demo=all).
    type: bool
    default: false
  language:
    description:
      - Language loaded at creation (C(--load-language)) and set on the administrator, for example V(en_US).
    type: str
    default: en_US
  admin_login:
    description:
      - Login of the administrator whose password is managed.
    type: str
    default: admin
  admin_password:
    description:
      - Password the administrator must have. Checked by logging in; written only when the login fails.
      - When omitted the password is not managed (a new database keeps V(admin) - set it!).
    type: str
  master_password:
    description:
      - Odoo master password (C(admin_passwd) in odoo.conf), needed to drop with O(method=rpc).
    type: str
  server_running:
    description:
      - Whether the Odoo server at O(url) is up. V(false) only creates (or initialises) the database with
        O(odoo_command) and leaves the administrator alone (needs O(method=cli)), for the first start of a server
        configured for this one database, which answers errors until the database holds Odoo's tables. Run the
        module again with the default once the server is up to set O(admin_password) and O(language).
    type: bool
    default: true
  confirm_drop:
    description:
      - Must be V(true) for O(state=absent) to drop anything. A guard against dropping a production database by a
        typo in a variable.
    type: bool
    default: false
notes:
  - Supports check mode.
  - Dropping with O(method=cli) first closes the other sessions on the database (as Odoo's own C(db.drop) does,
    a running Odoo server keeps pooled connections), then leaves the filestore directory
    (C(/var/lib/odoo/filestore/DB)) in place.
seealso:
  - module: insightpulse.platform.odoo_module
"""

EXAMPLES = r"""
- name: Production database, without demo data, admin password set
  insightpulse.platform.odoo_database:
    url: http://127.0.0.1:8069
    database: production
    odoo_command: docker compose -f /opt/odoo/compose.yml run --rm -T odoo odoo -c /etc/odoo/odoo.conf
    language: en_US
    admin_password: "{{ odoo_admin_password }}"

- name: Drop a scratch database (explicitly confirmed)
  insightpulse.platform.odoo_database:
    database: scratch
    state: absent
    confirm_drop: true
    master_password: "{{ odoo_master_password }}"
"""

RETURN = r"""
existed:
  description: Whether the database existed before the run.
  returned: always
  type: bool
initialized:
  description:
    - With O(method=cli) and a database that existed - whether it already held Odoo's tables. V(false) means an empty
      database was (or in check mode would be) initialised in place.
  returned: when O(method=cli), O(state=present) and the database existed
  type: bool
admin_password_changed:
  description: Whether the administrator password was (or would be) written.
  returned: always
  type: bool
commands:
  description: Commands run (creation, cli drop).
  returned: when a command ran
  type: list
  elements: list
"""

import shlex

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import OdooError
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_psql import (
    database_exists_sql,
    database_initialized_sql,
    run_psql,
    sql_literal,
)
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_rpc import (
    client_from_params,
    connection_argument_spec,
)

DEFAULT_NEW_DB_PASSWORD = "admin"  # noqa: S105 - Odoo's password for a database created with -i base


class DatabaseManager:
    def __init__(self, module, client_factory=client_from_params):
        self.module = module
        self.params = module.params
        self.client = client_factory(self.params)
        self.commands = []
        self._waited = False

    def _wait(self):
        if not self._waited:
            self.client.wait_until_ready()
            self._waited = True

    def _run(self, argv):
        return self.module.run_command(argv)

    def exists(self):
        if self.params["method"] == "cli":
            return database_exists_sql(
                self._run, self.params["psql_command"], self.params["database"], self.params["maintenance_db"]
            )
        self._wait()
        found = self.client.database_exists(self.params["database"])
        if found is None:
            raise OdooError(
                "cannot tell whether database '%s' exists: db.list is disabled and db.db_exist failed on %s; "
                "use method=cli with psql_command" % (self.params["database"], self.client.url)
            )
        return found

    def create(self):
        if not self.params["odoo_command"]:
            self.module.fail_json(msg="odoo_command is required to create database '%s'" % self.params["database"])
        argv = shlex.split(self.params["odoo_command"]) + ["-d", self.params["database"], "-i", "base"]
        argv += ["--stop-after-init"]
        if not self.params["demo"]:
            argv += ["--without-demo=all"]
        if self.params["language"]:
            argv += ["--load-language=%s" % self.params["language"]]
        argv += list(self.params["odoo_args"])
        self.commands.append(argv)
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            tail = "\n".join(((out or "") + (err or "")).strip().splitlines()[-20:])
            self.module.fail_json(
                msg="creating database '%s' failed (exit code %s):\n%s" % (self.params["database"], rc, tail),
                cmd=argv,
                rc=rc,
                stdout=out,
                stderr=err,
            )

    def drop(self):
        name = self.params["database"]
        if self.params["method"] == "cli":
            # as Odoo's db.drop (_drop_conn): a running Odoo keeps pooled connections (and cron
            # workers) on the database, and PostgreSQL refuses to drop a database in use
            kick = (
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "  # noqa: S608
                "AND pid <> pg_backend_pid()" % sql_literal(name)
            )
            sql = 'DROP DATABASE "%s"' % name.replace('"', '""')
            for statement in (kick, sql):  # two calls: DROP DATABASE cannot run inside a transaction block
                self.commands.append(["psql", "-c", statement])
                run_psql(self._run, self.params["psql_command"], self.params["maintenance_db"], statement)
            return
        if not self.params["master_password"]:
            self.module.fail_json(msg="master_password is required to drop '%s' with method=rpc" % name)
        self._wait()
        if not self.client.db_drop(self.params["master_password"], name):
            self.module.fail_json(msg="Odoo refused to drop database '%s' (db.drop returned False)" % name)

    def _login(self, password):
        self.client.password = password
        self.client.login = self.params["admin_login"]
        self.client.uid = None
        try:
            self.client.authenticate()
            return True
        except OdooError as err:
            if "refused login" in str(err):
                return False
            raise

    def converge_admin(self, fresh):
        """Returns ``(password_changed, language_changed)``, done or (check mode) to be done."""
        desired = self.params["admin_password"]
        language = self.params["language"]
        if desired is None and not fresh:
            return False, False
        self._wait()
        if fresh and self.module.check_mode:
            return desired is not None and desired != DEFAULT_NEW_DB_PASSWORD, False
        if desired is not None and self._login(desired):
            return False, self._set_lang(language)
        candidates = []
        if self.params["password"]:
            candidates.append(self.params["password"])
        candidates.append(DEFAULT_NEW_DB_PASSWORD)
        for current in candidates:
            if self._login(current):
                break
        else:
            if desired is None:
                return False, False
            self.module.fail_json(
                msg="cannot log in as '%s' on '%s' with admin_password, password or the default of a new database: "
                "give the current password in 'password'" % (self.params["admin_login"], self.params["database"])
            )
        changed = False
        if desired is not None:
            changed = True
            if not self.module.check_mode:
                self.client.execute_kw("res.users", "write", [[self.client.uid], {"password": desired}])
                self.client.password = desired
        return changed, self._set_lang(language)

    def _set_lang(self, language):
        if not language:
            return False
        rows = self.client.execute_kw("res.users", "read", [[self.client.uid]], {"fields": ["lang"]})
        if rows and rows[0].get("lang") == language:
            return False
        if not self.module.check_mode:
            self.client.execute_kw("res.users", "write", [[self.client.uid], {"lang": language}])
        return True

    def run(self):
        state = self.params["state"]
        if state == "absent" and not self.params["confirm_drop"]:
            self.module.fail_json(
                msg="refusing to drop database '%s' without confirm_drop: true" % self.params["database"]
            )
        if not self.params["server_running"] and self.params["method"] != "cli":
            self.module.fail_json(
                msg="server_running=false needs method=cli (the existence check cannot use the server)"
            )
        existed = self.exists()
        result = dict(changed=False, existed=existed, admin_password_changed=False)
        if state == "absent":
            if existed:
                result["changed"] = True
                if not self.module.check_mode:
                    self.drop()
        else:
            if existed and self.params["method"] == "cli":
                # An empty database made beforehand (no Odoo tables yet) is initialised in place.
                existed = database_initialized_sql(self._run, self.params["psql_command"], self.params["database"])
                result["initialized"] = existed
            if not existed:
                result["changed"] = True
                if not self.module.check_mode:
                    self.create()
            if self.params["server_running"] and (self.params["admin_password"] is not None or not existed):
                password_changed, language_changed = self.converge_admin(fresh=not existed)
                result["admin_password_changed"] = password_changed
                result["changed"] = result["changed"] or password_changed or language_changed
        if self.commands:
            result["commands"] = self.commands
        if self.module._diff:
            result["diff"] = dict(
                before="database %s: %s\n" % (self.params["database"], "present" if existed else "absent"),
                after="database %s: %s\n" % (self.params["database"], state),
            )
        return result


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        method=dict(type="str", default="rpc", choices=["rpc", "cli"]),
        odoo_command=dict(type="str"),
        odoo_args=dict(type="list", elements="str", default=[]),
        psql_command=dict(type="str", default="psql"),
        maintenance_db=dict(type="str", default="postgres"),
        demo=dict(type="bool", default=False),
        language=dict(type="str", default="en_US"),
        admin_login=dict(type="str", default="admin"),
        admin_password=dict(type="str", no_log=True),
        master_password=dict(type="str", no_log=True),
        confirm_drop=dict(type="bool", default=False),
        server_running=dict(type="bool", default=True),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = DatabaseManager(module).run()
    except OdooError as err:
        module.fail_json(msg=str(err))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
