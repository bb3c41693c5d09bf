#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ocr_secret
short_description: Make sure the OCR service's bearer token file exists and return the token
version_added: 0.1.0
description:
  - Runs on the OCR host. Makes sure the token file of the InsightPulse OCR service exists (by default
    V(/etc/ocr/token)), with mode V(0600) and the requested owner and group, and returns the token.
  - A missing file, or one that is empty or holds only whitespace, gets a new token from
    C(secrets.token_urlsafe(32)) (43 URL-safe characters, 256 bits).
  - A file holding a token that is not usable (shorter than O(min_length), or with characters a
    bearer token (RFC 6750) cannot hold) is B(not) replaced silently, because clients may hold that
    token; the module fails and says why. Fix the file or run with O(rotate=true).
  - O(rotate=true) always writes a new token (the result is then C(changed)).
  - The file is written atomically (temporary file in the same directory, renamed over the old one); the
    service re-reads the file when it changes, provided its directory (not the single file) is bind-mounted
    into the container.
  - The module's arguments hold no secret. The token is in the result, so the task B(must) set C(no_log=true),
    as must every task that uses the token; then it appears in no output, at any verbosity.
author:
  - InsightPulse platform team (@insightpulse)
options:
  path:
    description:
      - Token file. A missing parent directory is created (mode V(0750), group O(group)).
    type: path
    default: /etc/ocr/token
  owner:
    description:
      - Owner of the token file, a user name or a numeric UID (for example the UID the service's container runs as).
      - When omitted, an existing file keeps its owner and a new file belongs to the user the module runs as. Callers
        that only read the token (the Odoo host, with C(delegate_to)) leave it out, so they never take the file away
        from the service.
    type: str
  group:
    description:
      - Group of the token file, a group name or a numeric GID. Omitted, like O(owner), it is left alone.
      - A missing parent directory is created with this group (mode V(0750)).
    type: str
  rotate:
    description:
      - Replace the token with a new one even when the current one is valid.
    type: bool
    default: false
  min_length:
    description:
      - Shortest token accepted in an existing file. Generated tokens are 43 characters long.
    type: int
    default: 32
  state:
    description:
      - Only V(present) - the token file exists.
    type: str
    choices: [present]
    default: present
attributes:
  check_mode:
    description: Can run in check mode and return a predicted status without modifying the target.
    support: full
    details: Never writes. Reports C(changed) when a token would be created or rotated or the file's
      owner, group or mode would change, and returns the existing token when there is one.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
notes:
  - Supports check mode. In check mode O(rotate=true) returns the current token, and a missing file
    returns RV(token=null).
seealso:
  - name: OCR service
    description: The service that reads this token (C(services/ocr) in the collection).
    link: https://github.com/insightpulse/platform
"""

EXAMPLES = r"""
# On the OCR host (the ocr role does this): token owned by the container's user.
- name: OCR bearer token
  insightpulse.platform.ocr_secret:
    owner: "10001"
    group: "10001"
  no_log: true
  register: ocr_token

# On the Odoo host: "retrieve OCR secret from remote droplet" (seed deployment).
# The module runs on the OCR host; the token lands in a variable of the Odoo host.
- name: Retrieve the OCR secret from the OCR droplet
  # No owner/group here: the file stays the service's.
  insightpulse.platform.ocr_secret:
  delegate_to: "{{ groups['ocr'][0] }}"
  no_log: true
  register: ocr_secret

- name: Give it to Odoo (system parameter ocr.api.secret)
  insightpulse.platform.odoo_config_param:
    database: production
    password: "{{ odoo_admin_password }}"
    key: ocr.api.secret
    value: "{{ ocr_secret.token }}"
    secret: true
  no_log: true

- name: Call the OCR service with it
  ansible.builtin.uri:
    url: "http://{{ hostvars[groups['ocr'][0]].ocr_listen_address }}:8001/ocr"
    method: POST
    headers:
      Authorization: "Bearer {{ ocr_secret.token }}"
    body_format: form-multipart
    body:
      file:
        filename: /tmp/receipt.png
        mime_type: image/png
  no_log: true
  register: ocr_result

# Rotate: clients holding the old token get 401 from the next request on.
- name: Rotate the OCR token
  insightpulse.platform.ocr_secret:
    rotate: true
  delegate_to: "{{ groups['ocr'][0] }}"
  no_log: true
  register: ocr_secret
"""

RETURN = r"""
token:
  description:
    - The bearer token. Null only in check mode when the file does not exist yet.
    - Secret - register it from a task with C(no_log=true).
  returned: always
  type: str
  sample: "****************************************"
path:
  description: The token file.
  returned: always
  type: str
  sample: /etc/ocr/token
created:
  description: A new token was (or in check mode would be) written because there was none.
  returned: always
  type: bool
  sample: false
rotated:
  description: A valid token was (or in check mode would be) replaced because O(rotate=true).
  returned: always
  type: bool
  sample: false
fingerprint:
  description:
    - First 16 hex digits of the SHA-256 of the token, to tell tokens apart in logs without revealing them.
      Null when RV(token) is null.
  returned: always
  type: str
  sample: 3f8a51c2d09e7b44
"""

import errno
import hashlib
import os
import re
import secrets
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

TOKEN_BYTES = 32
# RFC 6750 b64token: what an "Authorization: Bearer" header can carry.
TOKEN_RE = re.compile(r"^[A-Za-z0-9._~+/-]+=*$")
MODE = 0o600
DIR_MODE = 0o750


def generate_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def fingerprint(token):
    if token is None:
        return None
    return hashlib.sha256(to_bytes(token)).hexdigest()[:16]


def read_token(path):
    """(content stripped of surrounding whitespace, exists) for the token file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(65536)
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None, False
        raise
    return to_text(raw, errors="surrogate_or_strict").strip(), True


def problem(token, min_length):
    """Why `token` is not usable, or None."""
    if len(token) < min_length:
        return "is %d characters long, shorter than min_length=%d" % (len(token), min_length)
    if not TOKEN_RE.match(token):
        return "contains characters a Bearer token cannot carry (allowed: A-Z a-z 0-9 - . _ ~ + / and trailing =)"
    return None


def write_token(module, path, token, owner, group):
    """Write atomically: a 0600 temporary file next to `path`, renamed over it."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".ocr-token-", dir=directory)
    try:
        os.fchmod(fd, MODE)
        os.write(fd, to_bytes(token + "\n"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        module.set_owner_if_different(tmp, owner, False)
        module.set_group_if_different(tmp, group, False)
        os.rename(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def ensure_directory(module, path):
    directory = os.path.dirname(path)
    if not directory or os.path.isdir(directory):
        return False
    if module.check_mode:
        return True
    os.makedirs(directory, DIR_MODE)
    os.chmod(directory, DIR_MODE)
    module.set_group_if_different(directory, module.params["group"], False)
    return True


def run(module):
    params = module.params
    path = params["path"]
    if params["min_length"] < 1:
        module.fail_json(msg="min_length must be at least 1, not %d" % params["min_length"])
    if os.path.isdir(path):
        module.fail_json(msg="%s is a directory, not a token file" % path, path=path)

    current, exists = read_token(path)
    if current:
        reason = problem(current, params["min_length"])
        if reason and not params["rotate"]:
            module.fail_json(
                msg="The token in %s %s. Fix the file, or replace the token with rotate=true "
                "(clients holding the old token will get 401)." % (path, reason),
                path=path,
            )

    created = not current
    rotated = bool(current) and params["rotate"]
    changed = created or rotated
    token = current or None

    if changed:
        new = generate_token()
        if module.check_mode:
            token = current or None
        else:
            ensure_directory(module, path)
            owner, group = params["owner"], params["group"]
            if exists:  # a replaced file keeps its owner and group unless they are given
                st = os.stat(path)
                owner = str(st.st_uid) if owner is None else owner
                group = str(st.st_gid) if group is None else group
            write_token(module, path, new, owner, group)
            token = new
    elif exists:
        # set_*_if_different honour check mode: they only report what they would change.
        changed = module.set_owner_if_different(path, params["owner"], False)
        changed = module.set_group_if_different(path, params["group"], changed)
        changed = module.set_mode_if_different(path, MODE, changed)

    # The token is NOT added to module.no_log_values: AnsibleModule replaces every no_log value in the
    # result with "********" before returning it, so the registered result would hold the mask instead
    # of the token. Hiding it from output is the calling task's no_log=true (see DOCUMENTATION).
    module.exit_json(
        changed=changed,
        token=token,
        path=path,
        created=created,
        rotated=rotated,
        fingerprint=fingerprint(token),
    )


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/ocr/token"),
            owner=dict(type="str"),
            group=dict(type="str"),
            rotate=dict(type="bool", default=False),
            min_length=dict(type="int", default=32),
            state=dict(type="str", default="present", choices=["present"]),
        ),
        supports_check_mode=True,
    )
    try:
        run(module)
    except (IOError, OSError) as exc:
        module.fail_json(msg="Cannot manage the token file %s: %s" % (module.params["path"], to_native(exc)))


if __name__ == "__main__":
    main()
