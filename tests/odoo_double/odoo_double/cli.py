"""TEST DOUBLE for Odoo: the ``odoo`` command line (server subcommand only).

Accepts the real flags the collection uses (``-c -d -i -u --stop-after-init
--without-demo --load-language --db_host/--db_port/--db_user/--db_password
--addons-path --http-port ...``). ``-i``/``-u`` on a database that does not
exist create it and install ``base`` first, like ``odoo-bin``. Without
``--stop-after-init`` it serves HTTP (default port 8069).
"""

import argparse
import logging
import os
import signal
import sys

from . import VERSION
from .config import Config
from .server import Server, Services
from .store import ModuleOps, Store

_logger = logging.getLogger("odoo")


def build_parser():
    p = argparse.ArgumentParser(prog="odoo", description="Odoo TEST DOUBLE (tests only, not Odoo)")
    p.add_argument("--version", action="version", version=f"Odoo Server {VERSION} (test double)")
    p.add_argument("-c", "--config", dest="config")
    p.add_argument("-s", "--save", action="store_true")
    p.add_argument("-d", "--database", dest="db_name")
    p.add_argument("-i", "--init", dest="init")
    p.add_argument("-u", "--update", dest="update")
    p.add_argument("--without-demo", dest="without_demo")
    p.add_argument("--stop-after-init", dest="stop_after_init", action="store_true")
    p.add_argument("--load-language", dest="load_language")
    p.add_argument("-l", "--language", dest="language")
    p.add_argument("--addons-path", dest="addons_path")
    p.add_argument("--upgrade-path", dest="upgrade_path")
    p.add_argument("-D", "--data-dir", dest="data_dir")
    p.add_argument("--pidfile", dest="pidfile")
    p.add_argument("-r", "--db_user", dest="db_user")
    p.add_argument("-w", "--db_password", dest="db_password")
    p.add_argument("--db_host", dest="db_host")
    p.add_argument("--db_port", dest="db_port")
    p.add_argument("--db_sslmode", dest="db_sslmode")
    p.add_argument("--db_maxconn", dest="db_maxconn", type=int)
    p.add_argument("--db-template", dest="db_template")
    p.add_argument("--db-filter", dest="dbfilter")
    p.add_argument("--no-database-list", dest="list_db", action="store_false", default=None)
    p.add_argument("--http-interface", dest="http_interface")
    p.add_argument("-p", "--http-port", dest="http_port", type=int)
    p.add_argument("--gevent-port", "--longpolling-port", dest="gevent_port", type=int)
    p.add_argument("--no-http", dest="http_enable", action="store_false", default=None)
    p.add_argument("--proxy-mode", dest="proxy_mode", action="store_true", default=None)
    p.add_argument("--workers", dest="workers", type=int)
    p.add_argument("--max-cron-threads", dest="max_cron_threads", type=int)
    for opt in ("--limit-memory-soft", "--limit-memory-hard", "--limit-time-cpu", "--limit-time-real",
                "--limit-time-real-cron", "--limit-request"):
        p.add_argument(opt, dest=opt.lstrip("-").replace("-", "_"), type=int)
    p.add_argument("--log-level", dest="log_level")
    p.add_argument("--logfile", dest="logfile")
    p.add_argument("--log-handler", dest="log_handler", action="append")
    p.add_argument("--dev", dest="dev_mode")
    return p


def setup_logging(config):
    fmt = "%(asctime)s %(process)s %(levelname)s %(dbname)s %(name)s: %(message)s"

    class DbFilter(logging.Filter):
        def filter(self, record):
            record.dbname = getattr(record, "dbname", None) or "?"
            return True

    handler = logging.FileHandler(config["logfile"]) if config["logfile"] else logging.StreamHandler()
    handler.setFormatter(logging.Formatter(fmt))
    handler.addFilter(DbFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, str(config["log_level"]).upper(), logging.INFO))


def modules_arg(value):
    return [m.strip() for m in (value or "").split(",") if m.strip()]


def run_init_update(store, config, db, init, update):
    """What odoo-bin does for -d db -i/-u: create/initialise, update the list, install, upgrade."""
    if not store.db_exist(db):
        store.create_empty_database(db)
    if not store.is_initialized(db):
        store.initialize(db)
    with store.cursor(db) as cr:
        ops = ModuleOps(cr, config)
        ops.update_list()
        cr.execute("SELECT name, state FROM ir_module_module")
        states = {row["name"]: row["state"] for row in cr.fetchall()}
        if init:
            names = sorted(states) if init == ["all"] else init
            unknown = [n for n in names if n not in states]
            if unknown:
                _logger.warning("invalid module names, ignored: %s", ", ".join(unknown))
            todo = [n for n in names if states.get(n) == "uninstalled"]
            if todo:
                ops.install(todo)
        if update:
            cr.execute("SELECT name, state FROM ir_module_module")
            states = {row["name"]: row["state"] for row in cr.fetchall()}
            names = [n for n, s in states.items() if s == "installed"] if update == ["all"] else update
            unknown = [n for n in names if n not in states]
            if unknown:
                _logger.warning("invalid module names, ignored: %s", ", ".join(unknown))
            todo = [n for n in names if states.get(n) == "installed"]
            if todo:
                ops.upgrade(todo)
        cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name")
        _logger.info("Modules loaded: %d installed", len(cr.fetchall()))


def main(argv=None):
    args = build_parser().parse_args(argv)
    config = Config()
    rcfile = args.config or os.environ.get("ODOO_RC") or os.path.expanduser("~/.odoorc")
    config.load_file(rcfile)
    for key, value in vars(args).items():
        if key not in ("config", "save", "init", "update", "stop_after_init", "language"):
            config.set_cli(key, value)
    setup_logging(config)
    _logger.info("Odoo TEST DOUBLE version %s (tests only, not Odoo)", VERSION)
    if config.rcfile:
        _logger.info("Using configuration file at %s", config.rcfile)
    _logger.info("addons paths: %s", config.addons_paths)
    if config["db_user"] == "postgres" or (not config["db_user"] and os.environ.get("PGUSER") == "postgres"):
        sys.stderr.write("Using the database user 'postgres' is a security risk, aborting.")
        return 1
    if config["pidfile"]:
        with open(config["pidfile"], "w") as fh:
            fh.write(str(os.getpid()))

    store = Store(config)
    init, update = modules_arg(args.init), modules_arg(args.update)
    dbs = [d.strip() for d in str(config["db_name"] or "").split(",") if d.strip()]
    if (init or update) and not dbs:
        sys.stderr.write("Error: -i/--init and -u/--update require -d/--database\n")
        return 1
    if init or update or args.stop_after_init:
        for db in dbs:
            run_init_update(store, config, db, init, update)
    if args.stop_after_init:
        _logger.info("Stopping gracefully")
        return 0
    if not config["http_enable"]:
        return 0
    server = Server((config["http_interface"] or "", int(config["http_port"])), Services(config, store))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    _logger.info("HTTP service (werkzeug) running on %s:%s", config["http_interface"] or "0.0.0.0",  # noqa: S104
                 config["http_port"])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        _logger.info("Stopping gracefully")
    finally:
        server.server_close()
    return 0
