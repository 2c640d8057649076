"""Issue 11 (reliability), the inputs: every file clustersim opens is read by one capped reader,
every bad file, key or argument is one line naming it, and no value the rules accept makes a run
slow or a result NaN."""

from __future__ import annotations

import os

import pytest

from clustersim.experiments.experiment_file import load_experiment
from clustersim.experiments.national import load_national
from clustersim.inputs.extends import MAX_EXTENDS
from clustersim.inputs.files import MAX_DEPTH, ScenarioError, read_bytes
from clustersim.inputs.scenario import load_scenario
from helpers import SCENARIOS, TINY, clustersim

BASE = f'extends = "{SCENARIOS / "baseline.toml"}"\n'


def one_line_error(call, *fragments):
    with pytest.raises(ScenarioError) as err:
        call()
    text = str(err.value)
    assert "\n" not in text, text
    for fragment in fragments:
        assert fragment in text, text
    return text


# ------------------------------------------------------------------ the capped reader
@pytest.mark.parametrize(
    "target, fragment",
    [
        ("/dev/zero", "not a regular file"),
        (".", "is a folder"),
        ("missing.toml", "file not found"),
        ("a\\u0000b.toml", "NUL byte"),
    ],
)
def test_extends_names_the_file_and_key_that_refer_to_a_bad_target(write_toml, target, fragment):
    path = write_toml(f'extends = "{target}"\n', "child.toml")
    one_line_error(lambda: load_scenario(path), "child.toml", "extends", fragment)


def test_a_pipe_is_refused_without_waiting_for_a_writer(write_toml, tmp_path):
    os.mkfifo(tmp_path / "fifo")
    path = write_toml('extends = "fifo"\n')
    one_line_error(lambda: load_scenario(path), "extends", "not a regular file")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"x" * 101)
    one_line_error(lambda: read_bytes(path, limit=100), "big.toml", "101 bytes", "at most 100")


@pytest.mark.parametrize(
    "text",
    [
        "[" + ".".join(["a"] * 2000) + "]\n",
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
        "[" + ".".join(["a"] * (MAX_DEPTH + 1)) + "]\n",
    ],
    ids=["tables", "arrays", "inline tables", "just too deep"],
)
def test_deep_nesting_is_one_line(write_toml, text):
    path = write_toml(text, "deep.toml")
    one_line_error(lambda: load_scenario(path), "deep.toml", "nested")


def test_a_chain_of_extends_longer_than_the_limit_is_refused(tmp_path):
    (tmp_path / "c0.toml").write_text(BASE)
    for i in range(1, MAX_EXTENDS + 5):
        (tmp_path / f"c{i}.toml").write_text(f'extends = "c{i - 1}.toml"\n')
    one_line_error(lambda: load_scenario(tmp_path / f"c{MAX_EXTENDS + 4}.toml"), "extends")
    assert load_scenario(tmp_path / f"c{MAX_EXTENDS - 2}.toml").params.run.grid_width == 40


# ------------------------------------------------------------------ firm lists
@pytest.mark.parametrize(
    "firm_csv, content, fragment",
    [
        ("/dev/zero", None, "not a regular file"),
        ("a\\u0000b.csv", None, "NUL byte"),
        ("f.csv", b"x,y,workers\n1,1,\xff\n", "not UTF-8"),
        ("f.csv", b"x,y,workers\n1,1,1e-300\n2,2,3\n", "[0.1, 100000]"),
        ("f.csv", b"x,y,workers\n1,1,\x00\n", "f.csv"),
    ],
)
def test_bad_firm_lists_are_one_line(write_toml, tmp_path, firm_csv, content, fragment):
    if content is not None:
        (tmp_path / firm_csv).write_bytes(content)
    path = write_toml(BASE + f'[run]\ngrid_width = 20\n[cluster]\nfirm_csv = "{firm_csv}"\n')
    one_line_error(lambda: load_scenario(path), fragment)


# ------------------------------------------------------------------ experiment files
def _experiment(write_toml, replace=(), extra=""):
    text = TINY
    for old, new in replace:
        text = text.replace(old, new)
    return write_toml(extra + text, "e.toml")


@pytest.mark.parametrize(
    "replace, extra, fragments",
    [
        ((), "precision = { jobs = nan }\n", ["precision.jobs", "finite"]),
        ((), "precision = { jobs = inf }\n", ["precision.jobs"]),
        (((f'"{SCENARIOS / "baseline.toml"}"', '"a\\u0000b"'),), "", ["baseline", "NUL byte"]),
        (((f'"{SCENARIOS / "baseline.toml"}"', '"/dev/zero"'),), "", ["baseline", "regular"]),
        (((f'"{SCENARIOS / "holistic_spv.toml"}"', '"nowhere.toml"'),), "", ["packages.holistic"]),
    ],
)
def test_bad_experiment_files_name_file_and_key(write_toml, replace, extra, fragments):
    path = _experiment(write_toml, replace, extra)
    one_line_error(lambda: load_experiment(path), "e.toml", *fragments)


def test_a_design_over_the_run_limit_is_refused_naming_its_size(write_toml):
    path = _experiment(
        write_toml,
        (("replicates = 3", "replicates = 100000"),),
    )
    path.write_text(
        path.read_text().replace("[packages]", "[sampler]\nmethod = 'random'\nsamples = 100000\n"
                                 "[parameters]\n'labour.hiring_speed' = [0.1, 0.5]\n"
                                 "[packages]")
    )  # fmt: skip
    text = one_line_error(lambda: load_experiment(path), "e.toml", "replicates")
    assert "30,000,000,000 runs" in text and "at most 1,000,000 runs" in text


def test_the_design_is_planned_one_run_at_a_time(write_toml):
    experiment = load_experiment(
        _experiment(write_toml, (("replicates = 3", "replicates = 90000"),))
    )
    assert experiment.run_count() == 270_000
    runs = experiment.iter_runs()
    first = next(runs)
    assert first.run_id == "baseline__p0000__r0000" and next(runs).replicate == 1


# ------------------------------------------------------------------ national experiments
SMALL_CLUSTERS = (
    "name,state,units,employment,turnover_inr_cr,archetype,reliability\n"
    "Alpha,Gujarat,25,500,10,engineering_foundry,A\nBeta,Punjab,30,600,12,leather_footwear,B\n"
)


def _national(tmp_path, csv=SMALL_CLUSTERS, **fields):
    values = {
        "kind": '"national"', "total": "2", "replicates": "1", "horizon": "1", "burn_in": "2",
        "package": f'"{SCENARIOS / "cfc.toml"}"', "clusters": '"c.csv"',
    }  # fmt: skip
    values.update(fields)
    text = "".join(f"{k} = {v}\n" for k, v in values.items())
    if "archetype_scenarios" not in fields:
        text += f'[archetype_scenarios]\ndefault = "{SCENARIOS / "baseline.toml"}"\n'
    (tmp_path / "c.csv").write_bytes(csv if isinstance(csv, bytes) else csv.encode())
    (tmp_path / "n.toml").write_text(text)
    return tmp_path / "n.toml"


@pytest.mark.parametrize(
    "csv, fields, fragments",
    [
        (SMALL_CLUSTERS.encode() + b"G\xe9n,x,3,,,,\n", {}, ["c.csv", "not UTF-8"]),
        (SMALL_CLUSTERS.replace(",25,", ",,").replace(",30,", ",,"), {}, ["c.csv", "units"]),
        ("name,state\nA,B\n", {}, ["c.csv", "missing column"]),
        (SMALL_CLUSTERS, {"package": '"nowhere.toml"'}, ["n.toml", "package", "not found"]),
        (SMALL_CLUSTERS, {"clusters": '"nowhere.csv"'}, ["n.toml", "clusters", "not found"]),
        (
            SMALL_CLUSTERS,
            {"archetype_scenarios": '{ default = "nowhere.toml" }'},
            ["n.toml", "archetype_scenarios.default", "not found"],
        ),
    ],
)
def test_bad_national_experiments_name_file_and_key(tmp_path, csv, fields, fragments):
    path = _national(tmp_path, csv, **fields)
    one_line_error(lambda: load_national(path), *fragments)


def test_a_cluster_with_blank_units_takes_the_median_of_the_others(tmp_path):
    experiment = load_national(_national(tmp_path, SMALL_CLUSTERS.replace(",25,", ",,")))
    assert [c.n_firms for c in experiment.clusters] == [30, 30]


# ------------------------------------------------------------------ command-line arguments
@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["run", "x.toml", "--out", "o", "--steps", "-1"], "1-400"),
        (["sweep", "x.toml", "--out", "o", "--replicates", "1000000000"], "1-100,000"),
        (["sweep", "x.toml", "--out", "o", "--scheduler", ""], "--scheduler"),
        (["viz", "x.toml", "--host", ""], "--host"),
        (["viz", "x.toml", "--host", " "], "--host"),
        (["dask-cluster", "--port", "70000"], "0-65535"),
        (["fly"], "see 'clustersim --help'"),
        (["run"], "see 'clustersim run --help'"),
    ],
)
def test_bad_arguments_are_one_line_with_what_is_allowed(argv, fragment):
    status, _, err = clustersim(*argv)
    assert status == 2 and len(err.strip().splitlines()) == 1 and fragment in err, err
    assert "clustersim clustersim" not in err


@pytest.mark.parametrize("scheme", ["tls", "ucx", "inproc"])
def test_a_scheduler_address_other_than_tcp_is_refused(tmp_path, scheme):
    (tmp_path / "e.toml").write_text(TINY)
    status, _, err = clustersim(
        "sweep", tmp_path / "e.toml", "--out", tmp_path / "o", "--scheduler", f"{scheme}://h:1"
    )
    assert status == 2 and f"{scheme}:// is not supported" in err
    assert not (tmp_path / "o").exists()


def test_a_busy_port_for_the_dask_cluster_is_one_line():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        status, _, err = clustersim("dask-cluster", "--port", busy.getsockname()[1])
    assert status == 2 and "cannot listen there" in err


def test_sweep_into_a_file_is_one_line(tmp_path):
    (tmp_path / "e.toml").write_text(TINY)
    (tmp_path / "f.txt").write_text("x")
    status, _, err = clustersim("sweep", tmp_path / "e.toml", "--out", tmp_path / "f.txt")
    assert status == 2 and "is a file, not a folder" in err
    assert (tmp_path / "f.txt").read_text() == "x"


# ------------------------------------------------------------------ slow valid values
@pytest.mark.parametrize(
    "section, key, fragment",
    [("run", "grid_width = 600", "run.grid_width = 600"),
     ("technology", "spillover_distance = 100.0", "technology.spillover_distance = 100.0")],
)  # fmt: skip
def test_a_grid_far_larger_than_its_cluster_is_refused(write_toml, section, key, fragment):
    path = write_toml(BASE + f"[cluster]\nn_firms = 20\n[{section}]\n{key}\n")
    one_line_error(lambda: load_scenario(path), fragment, "<= 128 for 20 firms")


def test_the_national_experiments_largest_grid_is_accepted(write_toml):
    path = write_toml(BASE + "[cluster]\nn_firms = 74400\n[run]\ngrid_width = 600\n")
    assert load_scenario(path).params.run.grid_width == 600


@pytest.mark.parametrize("name", ["\\u0085", "a\\nb", "\\u2028", "\\u001c", "tab\\there"])
def test_an_error_naming_an_odd_file_is_still_one_line(tmp_path, name):
    """A path with a line boundary in it (found by the fuzzer: U+0085, NEXT LINE) is shown
    escaped, so the error stays one line.  ``name`` is a TOML basic string's escapes."""
    path = tmp_path / "e.toml"
    lines = TINY.splitlines()
    lines = [f'baseline = "{name}"' if line.startswith("baseline = ") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = clustersim("sweep", path, "--out", tmp_path / "o")
    assert status == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("clustersim: error: "), err
