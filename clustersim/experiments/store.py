"""A sweep's folder: experiment.json, manifest.jsonl, runs/, firms/ and trial/, written so that
nothing is lost.  Each finished run's files are written atomically (a temporary name, then a
rename; the series last: its presence means done) with a line appended to the manifest; a lock
file keeps two sweeps out of one folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .engines import SweepError


def parquet_bytes(frame) -> bytes:
    """A frame as the bytes of its parquet file (workers encode their results, the store writes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue().to_pybytes()


def _write_parquet_atomically(frame, path: Path) -> None:
    """A frame, or its parquet bytes, written under a temporary name and then renamed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(frame if isinstance(frame, bytes) else parquet_bytes(frame))
    os.replace(tmp, path)


class Store:
    """The sweep's folder: experiment.json, manifest.jsonl, runs/, firms/."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.runs_dir = self.out / "runs"
        self.firms_dir = self.out / "firms"
        self.manifest = self.out / "manifest.jsonl"

    def finished(self) -> set[str]:
        if not self.runs_dir.exists():
            return set()
        return {p.stem for p in self.runs_dir.glob("*.parquet")}

    def save(self, result: dict) -> dict:
        """Write a run's files (firms first, the series last: its presence means done)
        and its manifest line."""
        line = {
            k: result.get(k)
            for k in (
                "run_id",
                "package",
                "point",
                "replicate",
                "seed",
                "parameters",
                "status",
                "error",
                "duration_s",
            )
        }
        if result["status"] == "ok":
            if len(result.get("trial", ())):  # a frame, or parquet bytes; empty: no trial
                (self.out / "trial").mkdir(exist_ok=True)
                _write_parquet_atomically(
                    result["trial"], self.out / "trial" / f"{result['run_id']}.parquet"
                )
            _write_parquet_atomically(
                result["firms"], self.firms_dir / f"{result['run_id']}.parquet"
            )
            _write_parquet_atomically(
                result["timeseries"], self.runs_dir / f"{result['run_id']}.parquet"
            )
        self.append(line)
        return line

    def append(self, line: dict) -> None:
        if self.manifest.exists() and self.manifest.stat().st_size:
            with open(
                self.manifest, "rb"
            ) as fh:  # a crash may have torn the last line: start a new one
                fh.seek(-1, os.SEEK_END)
                torn = fh.read(1) != b"\n"
            if torn:
                with open(self.manifest, "a", encoding="utf-8") as fh:
                    fh.write("\n")
        with open(self.manifest, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, default=_json_default) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def read_manifest(self):
        """The manifest, one row per run (its latest record); a torn last line is ignored."""
        import pandas as pd

        records = {}
        if self.manifest.exists():
            for text in self.manifest.read_text(encoding="utf-8").splitlines():
                try:
                    line = json.loads(text)
                except json.JSONDecodeError:
                    continue
                records[line["run_id"]] = line
        return pd.DataFrame(list(records.values()))


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def lock_folder(out: Path) -> Path:
    """An exclusive lock file, so two sweeps never write into one folder at once."""
    lock = out / ".sweep.lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        pid = lock.read_text(encoding="utf-8").strip() if lock.exists() else "?"
        alive = pid.isdigit() and Path(f"/proc/{pid}").exists()
        if alive:
            raise SweepError(
                f"{out} is being written by another sweep (process {pid}); wait for it to finish"
            ) from None
        lock.unlink(missing_ok=True)  # left by a sweep that was killed
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return lock
