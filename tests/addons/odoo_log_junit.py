"""Turn the log of `odoo --test-enable ... --stop-after-init` into a JUnit XML report.

Odoo 18's test runner logs, on the logger of each test module:

    <date> <time>,<ms> <pid> INFO <db> odoo.addons.<addon>.tests.<module>: Starting <Class>.<method> ...
    <date> <time>,<ms> <pid> ERROR <db> odoo.addons.<addon>.tests.<module>: FAIL: <Class>.<method>
    <traceback lines>
    <date> <time>,<ms> <pid> INFO <db> odoo.addons.<addon>.tests.<module>: skipped <Class>.<method> : <reason>

and, at the end, "N failed, N error(s) of N tests when loading database 'db'". Each
"Starting" line is one testcase; a FAIL/ERROR record attached to it marks it failed or
errored (setUpClass errors, which have no "Starting" line, become testcases of their
own). The time of a test is the gap to the next record that starts a test or ends the run.

Exit status: 0 only when every addon given in --addons is installed, at least one test
ran, none failed or errored, Odoo's own summary agrees, and odoo exited 0.

    python3 tests/addons/odoo_log_junit.py LOG OUT.xml --addons a,b --installed a,b --exit-code 0
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - writing XML, never parsing untrusted input
from dataclasses import dataclass, field
from datetime import datetime

RECORD = re.compile(
    r"^(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[\w.]+): (?P<msg>.*)$"
)
STARTING = re.compile(r"^Starting (?P<test>\S+) \.\.\.$")
PROBLEM = re.compile(r"^(?P<kind>FAIL|ERROR): (?:Subtest )?(?P<test>\S+)")
SKIPPED = re.compile(r"^skipped (?P<test>\S+) : (?P<reason>.*)$")
SUMMARY = re.compile(r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests")
CLASS_FIXTURE = re.compile(
    r"^ERROR: (?P<fixture>setUpClass|tearDownClass|setUpModule|tearDownModule) "
    r"\(odoo\.addons\.(?P<addon>\w+)\.tests\.(?P<module>[\w.]+?)(?:\.(?P<cls>[A-Z]\w*))?\)"
)
TEST_LOGGER = re.compile(r"^odoo\.addons\.(?P<addon>\w+)\.tests(?:\.(?P<module>[\w.]+))?$")


@dataclass
class Case:
    addon: str
    module: str
    name: str
    started: datetime | None = None
    seconds: float = 0.0
    outcome: str = "passed"  # passed, failure, error, skipped
    detail: list[str] = field(default_factory=list)


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f")


def parse(lines: list[str]) -> tuple[list[Case], list[tuple[int, int, int]], list[str]]:
    """Testcases, Odoo's own summaries (failed, errors, tests) and the log's other ERROR records."""
    cases: list[Case] = []
    by_name: dict[tuple[str, str], Case] = {}
    summaries: list[tuple[int, int, int]] = []
    other_errors: list[str] = []
    current: Case | None = None
    collecting: Case | None = None
    for raw in lines:
        line = raw.rstrip("\n")
        record = RECORD.match(line)
        if not record:
            if collecting is not None:
                collecting.detail.append(line)
            continue
        collecting = None
        when, level, logger, msg = _when(record["when"]), record["level"], record["logger"], record["msg"].rstrip()
        if current is not None and current.started is not None:
            current.seconds = max((when - current.started).total_seconds(), 0.0)
        if summary := SUMMARY.search(msg):
            summaries.append((int(summary["failed"]), int(summary["errors"]), int(summary["tests"])))
            current = None
            continue
        if fixture := CLASS_FIXTURE.match(msg):
            name = ".".join(filter(None, (fixture["cls"], fixture["fixture"])))
            case = Case(fixture["addon"], fixture["module"], name, outcome="error", detail=[msg])
            cases.append(case)
            collecting = case
            continue
        test_logger = TEST_LOGGER.match(logger)
        if test_logger:
            addon, module = test_logger["addon"], test_logger["module"] or ""
            if start := STARTING.match(msg):
                current = Case(addon, module, start["test"], started=when)
                cases.append(current)
                by_name[(logger, current.name)] = current
                continue
            if problem := PROBLEM.match(msg):
                case = by_name.get((logger, problem["test"]))
                if case is None:  # setUpClass and friends fail before any test starts
                    case = Case(addon, module, problem["test"])
                    cases.append(case)
                    by_name[(logger, case.name)] = case
                kind = "failure" if problem["kind"] == "FAIL" else "error"
                if case.outcome != "error":
                    case.outcome = kind
                case.detail.append(msg)
                collecting = case
                continue
            if skip := SKIPPED.match(msg):
                case = by_name.get((logger, skip["test"]))
                if case is not None:
                    case.outcome = "skipped"
                    case.detail.append(skip["reason"])
                continue
        if level in ("ERROR", "CRITICAL"):
            other_errors.append(f"{logger}: {msg}")
    return cases, summaries, other_errors


def write_junit(cases: list[Case], path: str, suite_name: str, extra_errors: list[str]) -> None:
    suite = ET.Element(
        "testsuite",
        name=suite_name,
        tests=str(len(cases) + (1 if extra_errors else 0)),
        failures=str(sum(c.outcome == "failure" for c in cases)),
        errors=str(sum(c.outcome == "error" for c in cases) + (1 if extra_errors else 0)),
        skipped=str(sum(c.outcome == "skipped" for c in cases)),
        time=f"{sum(c.seconds for c in cases):.3f}",
    )
    for case in cases:
        classname = ".".join(filter(None, (f"odoo.addons.{case.addon}.tests", case.module, case.name.split(".")[0])))
        method = case.name.split(".", 1)[-1]
        node = ET.SubElement(suite, "testcase", classname=classname, name=method, time=f"{case.seconds:.3f}")
        if case.outcome in ("failure", "error"):
            child = ET.SubElement(node, case.outcome, message=case.detail[0][:200] if case.detail else case.outcome)
            child.text = "\n".join(case.detail)
        elif case.outcome == "skipped":
            ET.SubElement(node, "skipped", message="; ".join(case.detail)[:200])
    if extra_errors:
        node = ET.SubElement(suite, "testcase", classname="odoo.install", name="install_and_run")
        child = ET.SubElement(node, "error", message=extra_errors[0][:200])
        child.text = "\n".join(extra_errors)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log")
    parser.add_argument("junit")
    parser.add_argument("--addons", required=True, help="comma-separated addons that must be installed")
    parser.add_argument("--installed", default="", help="comma-separated addons found installed after the run")
    parser.add_argument("--exit-code", type=int, default=0, help="odoo's exit status")
    args = parser.parse_args(argv)

    with open(args.log, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    cases, summaries, other_errors = parse(lines)
    wanted = [a for a in args.addons.split(",") if a]
    installed = {a for a in args.installed.split(",") if a}

    problems = []
    missing = [a for a in wanted if a not in installed]
    if missing:
        problems.append(f"not installed: {', '.join(missing)}")
    if args.exit_code != 0:
        problems.append(f"odoo exited {args.exit_code}")
    ran = [c for c in cases if c.started is not None]
    if not ran:
        problems.append("no test ran")
    if summaries:
        failed = sum(s[0] for s in summaries)
        errors = sum(s[1] for s in summaries)
        total = sum(s[2] for s in summaries)
        if failed or errors:
            problems.append(f"Odoo reports {failed} failed, {errors} error(s) of {total} tests")
        if total != len(ran):
            problems.append(f"Odoo counted {total} tests, the log shows {len(ran)}")
    elif cases:
        problems.append("no final test summary in the log (did odoo stop early?)")
    install_errors = [*problems, *other_errors[:20]] if problems else []
    write_junit(cases, args.junit, "odoo-addons", install_errors)

    counts = {k: sum(c.outcome == k for c in cases) for k in ("passed", "failure", "error", "skipped")}
    print(
        f"odoo-addon-tests: {len(cases)} tests: {counts['passed']} passed, {counts['failure']} failed, "
        f"{counts['error']} errors, {counts['skipped']} skipped -> {args.junit}"
    )
    for case in cases:
        if case.outcome in ("failure", "error"):
            print(f"  {case.outcome.upper()}: {case.addon} {case.name}")
            print("    " + "\n    ".join(case.detail[-15:]))
    for problem in problems:
        print(f"odoo-addon-tests: {problem}", file=sys.stderr)
    if problems and other_errors:
        print("odoo-addon-tests: ERROR records in the log:\n  " + "\n  ".join(other_errors[:20]), file=sys.stderr)
    return 1 if problems or counts["failure"] or counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
