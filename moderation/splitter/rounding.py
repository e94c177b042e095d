"""Rounding that makes the splitter's training the same on every CPU.

NumPy's math (log, log1p, exp) and OpenBLAS pick SIMD kernels by CPU, and their results differ
in the last bits; the boosted trees grown on such numbers split differently throughout. Every
number a later stage of training is built on is rounded to a grid far coarser than those
differences (`stable`), so a value rarely sits close enough to a grid boundary to round both
ways (tests/test_splitter.py and bench/same_model_across_kernels.py would see it).
"""

from __future__ import annotations

import numpy as np

# linear coefficients (pass 1 has some of O(100)) and features at 1e-6; line weights,
# scalers and idf at 1e-9
COEF_DECIMALS = 6
FEATURE_DECIMALS = 6
SCALE_DECIMALS = 9


def stable(x: np.ndarray, decimals: int) -> np.ndarray:
    """`x` as float64, rounded to `decimals`."""
    return np.round(np.asarray(x, dtype=np.float64), decimals)
