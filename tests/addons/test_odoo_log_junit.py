"""tests/addons/odoo_log_junit.py on log excerpts in the shape Odoo 18's test runner writes."""

import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own report
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_log_junit  # noqa: E402

P = "2026-11-25 23:30:0{s},{ms:03d} 1 {level} addons_test {logger}: {msg}"
MOD = "odoo.addons.hr_expense_ocr_audit.tests.test_ocr_job"


def rec(s, level, logger, msg, ms=0):
    # Odoo ends its records with a space
    return P.format(s=s, ms=ms, level=level, logger=logger, msg=msg) + " \n"


def passing_log():
    return [
        rec(0, "INFO", "odoo.modules.loading", "loading 53 modules..."),
        rec(1, "INFO", MOD, "Starting TestOcrEnqueue.test_button ..."),
        rec(2, "INFO", MOD, "Starting TestOcrEnqueue.test_no_attachment ...", ms=500),
        rec(3, "INFO", "odoo.tests.stats", "hr_expense_ocr_audit: 2 tests 1.50s 300 queries"),
        rec(3, "INFO", "odoo.tests.result", "0 failed, 0 error(s) of 2 tests when loading database 'addons_test'"),
    ]


def run(tmp_path, lines, **kw):
    log = tmp_path / "odoo.log"
    log.write_text("".join(lines))
    out = tmp_path / "junit.xml"
    args = [str(log), str(out), "--addons", kw.get("addons", "hr_expense_ocr_audit")]
    args += ["--installed", kw.get("installed", "hr_expense_ocr_audit"), "--exit-code", str(kw.get("rc", 0))]
    rc = odoo_log_junit.main(args)
    suite = ET.parse(out).getroot().find("testsuite")  # noqa: S314
    return rc, suite


def test_passing_run(tmp_path):
    rc, suite = run(tmp_path, passing_log())
    assert rc == 0
    assert suite.get("tests") == "2" and suite.get("failures") == "0" and suite.get("errors") == "0"
    first = suite.findall("testcase")[0]
    assert first.get("name") == "test_button"
    assert first.get("classname") == f"{MOD}.TestOcrEnqueue"
    assert float(first.get("time")) == 1.5  # until the next test started


def test_failure_with_traceback(tmp_path):
    lines = passing_log()[:3]
    lines += [
        rec(2, "INFO", MOD, "=" * 70, ms=600),
        rec(2, "ERROR", MOD, "FAIL: TestOcrEnqueue.test_no_attachment", ms=700),
        "Traceback (most recent call last):\n",
        "AssertionError: 'queued' != 'none'\n",
        rec(3, "INFO", "odoo.tests.result", "1 failed, 0 error(s) of 2 tests when loading database 'addons_test'"),
    ]
    rc, suite = run(tmp_path, lines, rc=1)
    assert rc == 1
    assert suite.get("failures") == "1"
    failed = suite.findall("testcase")[1].find("failure")
    assert "AssertionError: 'queued' != 'none'" in failed.text


def test_setupclass_error_counts_as_a_testcase(tmp_path):
    lines = [
        rec(1, "ERROR", "odoo.tests.suite", "ERROR: setUpClass (odoo.addons.x.tests.test_y.TestY)"),
        rec(2, "INFO", "odoo.tests.result", "0 failed, 1 error(s) of 0 tests when loading database 'addons_test'"),
    ]
    rc, suite = run(tmp_path, lines, rc=1)
    assert rc == 1
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["setUpClass"].get("classname") == "odoo.addons.x.tests.test_y.TestY"
    assert cases["setUpClass"].find("error") is not None


def test_not_installed_fails_even_with_green_tests(tmp_path):
    rc, suite = run(tmp_path, passing_log(), installed="")
    assert rc == 1
    install = [c for c in suite.findall("testcase") if c.get("classname") == "odoo.install"]
    assert install and "not installed" in install[0].find("error").get("message")


def test_summary_count_must_match(tmp_path):
    lines = passing_log()
    lines[-1] = rec(3, "INFO", "odoo.tests.result", "0 failed, 0 error(s) of 3 tests when loading database 'x'")
    rc, _suite = run(tmp_path, lines)
    assert rc == 1


def test_no_tests_is_a_failure(tmp_path):
    rc, _suite = run(tmp_path, [rec(0, "INFO", "odoo.modules.loading", "loading 53 modules...")])
    assert rc == 1


def test_skipped(tmp_path):
    lines = passing_log()
    lines.insert(2, rec(1, "INFO", MOD, "skipped TestOcrEnqueue.test_button : needs a browser", ms=400))
    rc, suite = run(tmp_path, lines)
    assert rc == 0
    assert suite.get("skipped") == "1"
