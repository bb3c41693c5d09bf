#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: secret_file
short_description: Make sure a file holds a generated secret and return it
version_added: 0.1.0
description:
  - Makes sure O(path) holds a secret of the platform (a database password, Odoo's master password, n8n's
    encryption key, Superset's C(SECRET_KEY), an MCP or OCR bearer token), with mode O(mode) and the
    requested owner and group, and returns it. The secret is generated once, on the host that keeps it,
    and kept on every later run.
  - A missing file, or one that is empty or holds only whitespace, gets a new value of O(format) and
    O(length), generated with Python's C(secrets) module.
  - A file holding a value its consumer cannot use (shorter than O(min_length), or with characters outside
    O(format)) is B(not) replaced silently, because something may hold that value; the module fails, naming
    the file and the reason, never the value. Fix the file or run with O(rotate=true).
  - O(rotate=true) always writes a new value (the result is then C(changed)).
  - The file is written atomically (temporary file in the same directory, created V(0600), renamed over the
    old one), so a reader sees the old value or the new one, never a partial file.
  - Surrounding whitespace in the file is ignored; a value the module writes ends with one newline.
  - The module's options hold no secret. The secret is in the result, so the task B(must) set
    C(no_log=true), as must every task that uses the secret; then it appears in no output, at any verbosity.
    RV(fingerprint) and the diff identify the value without revealing it.
author:
  - InsightPulse platform team (@insightpulse)
options:
  path:
    description:
      - The secret file. A missing parent directory is created (mode V(0750), group O(group)).
    type: path
    required: true
  format:
    description:
      - How a new value is generated, and which characters an existing value may hold.
      - V(urlsafe) - C(secrets.token_urlsafe), characters C(A-Z a-z 0-9 - _). Bearer tokens, n8n's encryption
        key, Superset's C(SECRET_KEY).
      - V(bearer) - generated like V(urlsafe); an existing value may also hold C(. ~ + /) and trailing C(=),
        everything a bearer token in an C(Authorization) header can carry (RFC 6750). For tokens that may
        have been set by hand.
      - V(hex) - C(secrets.token_hex), characters C(0-9 a-f) (an existing value may use C(A-F)). Consumers
        that expect a hex key.
      - V(alnum) - C(secrets.choice) over C(A-Z a-z 0-9). Values that end up in URLs, connection strings,
        command lines or env files, where punctuation needs quoting, such as PostgreSQL passwords.
    type: str
    choices: [urlsafe, bearer, hex, alnum]
    default: urlsafe
  length:
    description:
      - Length in characters of a generated value.
      - The default gives 256 bits of randomness or more - V(43) for V(urlsafe), V(bearer) and V(alnum), V(64)
        for V(hex).
      - At most V(4096), and not shorter than O(min_length).
    type: int
  min_length:
    description:
      - Shortest value accepted in an existing file. The default suits Superset's C(SECRET_KEY), which must be
        at least 32 characters long.
    type: int
    default: 32
  rotate:
    description:
      - Replace the value with a new one even when the current one is valid.
    type: bool
    default: false
  owner:
    description:
      - Owner of the file, a user name or a numeric UID (for example the UID a service's container runs as).
      - When omitted, an existing file keeps its owner and a new file belongs to the user the module runs as.
        Callers that only read the secret (another host, with C(delegate_to)) leave it out, so they never take
        the file away from its service.
    type: str
  group:
    description:
      - Group of the file, a group name or a numeric GID. Omitted, like O(owner), it is left alone.
      - A missing parent directory is created with this group (mode V(0750)).
    type: str
  mode:
    description:
      - Permissions of the file, an octal number such as V('0640'). Quote it in YAML - an unquoted V(640) is the
        decimal number 640, not V(0640) (refused, as is any mode above V(0777)).
      - Symbolic modes are not accepted. A mode that lets other users in is applied with a warning.
    type: raw
    default: '0600'
attributes:
  check_mode:
    description: Can run in check mode and return a predicted status without modifying the target.
    support: full
    details: Never writes and generates nothing. Reports C(changed) when a value would be created or rotated
      or the file's owner, group or mode would change. See RV(secret) for what check mode returns.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: The diff shows the file's state, the fingerprints of the old and new value and owner, group and
      mode changes of a kept file. Never the value.
notes:
  - The secret is not masked in the result (a masked result could not be used); C(no_log=true) on the task is
    what keeps it out of output and logs.
  - RV(fingerprint) is safe to print for generated values. For a weak value set by hand, any hash of it, the
    fingerprint too, allows guessing it offline.
  - In check mode, when the file is missing or empty, there is no value yet and RV(secret) is null. Tasks that
    use the secret should then be skipped, for example with the condition C(result.secret is not none).
seealso:
  - module: insightpulse.platform.ocr_secret
    description: The OCR service's bearer token, with the OCR defaults.
"""

EXAMPLES = r"""
- name: PostgreSQL password of the odoo role (alnum - it goes into connection URLs)
  insightpulse.platform.secret_file:
    path: /etc/insightpulse/secrets/postgres-odoo
    format: alnum
    owner: root
    group: "999"
    mode: "0640"
  no_log: true
  register: pg_odoo

- name: Create the database role with it (skipped in check mode when the password does not exist yet)
  community.postgresql.postgresql_user:
    name: odoo
    password: "{{ pg_odoo.secret }}"
  no_log: true
  when: pg_odoo.secret is not none

- name: Superset SECRET_KEY (at least 32 characters; 64 here)
  insightpulse.platform.secret_file:
    path: /etc/superset/secret_key
    length: 64
  no_log: true
  register: superset_secret_key

- name: n8n encryption key, owned by the container's user
  insightpulse.platform.secret_file:
    path: /srv/n8n/secrets/encryption_key
    owner: "1000"
    group: "1000"
  no_log: true
  register: n8n_key

- name: Say which key is in use without revealing it
  ansible.builtin.debug:
    msg: "n8n encryption key {{ n8n_key.fingerprint }}"

- name: MCP bearer token, read from the host that keeps it (no owner - the file stays the service's)
  insightpulse.platform.secret_file:
    path: /etc/mcp/token
    format: bearer
  delegate_to: "{{ groups['mcp'][0] }}"
  no_log: true
  register: mcp_token

- name: Rotate Odoo's master password
  insightpulse.platform.secret_file:
    path: /etc/odoo/admin_passwd
    format: alnum
    rotate: true
  no_log: true
  register: odoo_admin_passwd
"""

RETURN = r"""
secret:
  description:
    - The value in the file after the run.
    - In check mode nothing is generated - RV(secret) is the value in the file now, and null when the file is
      missing or empty (RV(created=true)). With O(rotate=true) it is the value that would be replaced.
    - Secret - register it from a task with C(no_log=true).
  returned: always
  type: str
  sample: "****************************************"
fingerprint:
  description:
    - First 16 hex digits of the SHA-256 of RV(secret), to tell values apart in logs without revealing them.
      Null when RV(secret) is null.
  returned: always
  type: str
  sample: 3f8a51c2d09e7b44
path:
  description: The secret file.
  returned: always
  type: str
  sample: /etc/superset/secret_key
created:
  description: A new value was (or in check mode would be) written because there was none (missing or empty file).
  returned: always
  type: bool
  sample: false
rotated:
  description: An existing value was (or in check mode would be) replaced because O(rotate=true).
  returned: always
  type: bool
  sample: false
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulse.platform.plugins.module_utils.secret_file import (
    DEFAULT_MIN_LENGTH,
    FORMATS,
    manage,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            format=dict(type="str", default="urlsafe", choices=list(FORMATS)),
            length=dict(type="int"),
            min_length=dict(type="int", default=DEFAULT_MIN_LENGTH),
            rotate=dict(type="bool", default=False),
            owner=dict(type="str"),
            group=dict(type="str"),
            mode=dict(type="raw", default="0600"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    result = manage(
        module,
        path=p["path"],
        value_format=p["format"],
        length=p["length"],
        min_length=p["min_length"],
        rotate=p["rotate"],
        owner=p["owner"],
        group=p["group"],
        mode=p["mode"],
    )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
