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
  - The same module as M(insightpulse.platform.secret_file) with
    O(insightpulse.platform.secret_file#module:format=bearer) and the OCR service's defaults, kept under this
    name for existing playbooks. It returns the value as RV(token).
  - A missing file, or one that is empty or holds only whitespace, gets a new token of 43 URL-safe characters
    from C(secrets.token_urlsafe) (258 bits).
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
      - Shortest token accepted in an existing file. Generated tokens are 43 characters long, so at most V(43).
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
    support: full
    details: The diff shows the file's state, the fingerprints of the old and new token and owner, group and
      mode changes of a kept file. Never the token.
notes:
  - Supports check mode. In check mode O(rotate=true) returns the current token, and a missing file
    returns RV(token=null).
seealso:
  - module: insightpulse.platform.secret_file
    description: The same for every generated secret of the platform.
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

# On the Odoo host, which calls the OCR service and needs its token: the module
# runs on the OCR host; the token lands in a variable of the Odoo host.
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

# Not used here any more; kept because callers and tests patch ocr_secret.tempfile.mkstemp.
import tempfile  # noqa: F401  # pylint: disable=unused-import

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulse.platform.plugins.module_utils.secret_file import (
    DEFAULT_MIN_LENGTH,
    FORMATS,
    fingerprint,
    manage,
)

# The OCR token is a secret_file of format "bearer": 43 URL-safe characters when generated, anything an
# "Authorization: Bearer" header can carry (RFC 6750 b64token) accepted in an existing file.
TOKEN_FORMAT = FORMATS["bearer"]
TOKEN_RE = TOKEN_FORMAT.pattern
__all__ = ["TOKEN_RE", "fingerprint", "main"]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/ocr/token"),
            owner=dict(type="str"),
            group=dict(type="str"),
            rotate=dict(type="bool", default=False),
            min_length=dict(type="int", default=DEFAULT_MIN_LENGTH),
            state=dict(type="str", default="present", choices=["present"]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    result = manage(
        module,
        noun="token",
        consequence="clients holding the old token will get 401",
        path=p["path"],
        value_format=TOKEN_FORMAT.name,
        min_length=p["min_length"],
        rotate=p["rotate"],
        owner=p["owner"],
        group=p["group"],
    )
    result["token"] = result.pop("secret")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
