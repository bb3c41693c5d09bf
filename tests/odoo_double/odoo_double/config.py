"""TEST DOUBLE for Odoo: the ``[options]`` configuration, read like odoo.conf.

Defaults follow ``odoo/tools/config.py`` for the options the double honours;
unknown keys in the file are kept (Odoo keeps them too) and ignored.
"""

import configparser
import os
from pathlib import Path

from . import passwords

CORE_ADDONS = str(Path(__file__).resolve().parent.parent / "core_addons")

DEFAULTS = {
    "admin_passwd": "admin",
    "addons_path": "",
    "data_dir": os.path.join(os.path.expanduser("~"), ".local", "share", "Odoo"),
    "db_host": False,
    "db_port": False,
    "db_user": False,
    "db_password": False,
    "db_name": False,
    "db_template": "template0",
    "db_maxconn": 64,
    "dbfilter": "",
    "list_db": True,
    "http_enable": True,
    "http_interface": "",
    "http_port": 8069,
    "gevent_port": 8072,
    "proxy_mode": False,
    "workers": 0,
    "max_cron_threads": 2,
    "without_demo": False,
    "load_language": False,
    "log_level": "info",
    "logfile": False,
    "pidfile": False,
}

_BOOL = {"true": True, "false": False, "none": False, "1": True, "0": False}


def _coerce(key, value):
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("false", "none", ""):
            return False if key != "addons_path" else ""
        if isinstance(DEFAULTS.get(key), bool) and low in _BOOL:
            return _BOOL[low]
        if isinstance(DEFAULTS.get(key), int) and not isinstance(DEFAULTS.get(key), bool):
            try:
                return int(value)
            except ValueError:
                return value
        return value.strip()
    return value


class Config(dict):
    def __init__(self):
        super().__init__(DEFAULTS)
        self.rcfile = None

    def load_file(self, path):
        parser = configparser.RawConfigParser()
        if not parser.read(path):
            return
        self.rcfile = path
        if parser.has_section("options"):
            for key, value in parser.items("options"):
                self[key] = _coerce(key, value)

    def set_cli(self, key, value):
        if value is not None:
            self[key] = _coerce(key, value) if isinstance(value, str) else value

    @property
    def addons_paths(self):
        """Like Odoo, the core addons directory is always on the path."""
        paths = [CORE_ADDONS]
        for entry in str(self["addons_path"] or "").split(","):
            entry = entry.strip()
            if entry and os.path.isdir(entry) and os.path.abspath(entry) not in map(os.path.abspath, paths):
                paths.append(entry)
        return paths

    def verify_admin_password(self, password):
        stored = self["admin_passwd"]
        return bool(stored) and passwords.verify_password(password, str(stored))

    def pg_params(self, dbname):
        """libpq keywords from db_* options; unset ones fall back to PG* env like libpq."""
        params = {"dbname": dbname, "application_name": "odoo-double"}
        for opt, kw in (("db_host", "host"), ("db_port", "port"), ("db_user", "user"), ("db_password", "password")):
            if self[opt]:
                params[kw] = str(self[opt])
        return params
