#!/usr/bin/env python3
"""Print what failed in Molecule logs: each failed Ansible task (its TASK
header and the first lines of its message) and each failed pytest case.

CI keeps only the end of a run's output, and a scenario's destroy step and
recap push the failing task out of it; `make test` prints this excerpt after
its summary so the cause is the last thing a reader sees.

    scripts/failed_tasks.py .cache/logs/molecule-platform.log [...]
"""

import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Molecule frames Ansible's output in a box ("  │ fatal: ...").
LEAD = re.compile(r"^[\s│╭╰─]*")
FAILED_TASK = re.compile(r"^(fatal|failed): \[|^\S.*FAILED! =>")
TASK = re.compile(r"^(TASK|RUNNING HANDLER) \[")
PYTEST_FAILED = re.compile(r"^(FAILED|ERROR) \S+::")
MAX_LINES = 25
MAX_WIDTH = 400
# A scenario's own tests provoke refusals; the failure that ended it is last.
LAST = 3


def excerpts(lines):
    """Yield (header, message lines) for each failure in one log."""
    task = ""
    for i, line in enumerate(lines):
        if TASK.match(line):
            task = line.strip()
        elif FAILED_TASK.search(line) and "...ignoring" not in "".join(lines[i + 1:i + 3]):
            body = [line]
            for nxt in lines[i + 1:i + MAX_LINES]:
                if TASK.match(nxt) or nxt.startswith(("PLAY RECAP", "ok: [", "changed: [")):
                    break
                body.append(nxt)
            yield task, body
        elif PYTEST_FAILED.match(line) or line.strip() in ("FAILED", "ERROR"):
            # pytest's summary line, which Molecule may wrap after "FAILED"
            yield "pytest", [" ".join(part.strip() for part in lines[i:i + 4] if part.strip())]


def main(paths):
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = [LEAD.sub("", ANSI.sub("", raw.rstrip("\n"))) for raw in handle]
        except OSError as err:
            print(f"{path}: {err}")
            continue
        found = list(excerpts(lines))
        print(f"--- {path}: {len(found)} failure(s)" + (f", the last {LAST} shown" if len(found) > LAST else ""))
        if not found:  # stopped from outside, or a step that is not a task: its last lines
            for text in [line for line in lines if line.strip()][-15:]:
                print("    " + text[:MAX_WIDTH])
        for header, body in found[-LAST:]:
            print(f"  {header}")
            for text in body:
                print("    " + (text if len(text) <= MAX_WIDTH else text[:MAX_WIDTH] + " ..."))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
