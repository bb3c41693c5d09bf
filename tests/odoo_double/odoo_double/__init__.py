"""TEST DOUBLE for Odoo 18.0 -- used only by this collection's tests.

This package is NOT Odoo. It is a small stand-in that speaks the subset of
Odoo's real protocol the insightpulse.platform collection relies on
(``/web/health``, ``/web/login``, XML-RPC ``/xmlrpc/2/{common,object,db}`` and
the ``odoo`` command line), keeping its state in real PostgreSQL with Odoo's
table and column names. ``tests/contract`` keeps it honest against a real Odoo.
"""

SERIE = "18.0"
VERSION_INFO = [18, 0, 0, "final", 0, ""]
VERSION = "18.0"
RPC_VERSION_1 = {
    "server_version": VERSION,
    "server_version_info": VERSION_INFO,
    "server_serie": SERIE,
    "protocol_version": 1,
}
