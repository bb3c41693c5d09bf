"""Print the stage table and the one closing line of `make test`; exit 1 on any failure.

Arguments: "name|kind|rc|seconds" per stage. pytest counts come from
.cache/junit/*.xml, Molecule scenario results from .cache/results/molecule-*.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

CACHE = Path(".cache")


def junit_counts():
    passed = failed = skipped = 0
    for xml in sorted((CACHE / "junit").glob("*.xml")):
        root = ET.parse(xml).getroot()  # noqa: S314 - our own pytest reports
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for s in suites:
            tests = int(s.get("tests", 0))
            f = int(s.get("failures", 0)) + int(s.get("errors", 0))
            sk = int(s.get("skipped", 0))
            passed += tests - f - sk
            failed += f
            skipped += sk
    return passed, failed, skipped


def main(stages):
    passed, failed, skipped = junit_counts()
    bad = []
    for entry in stages:
        name, kind, rc, secs = entry.split("|")
        ok = rc == "0"
        print(f"  {'ok  ' if ok else 'FAIL'} {name:<28} {secs:>5}s")
        if not ok:
            bad.append(name)
        if kind == "check":
            passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
        elif kind == "pytest" and not ok and not any((CACHE / "junit").glob("*.xml")):
            failed += 1  # the suite died before writing a report
        elif kind == "molecule":
            results = sorted((CACHE / "results").glob("molecule-*"))
            if not results and not ok:
                failed += 1
            for r in results:
                scenario, code, secs = r.read_text().split()
                print(f"       {'ok  ' if code == '0' else 'FAIL'} molecule {scenario:<19} {secs:>5}s")
                passed, failed = (passed + 1, failed) if code == "0" else (passed, failed + 1)
    if bad:
        print(f"failed stages: {', '.join(bad)}")
    if failed == 0 and bad:
        failed = len(bad)  # never print "0 failed" for a red run
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if bad or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
