"""Spatial spillovers on the grid: how much of a firm's neighbourhood does something.

Influence decays with distance as exp(-d / decay_length).  Counts of firms per
cell are convolved with that kernel (by FFT, all layers at once, the kernel's
transform computed once), and each firm reads its own cell: the cost grows with
the number of cells, not with pairs of firms.
"""

from __future__ import annotations

import numpy as np
from scipy import fft  # pocketfft, faster than numpy.fft; scipy is loaded by Mesa anyway


def distance_kernel(decay_length: float) -> np.ndarray:
    """exp(-d / L) on a square window of half-width ceil(4 L) cells."""
    half = int(np.ceil(4.0 * decay_length))
    offsets = np.arange(-half, half + 1)
    dist = np.hypot(offsets[:, None], offsets[None, :])
    return np.exp(-dist / decay_length)


class Neighbourhood:
    """Precomputed kernel transform for the firms of a width x width grid."""

    def __init__(self, width: int, decay_length: float):
        self.width = width
        self.kernel = distance_kernel(decay_length)
        self.half = self.kernel.shape[0] // 2
        size = width + self.kernel.shape[0] - 1  # linear (not circular) convolution
        self.shape = (size, size)
        self.kernel_fft = fft.rfft2(self.kernel, s=self.shape)

    def smooth(self, counts: np.ndarray) -> np.ndarray:
        """Kernel-weighted sums around every cell of one or more (…, width, width) count layers."""
        full = fft.irfft2(fft.rfft2(counts, s=self.shape) * self.kernel_fft, s=self.shape)
        h, w = self.half, self.width
        out = full[..., h : h + w, h : h + w]
        out[out < 1e-9] = 0.0  # FFT round-off where there is nothing
        return out

    def shares(self, cells: np.ndarray, doers: np.ndarray) -> np.ndarray:
        """Distance-weighted share of a firm's neighbours (itself included) doing each thing.

        ``cells`` are flat cell indices of the firms; ``doers`` is (firms,) or
        (firms, k) booleans.  Returns shares in [0, 1] of the same shape.
        """
        doers = np.asarray(doers)
        if len(cells) == 0:  # every firm has closed: nobody to learn from
            return np.zeros(doers.shape)
        matrix = doers.reshape(len(cells), -1)
        n_cells = self.width * self.width
        layers = [np.bincount(cells, minlength=n_cells)]
        layers += [
            np.bincount(cells, weights=matrix[:, j], minlength=n_cells)
            for j in range(matrix.shape[1])
        ]
        fields = self.smooth(np.stack(layers).reshape(-1, self.width, self.width).astype(float))
        fields = fields.reshape(len(layers), -1)[:, cells]
        total, done = fields[0], fields[1:].T
        share = np.divide(
            done, total[:, None], out=np.zeros_like(done), where=total[:, None] > 0.0
        ).clip(0.0, 1.0)
        return share.reshape(doers.shape)

    def share(self, cells: np.ndarray, doers: np.ndarray) -> np.ndarray:
        """:meth:`shares` for one activity."""
        return self.shares(cells, np.asarray(doers))
