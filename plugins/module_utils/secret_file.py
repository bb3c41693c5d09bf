# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generated secrets kept in files, shared by the secret_file and ocr_secret modules.

* :data:`FORMATS`: how a value is generated and which existing values its consumer can use.
* :func:`read_secret`, :func:`fingerprint`, :func:`write_atomic`: the file itself.
* :func:`ensure_secret_file`: the whole create / keep / rotate decision, check mode and diff
  included, returning the module result. :func:`manage` wraps it for a module's ``main``.

The value is never put into a message, a warning or the diff; only its fingerprint is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import hashlib
import os
import re
import secrets
import string
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

DEFAULT_MODE = 0o600
DIR_MODE = 0o750
DEFAULT_MIN_LENGTH = 32
MAX_LENGTH = 4096
# A secret file is small; anything larger is the wrong file and is refused rather than read whole.
MAX_FILE_BYTES = 65536
FINGERPRINT_DIGITS = 16
# The diff's "after" fingerprint when check mode does not generate the value it predicts.
NOT_GENERATED = "(new value, not generated in check mode)"

_ALNUM = string.ascii_letters + string.digits


def _urlsafe(length):
    # token_urlsafe(n) gives ceil(4n/3) > n characters, each carrying 6 random bits except
    # possibly the last one, which the slice always drops.
    return secrets.token_urlsafe(length)[:length]


def _hex(length):
    return secrets.token_hex((length + 1) // 2)[:length]


def _alnum(length):
    return "".join(secrets.choice(_ALNUM) for dummy in range(length))


class SecretFormat(object):
    """A way to generate a value and the alphabet an existing value must stay within."""

    def __init__(self, name, generator, pattern, refusal, default_length):
        self.name = name
        self.generator = generator
        self.pattern = re.compile(pattern)
        self.refusal = refusal  # completes "contains ..." for a value outside the alphabet
        self.default_length = default_length

    def generate(self, length=None):
        return self.generator(self.default_length if length is None else length)

    def problem(self, value, min_length):
        """Why an existing `value` would break its consumer, or None. Never quotes the value."""
        if len(value) < min_length:
            return "is %d characters long, shorter than min_length=%d" % (len(value), min_length)
        if not self.pattern.match(value):
            return "contains " + self.refusal
        return None


FORMATS = {
    # 43 characters of 6 bits: 258 bits. Bearer tokens, n8n's encryption key, Superset's SECRET_KEY.
    "urlsafe": SecretFormat(
        "urlsafe",
        _urlsafe,
        r"^[A-Za-z0-9_-]+\Z",
        "characters outside the urlsafe format (allowed: A-Z a-z 0-9 - _)",
        43,
    ),
    # Generated like urlsafe; accepts what an "Authorization: Bearer" header can carry (RFC 6750 b64token).
    "bearer": SecretFormat(
        "bearer",
        _urlsafe,
        r"^[A-Za-z0-9._~+/-]+=*\Z",
        "characters a Bearer token cannot carry (allowed: A-Z a-z 0-9 - . _ ~ + / and trailing =)",
        43,
    ),
    # 64 characters of 4 bits: 256 bits. Consumers that expect a hex key.
    "hex": SecretFormat(
        "hex",
        _hex,
        r"^[0-9a-fA-F]+\Z",
        "characters outside the hex format (allowed: 0-9 a-f A-F)",
        64,
    ),
    # 43 characters of log2(62) = 5.95 bits: 256 bits. Database passwords and other values that end up in
    # URLs, connection strings, command lines or env files, where punctuation needs quoting.
    "alnum": SecretFormat(
        "alnum",
        _alnum,
        r"^[A-Za-z0-9]+\Z",
        "characters outside the alnum format (allowed: A-Z a-z 0-9)",
        43,
    ),
}


def fingerprint(value):
    """First 16 hex digits of the value's SHA-256: tells values apart without revealing them."""
    if value is None:
        return None
    return hashlib.sha256(to_bytes(value, errors="surrogate_or_strict")).hexdigest()[:FINGERPRINT_DIGITS]


def read_secret(path):
    """(content stripped of surrounding whitespace, exists) of the secret file.

    Raises OSError for a file that cannot be read, or that is too large to be a secret file.
    """
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None, False
        raise
    if len(raw) > MAX_FILE_BYTES:
        raise OSError(errno.EFBIG, "larger than %d bytes, not a secret file" % MAX_FILE_BYTES, path)
    return to_text(raw, errors="surrogate_or_strict").strip(), True


def parse_mode(mode):
    """An octal mode (int, or string of octal digits) as an int, or None when it is not one.

    Symbolic modes are not accepted: a secret file's mode must not depend on what was there before.
    Bits above 0777 (setuid, sticky, or a YAML 600 meant as 0600) make no sense for a secret file.
    """
    if isinstance(mode, bool):
        return None
    if isinstance(mode, int):
        value = mode
    else:
        text = to_text(mode).strip()
        if not text or any(c not in "01234567" for c in text):
            return None
        value = int(text, 8)
    if value < 0 or value > 0o777:
        return None
    return value


def _fsync_directory(directory):
    """Make the rename itself durable; best effort (not every filesystem allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(module, path, value, owner=None, group=None, mode=DEFAULT_MODE):
    """Write `value` and a newline to `path` atomically.

    A temporary file next to `path` (created 0600, so the value is never readable by others) gets the
    content, is fsynced, given `mode`, `owner` and `group`, and renamed over `path`. On any failure,
    including a fail_json from an unknown owner, the temporary file is removed and `path` is untouched.
    """
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    renamed = False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(to_bytes(value + "\n", errors="surrogate_or_strict"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        module.set_owner_if_different(tmp, owner, False)
        module.set_group_if_different(tmp, group, False)
        os.rename(tmp, path)
        renamed = True
    finally:
        # try/finally rather than except: fail_json leaves by SystemExit, which "except Exception" misses.
        if not renamed:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _fsync_directory(directory)


def ensure_directory(module, path, group):
    """Create the missing parent directory of `path` (mode 0750, group `group`). True if it was missing."""
    directory = os.path.dirname(path)
    if not directory or os.path.isdir(directory):
        return False
    if module.check_mode:
        return True
    os.makedirs(directory, DIR_MODE)
    os.chmod(directory, DIR_MODE)
    module.set_group_if_different(directory, group, False)
    return True


def check_lengths(fmt, length, min_length):
    """The length to generate, or a message saying why the options do not fit together."""
    if min_length < 1:
        return None, "min_length must be at least 1, not %d" % min_length
    if length is None:
        length = fmt.default_length
    if length < 1 or length > MAX_LENGTH:
        return None, "length must be between 1 and %d, not %d" % (MAX_LENGTH, length)
    if length < min_length:
        return None, (
            "length=%d is shorter than min_length=%d: every value generated would be refused on the next run"
            % (length, min_length)
        )
    return length, None


def ensure_secret_file(
    module,
    path,
    value_format="urlsafe",
    length=None,
    min_length=DEFAULT_MIN_LENGTH,
    rotate=False,
    owner=None,
    group=None,
    mode=DEFAULT_MODE,
    noun="secret",
    consequence="whatever holds the old value stops working until it gets the new one",
):
    """Make sure `path` holds a usable secret; return the module result (exit_json's keywords).

    `noun` names the value in messages ("secret", "token"); `consequence` says what rotating breaks.
    Refusals go through module.fail_json; file system errors are raised (see :func:`manage`).
    """
    fmt = FORMATS[value_format]
    length, error = check_lengths(fmt, length, min_length)
    if error:
        module.fail_json(msg=error, path=path)
    octal_mode = parse_mode(mode)
    if octal_mode is None:
        module.fail_json(
            msg="mode must be an octal mode between 0000 and 0777 such as '0600' (quoted in YAML), not %r" % (mode,),
            path=path,
        )
    if os.path.isdir(path):
        module.fail_json(msg="%s is a directory, not a %s file" % (path, noun), path=path)

    current, exists = read_secret(path)
    if current:
        reason = fmt.problem(current, min_length)
        if reason and not rotate:
            module.fail_json(
                msg="The %s in %s %s. Fix the file, or replace the %s with rotate=true (%s)."
                % (noun, path, reason, noun, consequence),
                path=path,
            )

    created = not current  # missing, empty or only whitespace
    rotated = bool(current) and rotate
    changed = created or rotated
    value = current or None
    diff = {
        "before": {"path": path, "state": "file" if exists else "absent", "fingerprint": fingerprint(value)},
        "after": {"path": path, "state": "file", "fingerprint": fingerprint(value)},
    }

    if changed:
        if module.check_mode:
            # Nothing is generated: the value in the file now (null when there is none) is returned.
            diff["after"]["fingerprint"] = NOT_GENERATED
        else:
            ensure_directory(module, path, group)
            if exists:  # a replaced file keeps its owner and group unless they are given
                st = os.stat(path)
                owner = str(st.st_uid) if owner is None else owner
                group = str(st.st_gid) if group is None else group
            value = fmt.generate(length)
            write_atomic(module, path, value, owner, group, octal_mode)
            diff["after"]["fingerprint"] = fingerprint(value)
    else:
        # set_*_if_different honour check mode: they only report what they would change.
        changed = module.set_owner_if_different(path, owner, False, diff)
        changed = module.set_group_if_different(path, group, changed, diff)
        changed = module.set_mode_if_different(path, octal_mode, changed, diff)

    if octal_mode & 0o007:
        module.warn(
            "%s gets mode %04o: users other than its owner and group can access the %s." % (path, octal_mode, noun)
        )

    # The value is NOT added to module.no_log_values: AnsibleModule replaces every no_log value in the
    # result with "********" before returning it, so the registered result would hold the mask instead
    # of the value. Hiding it from output is the calling task's no_log=true.
    result = dict(
        changed=changed,
        secret=value,
        fingerprint=fingerprint(value),
        path=path,
        created=created,
        rotated=rotated,
    )
    if module._diff:
        result["diff"] = diff
    return result


def manage(module, noun="secret", **kwargs):
    """ensure_secret_file, with file system errors turned into one fail_json line naming the file."""
    try:
        return ensure_secret_file(module, noun=noun, **kwargs)
    except (IOError, OSError) as exc:
        module.fail_json(
            msg="Cannot manage the %s file %s: %s" % (noun, kwargs["path"], to_native(exc)), path=kwargs["path"]
        )
