"""Field accuracy of the service's OCR + parser over generated receipt photos, per receipt kind.

    .venv/bin/python bench/accuracy.py [--count 40] [--kind-count 20] [--first-seed 5000]
                                       [--kinds standard,date_time,...] [--engine rapidocr]

Seeds from 5000 are not the ones the tests use (1000..1013 standard, 2000.. for the kinds).
`standard` is the receipt the service was first built on; the other kinds (tests/receipts.py,
KINDS) are the ways real receipts differ from it: upper-case dates with the time on the line,
bold one-word or tightly set store names, VAT-exempt and non-VAT sales.

For each kind and field it prints exact-match accuracy, how many values were flagged trusted,
and how many trusted values were wrong. `vendor` is compared on letters and digits (as before);
`vendor_sp` compares with the spaces too, so a store name read with its spaces lost
("SOUTHSTARDRUG") is a miss there and, if trusted, a trusted-but-wrong one. `vat_status`
is compared with the kind's (vatable / exempt / non_vat); a parser without the field counts
as "unknown". Exits 1 if total or date accuracy over all kinds is under --target (0.90).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insightpulse_ocr.engines import make_engine  # noqa: E402
from insightpulse_ocr.imaging import decode_image  # noqa: E402
from insightpulse_ocr.parsing import parse_receipt  # noqa: E402
from tests.receipts import KINDS, kind_receipt_jpeg, receipt_jpeg  # noqa: E402

FIELDS = ("total", "date", "tax", "currency", "vendor", "vendor_sp", "vat_status")
ALL_KINDS = ("standard", *KINDS)


def norm(v):
    return re.sub(r"[^A-Z0-9]", "", v.upper()) if isinstance(v, str) else v


def norm_spaced(v):
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", v.upper()).split()) if isinstance(v, str) else v


def score(got: dict, expected: dict) -> dict[str, tuple[bool, bool, object]]:
    """field -> (exact, trusted, value got)"""
    out = {}
    for f in FIELDS:
        name = "vendor" if f == "vendor_sp" else f
        g = got.get(name, {"value": "unknown", "trusted": False})
        if f == "vendor":
            ok = norm(g["value"]) == norm(expected["vendor"])
        elif f == "vendor_sp":
            ok = norm_spaced(g["value"]) == norm_spaced(expected["vendor"])
        else:
            ok = g["value"] == expected[f]
        out[f] = (ok, bool(g["trusted"]), g["value"])
    return out


def line(kind: str, f: str, s: dict, n: int) -> str:
    acc = s["exact"] / n if n else 0.0
    return f"{kind:<14}{f:<12}{s['exact']:>4}/{n:<3}{acc:>9.1%}{s['trusted']:>9}{s['trusted_wrong']:>15}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=40, help="standard receipts")
    ap.add_argument("--kind-count", type=int, default=20, help="receipts of each other kind")
    ap.add_argument("--first-seed", type=int, default=5000)
    ap.add_argument("--kinds", default=",".join(ALL_KINDS))
    ap.add_argument("--engine", default="rapidocr")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-confidence", type=float, default=0.60)
    ap.add_argument("--target", type=float, default=0.90)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the misses")
    ap.add_argument("--dump", help="write each receipt's rows as read (one block per receipt) to this file")
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    if unknown := set(kinds) - set(ALL_KINDS):
        ap.error(f"unknown kinds {sorted(unknown)}; known: {', '.join(ALL_KINDS)}")
    if not 1 <= args.count <= 500 or not 0 <= args.kind_count <= 500:
        ap.error("--count must be 1..500, --kind-count 0..500")

    engine = make_engine(args.engine, args.threads)
    stats = {k: {f: {"exact": 0, "trusted": 0, "trusted_wrong": 0} for f in FIELDS} for k in kinds}
    counts = dict.fromkeys(kinds, 0)
    dump = []
    t0 = time.perf_counter()
    for kind in kinds:
        n = args.count if kind == "standard" else args.kind_count
        for seed in range(args.first_seed, args.first_seed + n):
            receipt, jpeg = receipt_jpeg(seed) if kind == "standard" else kind_receipt_jpeg(seed, kind)
            rows, fields = parse_receipt(engine.recognize(decode_image(jpeg, 40_000_000, 2000)))
            got = fields.to_dict(args.min_confidence)
            if args.dump:
                dump.append(
                    f"== {kind} {seed} expected {receipt.expected}\n== got {json.dumps(got)}\n"
                    + "\n".join(f"{r.confidence:.3f} | {r.text}" for r in rows)
                )
            counts[kind] += 1
            for f, (ok, trusted, value) in score(got, receipt.expected).items():
                s = stats[kind][f]
                s["exact"] += ok
                s["trusted"] += trusted
                s["trusted_wrong"] += trusted and not ok
                if not ok and args.verbose:
                    print(
                        f"{kind} seed {seed} {f}: got {value!r}{' (trusted)' if trusted else ''}, "
                        f"expected {receipt.expected['vendor' if f == 'vendor_sp' else f]!r}"
                    )
    elapsed = time.perf_counter() - t0

    total_n = sum(counts.values())
    print(
        f"engine {args.engine}, {total_n} generated receipts, seeds from {args.first_seed}, "
        f"{elapsed:.1f}s ({elapsed / max(total_n, 1):.2f}s each)"
    )
    header = f"{'kind':<14}{'field':<12}{'exact':>7}{'accuracy':>10}{'trusted':>9}{'trusted&wrong':>15}"
    overall = {f: {"exact": 0, "trusted": 0, "trusted_wrong": 0} for f in FIELDS}
    for kind in kinds:
        print(header if kind == kinds[0] else "")
        n = counts[kind]
        for f in FIELDS:
            s = stats[kind][f]
            for key in s:
                overall[f][key] += s[key]
            print(line(kind, f, s, n))
    print()
    for f in FIELDS:
        print(line("all", f, overall[f], total_n))
    if args.dump:
        Path(args.dump).write_text("\n\n".join(dump) + "\n")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"counts": counts, "seconds": elapsed, "kinds": stats, "all": overall}, indent=2)
        )
    ok = all(overall[f]["exact"] / total_n >= args.target for f in ("total", "date"))
    print(f"target >= {args.target:.0%} exact for total and date: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
