"""TEST DOUBLE for Odoo: the exception classes whose names and XML-RPC fault
codes match ``odoo.exceptions`` and ``odoo/addons/base/controllers/rpc.py``."""


class UserError(Exception):
    """Fault code 2 ('warning')."""


class AccessDenied(UserError):  # noqa: N818 - Odoo's name
    def __init__(self, message="Access Denied"):
        super().__init__(message)


class AccessError(UserError):
    """Fault code 4."""


class MissingError(UserError):
    """Fault code 2."""


class ValidationError(UserError):
    """Fault code 2."""


class DatabaseExists(Warning):  # noqa: N818 - odoo.service.db.DatabaseExists
    """Raised by create_database for an existing database (fault code 1)."""
