"""Golden outputs: the model and the sweep write, byte for byte, what the reference commit wrote.

A change that moves results regenerates them on purpose (``python tests/golden/make.py``) in a
commit of its own that says why; a restructuring must leave this test green.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
from make import golden_path, produce  # noqa: E402


@pytest.mark.slow
def test_outputs_are_byte_identical_to_the_golden_files(tmp_path):
    written = produce(tmp_path)
    differ = []
    for name, path in written.items():
        golden = golden_path(name)
        assert golden.exists(), f"{golden.name} is missing: run python tests/golden/make.py"
        if gzip.decompress(golden.read_bytes()) != path.read_bytes():
            differ.append(name)
    assert not differ, (
        f"{len(differ)} of {len(written)} outputs differ from tests/golden: {', '.join(differ)}"
    )
