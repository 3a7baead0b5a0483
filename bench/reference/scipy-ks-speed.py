#!/usr/bin/python3
"""SciPy baseline for the drift speed bench (bench/drift.ts).

Times scipy.stats.ks_2samp(method="auto") over 20 columns of 1,000,000
normal values against 20 columns of 1,000,000 (the first column shifted by
0.01, as in the bench), one thread, median of 3 runs. Prints one JSON line:
{"seconds": ..., "scipy": "<version>"}. Data are built before the clock
starts, as in the bench.
"""
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402

ROWS, FEATURES = 1_000_000, 20
rng = np.random.default_rng(9)
reference = rng.normal(size=(FEATURES, ROWS))
current = rng.normal(size=(FEATURES, ROWS))
current[0] += 0.01

times = []
for _ in range(3):
    start = time.perf_counter()
    for j in range(FEATURES):
        stats.ks_2samp(reference[j], current[j], method="auto")
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": sorted(times)[1], "scipy": scipy.__version__}))
