"""Validation throughput (MB/s) and peak memory on a large PK file.

    .venv/bin/python benchmarks/bench_validation.py --mb 10 100

For each size: writes a synthetic PK CSV of about that many MB (rats of 12
samples each; a fixed pattern, no randomness) into benchmarks/work/, then
validates it in a fresh Python process (scripts.validation.validate_pk, the
rule's code, with limits.max_table_mib raised above the file's size) and
reports wall and CPU time (the process's whole life, imports included),
MB per CPU second and that process's peak RSS. On a shared machine the CPU
figures are the ones to compare.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "animal_id,species,body_weight_kg,route,dose_mg_kg,analyte,time_h,concentration_ng_mL,lloq_ng_mL\n"
TIMES = (0.25, 0.5, 1, 2, 4, 6, 8, 12, 24, 32, 48, 72)
CHILD = """
import resource, sys, time
sys.path.insert(0, sys.argv[2])
from scripts import validation
validation.set_limits({"max_table_mib": 1e6})
start = time.perf_counter()
table, warnings = validation.validate_pk(sys.argv[1])
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(len(table), seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def write_pk(path: Path, megabytes: float) -> int:
    """A PK file of about *megabytes* MB; returns its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = megabytes * 1e6
    with open(path, "w") as out:
        out.write(HEADER)
        size, animal = len(HEADER), 0
        while size < target:
            animal += 1
            lines = "".join(
                f"R{animal:07d},rat,0.3,po,10,drugx,{t:g},{100 * 0.9**i:.4g},1\n" for i, t in enumerate(TIMES)
            )
            out.write(lines)
            size += len(lines)
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[10, 100])
    args = parser.parse_args()
    print("| file MB | rows | validation wall s | CPU s | MB per CPU s | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for megabytes in args.mb:
        path = ROOT / "benchmarks" / "work" / f"pk_{megabytes:g}mb_{os.getpid()}.csv"
        size = write_pk(path, megabytes)
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(ROOT)], capture_output=True, text=True, check=True
        ).stdout.split()
        rows, seconds, cpu, peak_kib = int(out[0]), float(out[1]), float(out[2]), int(out[3])
        print(
            f"| {size / 1e6:.1f} | {rows} | {seconds:.1f} | {cpu:.1f} | {size / 1e6 / cpu:.2f} "
            f"| {peak_kib / 1024:.0f} |"
        )
        path.unlink()


if __name__ == "__main__":
    main()
