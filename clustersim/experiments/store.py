"""A sweep's folder: experiment.json, manifest.jsonl, runs/, firms/ and trial/, written so that
nothing is lost.  A lock file keeps two sweeps out of one folder, and nothing is written before
it is held.  Every file is written atomically (:func:`atomic_path`: a temporary name beside it,
fsync, then a rename), so a crash or a full disk leaves the old file or the new one, never a torn
one; each finished run's files are written so (the series last: its presence means done), with a
line appended to the manifest.  A file that cannot be written is a :class:`WriteError` naming
it: the finished runs are kept, and ``--resume`` goes on once the cause is gone.
"""

from __future__ import annotations

import errno
import json
import math
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..inputs.files import ScenarioError, read_json
from .engines import FAULT_ENV, SweepError


class WriteError(SweepError):
    """A file of a sweep's folder (or of its comparison) that cannot be written."""


def fault_on_write(path: Path) -> None:
    """Test hook: ``CLUSTERSIM_TEST_FAULT=enospc:NAME`` makes writing a file named NAME (or a run's
    files, NAME being its run id) fail as on a full disk."""
    for item in os.environ.get(FAULT_ENV, "").split(","):
        kind, _, target = item.partition(":")
        if kind == "enospc" and target in (path.name, path.stem):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@contextmanager
def atomic_path(path: Path, keep_suffix: bool = False):
    """A temporary path beside ``path`` to write to; when the block succeeds it is flushed to disk
    and renamed onto ``path``, when it fails it is removed and a WriteError names ``path``.
    ``keep_suffix``: the temporary name ends like ``path`` (matplotlib picks the format so)."""
    path = Path(path)
    name = f".{path.stem}.{os.getpid()}.tmp{path.suffix}" if keep_suffix else None
    tmp = path.with_name(name or f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        fault_on_write(path)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        raise WriteError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    finally:
        if tmp.is_file():
            tmp.unlink()
    _fsync_folder(path.parent)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a whole file or nothing (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def write_json(path: Path, value) -> None:
    write_atomically(path, (json.dumps(value, indent=2, default=_json_default) + "\n").encode())


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def parquet_bytes(frame) -> bytes:
    """A frame as the bytes of its parquet file (workers encode their results, the store writes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue().to_pybytes()


def _write_parquet_atomically(frame, path: Path) -> None:
    """A frame, or its parquet bytes, written whole or not at all (see :func:`atomic_path`)."""
    write_atomically(path, frame if isinstance(frame, bytes) else parquet_bytes(frame))


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
        line = {k: result.get(k) for k in MANIFEST_COLUMNS}
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
        try:
            if self.manifest.exists() and self.manifest.stat().st_size:
                with open(self.manifest, "rb") as fh:  # a crash may have torn the last line
                    fh.seek(-1, os.SEEK_END)
                    torn = fh.read(1) != b"\n"
                if torn:
                    with open(self.manifest, "ab") as fh:
                        fh.write(b"\n")
            with open(self.manifest, "a", encoding="utf-8") as fh:
                fault_on_write(self.manifest)
                fh.write(json.dumps(line, default=_json_default) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise WriteError(
                f"{self.manifest}: cannot be written ({exc.strerror or exc})"
            ) from None

    def read_manifest(self):
        """The manifest, one row per run (its latest record); a torn or damaged line is skipped
        (the run files, not the manifest, say what is done)."""
        import pandas as pd

        records = {}
        try:
            with open(self.manifest, encoding="utf-8", errors="replace") as fh:
                for text in fh:
                    try:
                        line = json.loads(text)
                    except (json.JSONDecodeError, RecursionError):
                        continue
                    if isinstance(line, dict) and isinstance(line.get("run_id"), str):
                        records[line["run_id"]] = line
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise SweepError(f"{self.manifest}: cannot be read ({exc.strerror or exc})") from None
        frame = pd.DataFrame(list(records.values()))
        return frame.reindex(columns=list(dict.fromkeys([*MANIFEST_COLUMNS, *frame.columns])))

    def remove_temporary_files(self) -> None:
        """Temporary files left by a sweep that was killed while writing (only while the lock is
        held: then no one else is writing them)."""
        for folder in (self.out, self.runs_dir, self.firms_dir, self.out / "trial"):
            if folder.is_dir():
                for path in folder.glob(".*.tmp*"):
                    if path.is_file():
                        path.unlink(missing_ok=True)


MANIFEST_COLUMNS = (
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


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def lock_folder(out: Path) -> Path:
    """An exclusive lock file, so two sweeps never write into one folder at once; the folder is
    created if need be, and nothing else in it is touched before the lock is held."""
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out}: is a file, not a folder; choose a folder for the sweep")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SweepError(f"{out}: cannot create the output folder ({exc.strerror})") from None
    lock = out / ".sweep.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            try:
                pid = lock.read_bytes().decode("ascii", errors="replace").strip()
            except OSError:
                pid = "?"
            if pid.isdigit() and Path(f"/proc/{pid}").exists():
                raise SweepError(
                    f"{out} is being written by another sweep (process {pid}); "
                    "wait for it to finish"
                ) from None
            try:
                lock.unlink()  # left by a sweep that was killed
            except IsADirectoryError:
                raise SweepError(f"{lock}: is a folder; remove it to sweep here") from None
            except FileNotFoundError:
                pass
        except OSError as exc:
            raise SweepError(f"{lock}: cannot be created ({exc.strerror or exc})") from None
    else:
        raise SweepError(f"{out} is being written by another sweep; wait for it to finish")
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return lock


# ------------------------------------------------------------------ experiment.json
def _strings(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


#: The fields of experiment.json: a check and what is allowed.
INFO_FIELDS = {
    "title": (lambda v: isinstance(v, str), "a string"),
    "experiment_file": (lambda v: isinstance(v, str), "a string"),
    "fingerprint": (lambda v: isinstance(v, str), "a string"),
    "kind": (lambda v: v in ("compare", "national"), "'compare' or 'national'"),
    "replicates": (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
        "a whole number >= 1",
    ),
    "packages": (
        lambda v: _strings(v) and v[:1] == ["baseline"] and len(set(v)) == len(v),
        "a list of package names, 'baseline' first",
    ),
    "outcomes": (_strings, "a list of output columns"),
    "discount_rate": (lambda v: _number(v) and 0 <= v <= 1, "a number in [0, 1]"),
    "precision": (
        lambda v: isinstance(v, dict) and all(_number(x) and x > 0 for x in v.values()),
        "a table of outcome = positive number",
    ),
    "parameters": (
        lambda v: (
            isinstance(v, dict)
            and all(
                isinstance(b, list) and len(b) == 2 and all(map(_number, b)) for b in v.values()
            )
        ),
        'a table of "section.key" = [low, high]',
    ),
    "sampler": (lambda v: isinstance(v, dict), "a table"),
    "priors": (
        lambda v: isinstance(v, dict) and all(isinstance(p, dict) for p in v.values()),
        'a table of "section.key" = {distribution, low, high, mode, source}',
    ),
    "interventions": (
        lambda v: isinstance(v, dict) and all(isinstance(p, dict) for p in v.values()),
        "a table of package = {intervention = settings}",
    ),
    "common_random_numbers": (lambda v: isinstance(v, bool), "true or false"),
    "points": (lambda v: isinstance(v, list) and all(isinstance(p, dict) for p in v), "a list"),
    "clusters": (
        lambda v: isinstance(v, list) and all(isinstance(c, list) and len(c) == 4 for c in v),
        "a list of [name, firms, archetype, synthetic]",
    ),
    "states": (_strings, "a list of state names"),
}


def read_sweep_info(folder: Path) -> dict:
    """A sweep folder's experiment.json, checked field by field; a missing or damaged one is a
    one-line SweepError naming it."""
    folder = Path(folder)
    path = folder / "experiment.json"
    if not folder.is_dir():
        raise SweepError(f"{folder}: no such folder (a sweep's output folder)")
    if not path.exists() and not path.is_symlink():
        raise SweepError(
            f"{folder}: no sweep here (experiment.json is missing); run `clustersim sweep` first"
        )
    damaged = "the sweep's description is damaged: restore it, or sweep into a new folder"
    try:
        info = read_json(path)
    except ScenarioError as exc:
        raise SweepError(f"{exc} ({damaged})") from None
    if not isinstance(info, dict):
        raise SweepError(f"{path}: not a table of fields ({damaged})")
    for key in ("title", "packages"):
        if key not in info:
            raise SweepError(f"{path}: {key} is missing ({damaged})")
    for key, (ok, allowed) in INFO_FIELDS.items():
        if key in info and not ok(info[key]):
            shown = repr(info[key])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise SweepError(f"{path}: {key} = {shown}: {damaged}; allowed: {allowed}")
    names = [*info.get("parameters", {}), *info.get("priors", {})]
    if names and any(not all(_number(p.get(k)) for k in names) for p in info.get("points", [])):
        raise SweepError(f"{path}: points do not match parameters ({damaged})")
    if info.get("kind") == "national" and (
        "clusters" not in info or len(info.get("states", [])) != len(info["clusters"])
    ):
        raise SweepError(f"{path}: clusters and states do not match ({damaged})")
    return info


# ------------------------------------------------------------------ run files
def read_run_files(folder: Path, required: tuple[str, ...]):
    """Every ``*.parquet`` of a sweep's sub-folder (``runs``, ``firms``), as one DataFrame; a
    file that is not a run's table (a folder, unreadable, the wrong columns, another run's rows)
    is a one-line SweepError naming it.  ``None`` when there is none."""
    import pandas as pd

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SweepError(f"{folder}: not a folder (a sweep keeps its runs' files there)")
    redo = "remove it, then run the sweep again with --resume to redo that run"
    frames = []
    for path in sorted(folder.glob("*.parquet")):
        if not path.is_file():
            raise SweepError(f"{path}: not a file; {redo}")
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow's errors have no common base
            first = str(exc).splitlines()[0][:120] if str(exc) else ""
            raise SweepError(
                f"{path}: unreadable ({type(exc).__name__}: {first}); {redo}"
            ) from None
        missing = [c for c in required if c not in frame.columns]
        if missing:
            shown = ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")
            raise SweepError(f"{path}: not a run's table of {folder.name} (no {shown}); {redo}")
        if len(frame) and not (frame["run_id"] == path.stem).all():
            raise SweepError(f"{path}: holds another run's rows; {redo}")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else None
