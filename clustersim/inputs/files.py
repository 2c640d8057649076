"""Reading input files, and saying what is wrong with them.

Every file clustersim opens (scenarios and the files they extend, firm lists, experiment and
national-experiment files and their cluster lists, a sweep's experiment.json) is read here, by
:func:`read_bytes`: a regular file of at most :data:`MAX_FILE_BYTES`, so that a device
(``/dev/zero``), a pipe, a folder or a path with a NUL byte is refused at once instead of read
without end.  Every problem with a file the user gave becomes a :class:`ScenarioError` whose
one-line message names the file, the key, the value and what is allowed; the command line
prints it and exits with status 2.  When another file named this one (``extends``,
``cluster.firm_csv``, an experiment's ``baseline``), the message names that file and key too.
"""

from __future__ import annotations

import difflib
import json
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

#: Largest file clustersim reads (bytes).  A firm list of 200,000 firms is about 10 MB.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Deepest nesting of tables and arrays in a TOML or JSON file (a scenario needs 3).
MAX_DEPTH = 20


class ScenarioError(ValueError):
    """A scenario or input file that cannot be used; the message says why."""


def _shown(file) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(file)


def _fail(file, key, value, problem, allowed=None):
    where = f"{_shown(file)}: " if file else ""
    what = f"{key} = {value!r}: " if key else ""
    tail = f"; allowed: {allowed}" if allowed else ""
    raise ScenarioError(f"{where}{what}{problem}{tail}")


def _suggest(word, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


#: Who named a file: (the file that names it, the key, the value), so that an error can say so.
NamedBy = tuple[Path | str, str, Any]


def _fail_file(path, named_by: NamedBy | None, problem: str, allowed=None):
    if named_by is None:
        _fail(path, None, None, problem, allowed)
    file, key, value = named_by
    _fail(file, key, value, f"{problem} ({_shown(path)})" if path else problem, allowed)


def check_path(value, named_by: NamedBy, allowed: str) -> str:
    """A path given in a file: a non-empty string without a NUL byte."""
    if not isinstance(value, str) or not value:
        _fail(*named_by, "must name a file", allowed)
    if "\x00" in value:
        _fail(*named_by, "the path contains a NUL byte", allowed)
    return value


def read_bytes(path, named_by: NamedBy | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; every failure is a ScenarioError
    naming the file (and, when it cannot be opened, the file and key that named it: what is
    wrong inside a file is reported against that file alone)."""
    if "\x00" in str(path):
        if named_by is None:
            raise ScenarioError(f"{str(path)!r}: the path contains a NUL byte")
        _fail_file(None, named_by, "the path contains a NUL byte", "a path without NUL bytes")
    try:  # O_NONBLOCK: opening a pipe must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        _fail_file(path, named_by, "file not found")
    except OSError as exc:
        _fail_file(path, named_by, f"cannot be read ({exc.strerror or exc})")
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            _fail_file(path, named_by, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            _fail_file(path, named_by, "is not a regular file (a device, pipe or socket)")
        if info.st_size > limit:
            _fail_file(path, named_by, f"is {info.st_size:,} bytes", f"at most {limit:,} bytes")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while being read
                _fail_file(path, named_by, f"is over {limit:,} bytes", f"at most {limit:,} bytes")
        return b"".join(chunks)
    except OSError as exc:
        _fail_file(path, named_by, f"cannot be read ({exc.strerror or exc})")
    finally:
        os.close(fd)


def read_text(path, named_by: NamedBy | None = None, encoding: str = "utf-8") -> str:
    """:func:`read_bytes` decoded; text that is not UTF-8 is an error naming the byte."""
    data = read_bytes(path, named_by)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        _fail(path, None, None, f"is not UTF-8 text (byte {exc.start})", "a UTF-8 text file")


def read_toml(path, named_by: NamedBy | None = None) -> dict[str, Any]:
    """Read one TOML file, turning every failure into a ScenarioError."""
    text = read_text(path, named_by)
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _fail(path, None, None, f"not valid TOML ({exc})")
    except RecursionError:
        _fail(path, None, None, "nested too deeply", f"at most {MAX_DEPTH} levels")
    _check_depth(table, path)
    return table


def read_json(path, named_by: NamedBy | None = None) -> Any:
    """Read one JSON file, turning every failure into a ScenarioError."""
    text = read_text(path, named_by)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(path, None, None, f"not valid JSON ({exc})")
    except RecursionError:
        _fail(path, None, None, "nested too deeply", f"at most {MAX_DEPTH} levels")
    _check_depth(value, path)
    return value


def _check_depth(value, path) -> None:
    """Refuse tables and arrays nested deeper than MAX_DEPTH (looked at without recursion)."""
    stack = [(value, 0, "")]
    while stack:
        item, depth, key = stack.pop()
        if depth > MAX_DEPTH:
            shown = key if len(key) <= 60 else key[:57] + "..."
            _fail(
                path,
                shown or "(top level)",
                "[table]",
                f"nested more than {MAX_DEPTH} levels deep",
                f"at most {MAX_DEPTH} levels",
            )
        if isinstance(item, dict):
            stack += [(v, depth + 1, f"{key}.{k}" if key else str(k)) for k, v in item.items()]
        elif isinstance(item, list):
            stack += [(v, depth + 1, f"{key}[{i}]") for i, v in enumerate(item)]
