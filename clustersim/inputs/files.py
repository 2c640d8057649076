"""Reading input files, and saying what is wrong with them.

Every problem with a file the user gave (a scenario, a firm list, an experiment file)
becomes a :class:`ScenarioError` whose one-line message names the file, the key, the value
and what is allowed; the command line prints it and exits with status 2.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any


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


def read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file, turning every failure into a ScenarioError."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        _fail(path, None, None, "file not found")
    except IsADirectoryError:
        _fail(path, None, None, "is a folder, not a scenario file")
    except tomllib.TOMLDecodeError as exc:
        _fail(path, None, None, f"not valid TOML ({exc})")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(path, None, None, f"cannot be read ({exc})")
