"""Spatial spillovers on the grid: how much of a firm's neighbourhood does something.

Influence decays with distance as exp(-d / decay_length).  Counts of firms
per cell are convolved with that kernel once per quarter (cost grows with the
number of cells, not with pairs of firms), and each firm reads its own cell.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve


def distance_kernel(decay_length: float) -> np.ndarray:
    """exp(-d / L) on a square window of half-width ceil(4 L) cells."""
    half = int(np.ceil(4.0 * decay_length))
    offsets = np.arange(-half, half + 1)
    dist = np.hypot(offsets[:, None], offsets[None, :])
    return np.exp(-dist / decay_length)


class Neighbourhood:
    """Precomputed kernel and cell index for the firms of a grid."""

    def __init__(self, width: int, decay_length: float):
        self.width = width
        self.kernel = distance_kernel(decay_length)

    def _smooth(self, cells, weights) -> np.ndarray:
        counts = np.bincount(cells, weights=weights, minlength=self.width * self.width).reshape(self.width, self.width)
        field = fftconvolve(counts, self.kernel, mode="same")
        field[field < 1e-9] = 0.0  # FFT round-off where there is nothing
        return field.ravel()

    def share(self, cells, doers, population=None) -> np.ndarray:
        """Distance-weighted share of a firm's neighbours (itself included) that are ``doers``.

        ``cells`` are flat cell indices of the firms, ``doers`` boolean or weights
        per firm; returns one share in [0, 1] per firm.
        """
        weights = np.ones(len(cells)) if population is None else population
        total = self._smooth(cells, weights)[cells]
        done = self._smooth(cells, weights * doers)[cells]
        return np.divide(done, total, out=np.zeros_like(done), where=total > 0.0).clip(0.0, 1.0)
