"""What the secret_file and ocr_secret module tests share: who we are, a valid value, arguments, file modes."""

import grp
import os
import pwd
import stat

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name
VALID = "A" * 20 + "b-c_d" + "9" * 18  # 43 characters: a generated bearer token's shape


def args(path, **kw):
    """Module arguments for a secret at path, owned by the user running the tests."""
    base = {"path": str(path), "owner": ME, "group": MY_GROUP}
    base.update(kw)
    return base


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)
