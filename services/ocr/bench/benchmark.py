"""Throughput and latency of the OCR service over HTTP vs the bare engine in-process.

    .venv/bin/python bench/benchmark.py [--images 12] [--threads 2]

Starts the service (`python -m insightpulse_ocr`) on 127.0.0.1 on a free port with a
temporary token, sends the same generated receipt photos at concurrency 1 and 4, and runs
the bare engine in this process on the same images (decoded beforehand, so the service's
figure carries HTTP, multipart, JPEG decoding, parsing and JSON). Engine and service runs
alternate in small rounds, so both see the same background load on a shared machine. Prints receipts/second,
p50/p95 latency, the overhead, and the service's resident memory (VmRSS and its peak
VmHWM from /proc). Bounded: --images requests per level (at most 200), 127.0.0.1 only,
and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from insightpulse_ocr.engines import make_engine  # noqa: E402
from insightpulse_ocr.imaging import decode_image  # noqa: E402
from tests.receipts import receipt_jpeg  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Side:
    """Latencies and busy wall time of one side (engine or service) at one level."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.wall = 0.0

    def round(self, fn, items: list, pool: ThreadPoolExecutor) -> None:
        def one(item):
            t = time.perf_counter()
            fn(item)
            self.latencies.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        list(pool.map(one, items))
        self.wall += time.perf_counter() - t0

    def summary(self) -> dict:
        return {
            "rps": len(self.latencies) / self.wall,
            "p50": percentile(self.latencies, 0.50) * 1000,
            "p95": percentile(self.latencies, 0.95) * 1000,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mem_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", type=int, default=12, help="requests per level (1..200)")
    ap.add_argument("--threads", type=int, default=2, help="OCR_THREADS for both sides")
    ap.add_argument("--levels", default="1,4", help="concurrency levels")
    ap.add_argument(
        "--service-concurrency",
        type=int,
        default=1,
        help="MAX_CONCURRENCY of the service; the bare engine is given the same parallelism",
    )
    ap.add_argument("--det-max-side", type=int, default=960, help="OCR_DET_MAX_SIDE for both sides")
    args = ap.parse_args()
    if not 1 <= args.images <= 200:
        ap.error("--images must be 1..200")
    levels = [int(x) for x in args.levels.split(",")]

    print(f"generating {args.images} receipt photos (1200x1600 JPEG)...", flush=True)
    photos = [receipt_jpeg(6000 + i)[1] for i in range(args.images)]
    arrays = [decode_image(p, 40_000_000, 2000) for p in photos]

    results: dict[tuple[str, int], dict] = {}
    engine = make_engine("rapidocr", args.threads, args.det_max_side)
    for a in arrays[:2]:
        engine.recognize(a)  # warm-up
    slots = threading.BoundedSemaphore(args.service_concurrency)

    def bare(array) -> None:
        with slots:  # the same number of images in the engine at once as the service allows
            engine.recognize(array)

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        token = secrets.token_urlsafe(32)
        token_file = Path(tmp) / "token"
        token_file.write_text(token)
        env = {
            **os.environ,
            "OCR_HOST": "127.0.0.1",
            "OCR_PORT": str(port),
            "OCR_TOKEN_FILE": str(token_file),
            "OCR_THREADS": str(args.threads),
            "OCR_DET_MAX_SIDE": str(args.det_max_side),
            "MAX_CONCURRENCY": str(args.service_concurrency),
            "MAX_QUEUE": str(max(levels) * 2),
            "MALLOC_ARENA_MAX": "2",  # as in the image
            "LOG_LEVEL": "warning",
        }
        server = subprocess.Popen([sys.executable, "-m", "insightpulse_ocr"], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=120) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if client.get("/health").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the service did not come up")
                    time.sleep(0.2)
                rss_idle, _ = mem_mb(server.pid)
                headers = {"Authorization": f"Bearer {token}"}

                def post(data: bytes) -> None:
                    r = client.post("/ocr", headers=headers, files={"file": ("r.jpg", data, "image/jpeg")})
                    r.raise_for_status()

                for p in photos[:2]:
                    post(p)  # warm-up
                for c in levels:
                    eng, svc = Side(), Side()
                    with ThreadPoolExecutor(c) as pool:
                        for i in range(0, args.images, c):  # alternate rounds of c requests
                            eng.round(bare, arrays[i : i + c], pool)
                            svc.round(post, photos[i : i + c], pool)
                    results[("engine", c)], results[("service", c)] = eng.summary(), svc.summary()
                    print(
                        f"c={c}: engine {results[('engine', c)]['rps']:.2f}/s, "
                        f"service {results[('service', c)]['rps']:.2f}/s",
                        flush=True,
                    )
                rss, hwm = mem_mb(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    print()
    print(
        f"{args.images} receipts per level, OCR_THREADS={args.threads}, OCR_DET_MAX_SIDE={args.det_max_side}, "
        f"MAX_CONCURRENCY={args.service_concurrency} (engine side alike), "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'':<22}{'receipts/s':>11}{'p50 ms':>9}{'p95 ms':>9}")
    for c in levels:
        for kind, label in (("engine", "bare engine"), ("service", "service (HTTP)")):
            r = results[(kind, c)]
            print(f"{label + f' c={c}':<22}{r['rps']:>11.2f}{r['p50']:>9.0f}{r['p95']:>9.0f}")
        e, s = results[("engine", c)], results[("service", c)]
        overhead = e["rps"] / s["rps"] - 1
        print(
            f"{'  overhead c=' + str(c):<22}{overhead:>+11.1%}{s['p50'] / e['p50'] - 1:>+9.1%}"
            f"{s['p95'] / e['p95'] - 1:>+9.1%}   (target <= +10% on throughput)"
        )
    print(f"service memory: RSS idle {rss_idle:.0f} MB, after load {rss:.0f} MB, peak {hwm:.0f} MB (target < 500 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
