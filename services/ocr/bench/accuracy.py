"""Field accuracy of the service's OCR + parser over generated receipt photos.

    .venv/bin/python bench/accuracy.py [--count 40] [--first-seed 5000] [--engine rapidocr]

Seeds from 5000 are not the ones the tests use (1000..1013). For each field it prints
exact-match accuracy, how many were flagged trusted, and how many trusted values were wrong.
Vendor is compared letters-and-digits only, since the models drop some spaces.
Exits 1 if total or date accuracy is under --target (0.90).
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
from tests.receipts import receipt_jpeg  # noqa: E402

FIELDS = ("total", "date", "tax", "currency", "vendor")


def norm(v):
    return re.sub(r"[^A-Z0-9]", "", v.upper()) if isinstance(v, str) else v


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--first-seed", type=int, default=5000)
    ap.add_argument("--engine", default="rapidocr")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-confidence", type=float, default=0.60)
    ap.add_argument("--target", type=float, default=0.90)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the misses")
    args = ap.parse_args()
    if not 1 <= args.count <= 500:
        ap.error("--count must be 1..500")

    engine = make_engine(args.engine, args.threads)
    stats = {f: {"exact": 0, "trusted": 0, "trusted_wrong": 0} for f in FIELDS}
    t0 = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.count):
        receipt, jpeg = receipt_jpeg(seed)
        rows, fields = parse_receipt(engine.recognize(decode_image(jpeg, 40_000_000, 2000)))
        got = fields.to_dict(args.min_confidence)
        for f in FIELDS:
            ok = norm(got[f]["value"]) == norm(receipt.expected[f])
            stats[f]["exact"] += ok
            stats[f]["trusted"] += got[f]["trusted"]
            stats[f]["trusted_wrong"] += got[f]["trusted"] and not ok
            if not ok and args.verbose:
                print(f"seed {seed} {f}: got {got[f]['value']!r}, expected {receipt.expected[f]!r}")
    elapsed = time.perf_counter() - t0

    n = args.count
    print(
        f"engine {args.engine}, {n} generated receipts (seeds {args.first_seed}..{args.first_seed + n - 1}), "
        f"{elapsed:.1f}s ({elapsed / n:.2f}s each)"
    )
    print(f"{'field':<10}{'exact':>8}{'accuracy':>10}{'trusted':>9}{'trusted&wrong':>15}")
    for f in FIELDS:
        s = stats[f]
        print(f"{f:<10}{s['exact']:>8}{s['exact'] / n:>10.1%}{s['trusted']:>9}{s['trusted_wrong']:>15}")
    if args.json:
        Path(args.json).write_text(json.dumps({"count": n, "seconds": elapsed, "fields": stats}, indent=2))
    ok = all(stats[f]["exact"] / n >= args.target for f in ("total", "date"))
    print(f"target >= {args.target:.0%} exact for total and date: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
