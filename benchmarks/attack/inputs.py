"""Cases: scenario files, experiment files and national experiments, hand-made and mutated."""

from __future__ import annotations

import os
from pathlib import Path

from mutation import mutate
from runner import EITHER, ERROR, OK, Attack, Case, Result, tiny_experiment


def nan_in_outputs(result: Result, folder: Path) -> list[str]:
    path = folder / "out" / "timeseries.csv"
    if result.code == 0 and path.exists():
        head, *rows = path.read_text().splitlines()
        for row in rows[1:]:  # the first quarter may be empty by construction
            if "nan" in row.lower().split(","):
                return ["exit 0 with NaN in timeseries.csv"]
    return []


# ------------------------------------------------------------------ categories
def deep(kind: str, depth: int) -> str:
    if kind == "tables":
        return "[" + ".".join(["a"] * depth) + "]\nx = 1\n"
    if kind == "arrays":
        return "x = " + "[" * depth + "1" + "]" * depth + "\n"
    return "x = " + "{a = " * depth + "1" + "}" * depth + "\n"


RICH_SCENARIO = """extends = "{baseline}"
title = "fuzz"
[run]
burn_in = 2
horizon = 1
grid_width = 30
[cluster]
n_firms = 20
core_spread = 4.0
[technology]
spillover_distance = 3.0
cfc_lift = 0.1
[interventions.cfc]
start_quarter = 0
capacity_hours = 30000.0
governance = "spv"
[interventions.credit_guarantee]
eligible = ["micro", "small"]
[[market.shocks]]
quarter = 1
tariff = 0.25
"""


def scenario_cases(a: Attack) -> list[Case]:
    cat, out = "scenario files", ["--out", "out", "--no-plots", "--quiet"]
    base = str(a.base)

    def run(files, expect=ERROR, name="", check=None, setup=None, main="s.toml"):
        return Case(cat, name, a.cmd("run", main, *out), expect, files, check=check, setup=setup)

    ext = f'extends = "{base}"\n'
    names_extends = lambda r, f: (  # noqa: E731
        []
        if "s.toml" in r.stderr and "extends" in r.stderr
        else ["error does not name s.toml and extends"]
    )
    cases = [
        run({"s.toml": ext + "[cluster]\nn_frims = 3\n"}, name="unknown key"),
        run({"s.toml": ext + "[cluster]\nn_firms = 'x'\n"}, name="wrong type"),
        run({"s.toml": ext + "[run]\ngrid_width = 4\n"}, name="out of range"),
        run({"s.toml": ext + "[technology]\ncfc_lift = nan\n"}, name="nan"),
        run({"s.toml": ext + "title = 5\n"}, name="title type"),
        run({"s.toml": ext + "[interventions]\ncfc = 5\n"}, name="intervention not a table"),
        run({"s.toml": ext + "[interventions.nope]\n"}, name="unknown intervention"),
        run({"s.toml": ext + "[[market.shocks]]\ntariff = 0.2\n"}, name="shock no quarter"),
        run({"s.toml": ext + "[market]\nshocks = 5\n"}, name="shocks not a list"),
        run({"s.toml": b"\xff\xfe[run]\n"}, name="not UTF-8"),
        run({"s.toml": 'extends = "missing.toml"\n'}, name="extends missing", check=names_extends),
        run({"s.toml": 'extends = "/dev/zero"\n'}, name="extends /dev/zero"),
        run({"s.toml": 'extends = "a\\u0000b.toml"\n'}, name="extends NUL"),
        run({"s.toml": 'extends = "."\n'}, name="extends a folder"),
        run({"s.toml": 'extends = "s.toml"\n'}, name="extends itself"),
        run({"s.toml": "extends = 5\n"}, name="extends not a string"),
        run(
            {"s.toml": 'extends = "fifo"\n'},
            name="extends a FIFO",
            setup=lambda f: os.mkfifo(f / "fifo"),
        ),
        run({"s.toml": ext + '[cluster]\nfirm_csv = "/dev/zero"\n'}, name="firm_csv /dev/zero"),
        run({"s.toml": ext + '[cluster]\nfirm_csv = "a\\u0000b.csv"\n'}, name="firm_csv NUL"),
        run({"s.toml": ext + '[cluster]\nfirm_csv = "nowhere.csv"\n'}, name="firm_csv missing"),
        run({"s.toml": ext + '[cluster]\nfirm_csv = "."\n'}, name="firm_csv a folder"),
        run(
            {
                "s.toml": ext + '[cluster]\nfirm_csv = "f.csv"\n',
                "f.csv": b"x,y,workers\n1,1,\xff\n",
            },
            name="firm_csv not UTF-8",
        ),
        run(
            {
                "s.toml": ext + '[cluster]\nfirm_csv = "f.csv"\n',
                "f.csv": "x,y,workers\n1,1,1e-300\n2,2,3\n",
            },
            name="firm_csv workers 1e-300",
            check=nan_in_outputs,
        ),
        run(
            {
                "s.toml": ext + '[cluster]\nfirm_csv = "f.csv"\n',
                "f.csv": "x,y,workers\n1,1,1e-9\n2,2,3\n",
            },
            name="firm_csv workers 1e-9",
            check=nan_in_outputs,
        ),
        run(
            {"s.toml": ext + '[cluster]\nfirm_csv = "f.csv"\n', "f.csv": "x,y,workers\n"},
            name="firm_csv no rows",
        ),
        run({"s.toml": ext + deep("tables", 2000)}, name="2000 tables deep"),
        run({"s.toml": ext + deep("arrays", 5000)}, name="arrays 5000 deep"),
        run({"s.toml": ext + deep("inline", 3000)}, name="inline tables 3000 deep"),
        run({"s.toml": ext + deep("tables", 60)}, name="60 tables deep"),
        run({}, name="extends chain of 1200", setup=lambda f: chain(f, 1200, base)),
        run({}, name="extends chain of 40", expect=EITHER, setup=lambda f: chain(f, 40, base)),
        run(
            {},
            name="a 300 MB sparse file",
            setup=lambda f: os.truncate(Path(f / "s.toml").touch() or f / "s.toml", 300 << 20),
        ),
        run({}, name="scenario is a folder", main="."),
        run({}, name="scenario is /dev/zero", main="/dev/zero"),
        run({}, name="scenario missing", main="nowhere.toml"),
        run({"s.toml": ext}, expect=OK, name="valid small scenario", check=nan_in_outputs),
    ]
    text = RICH_SCENARIO.format(baseline=a.scenarios / "baseline.toml")
    for i in range(30 if a.quick else 150):
        cases.append(run({"s.toml": mutate(text, a.rng)}, EITHER, f"mutation {i}", nan_in_outputs))
    return cases


def chain(folder: Path, n: int, base: str) -> None:
    (folder / "c0.toml").write_text(f'extends = "{base}"\n')
    for i in range(1, n):
        (folder / f"c{i}.toml").write_text(f'extends = "c{i - 1}.toml"\n')
    (folder / "s.toml").write_text(f'extends = "c{n - 1}.toml"\n')


RICH_EXPERIMENT = """title = "fuzz"
baseline = "{baseline}"
replicates = 1
seed = 5
horizon = 1
burn_in = 2
n_firms = 20
outcomes = ["productivity", "export_share", "jobs"]
[packages]
cfc = "{cfc}"
[packages.big]
scenario = "{cfc}"
set = {{ "interventions.cfc.capacity_hours" = 80000.0 }}
[sampler]
method = "random"
samples = 2
seed = 3
[parameters]
"interventions.cfc.capacity_hours" = [1000.0, 2000.0]
[precision]
jobs = 1000.0
"""


def experiment_cases(a: Attack) -> list[Case]:
    cat = "experiment files"
    sweep = a.cmd("sweep", "e.toml", "--out", "out", "--workers", "1", "--no-progress")
    tiny = tiny_experiment(a.scenarios, 1)
    head, _, packages = tiny.partition("[packages]")

    def exp(text, expect=ERROR, name=""):
        return Case(cat, name, sweep, expect, {"e.toml": text}, timeout=90)

    sc = a.scenarios
    cases = [
        exp("precision = { jobs = nan }\n" + tiny, name="precision nan"),
        exp("precision = { jobs = -1.0 }\n" + tiny, name="precision negative"),
        exp("precision = { jobs = inf }\n" + tiny, name="precision inf"),
        exp(tiny.replace("replicates = 1", "replicates = 0"), name="replicates 0"),
        exp(head + "packages = 5\n", name="packages = 5"),
        exp(head + "[packages]\nx = 5\n", name="a package = 5"),
        exp(head + '[packages]\nx = ""\n', name="a package empty"),
        exp(head + '[packages]\nx = "a\\u0000b"\n', name="package NUL"),
        exp(head + '[packages]\nx = "/dev/zero"\n', name="package /dev/zero"),
        exp(head + '[packages]\nx = "nowhere.toml"\n', name="package missing"),
        exp(head + '[packages]\nx = "."\n', name="package a folder"),
        exp(head + f'[packages.x]\nscenario = "{sc / "cfc.toml"}"\nset = 5\n', name="set = 5"),
        exp(
            head + f'[packages.x]\nscenario = "{sc / "cfc.toml"}"\nset = {{ "a.b" = 1 }}\n',
            name="set unknown",
        ),
        exp(head + f'[packages.x]\nscenario = "{sc / "cfc.toml"}"\nsett = {{}}\n', name="pkg key"),
        exp(
            tiny.replace(f'baseline = "{sc / "baseline.toml"}"', 'baseline = ""'),
            name="baseline empty",
        ),
        exp(
            tiny.replace(f'baseline = "{sc / "baseline.toml"}"', 'baseline = "a\\u0000b"'),
            name="baseline NUL",
        ),
        exp(
            tiny.replace(f'baseline = "{sc / "baseline.toml"}"', 'baseline = "/dev/zero"'),
            name="baseline /dev/zero",
        ),
        exp(
            tiny.replace(f'baseline = "{sc / "baseline.toml"}"', "baseline = 5"), name="baseline 5"
        ),
        exp("outcomes = 5\n" + tiny, name="outcomes 5"),
        exp("outcomes = ['nope']\n" + tiny, name="outcomes unknown"),
        exp("trial = 5\n" + tiny, name="trial 5"),
        exp("kind = 'national'\n" + tiny, name="kind national"),
        exp("seed = -1\n" + tiny.replace("seed = 5\n", ""), name="seed -1"),
        exp(
            head + "[sampler]\nmethod = 'grid'\nsamples = 400\n[parameters]\n"
            "'labour.reservation_ratio' = [0.7, 0.9]\n'technology.cfc_lift' = [0.0, 0.2]\n"
            "'labour.hiring_speed' = [0.1, 0.5]\n[packages]\n" + packages,
            name="grid too big",
        ),
        exp(
            head
            + "[sampler]\nmethod = 'sobol'\nsamples = 100000\n[parameters]\n"
            + "".join(
                f"'technology.{k}' = [0.1, 0.2]\n"
                for k in (
                    "cfc_lift",
                    "tech_step",
                    "skill_lift",
                    "imitation_rate",
                    "innovation_rate",
                )
            )
            + "[packages]\n"
            + packages,
            name="sobol 100000 x 5",
        ),
        exp(b"\x00\x01\x02binary", name="binary file"),
        exp(deep("arrays", 5000), name="arrays 5000 deep"),
        exp(deep("tables", 2000), name="tables 2000 deep"),
        Case(cat, "experiment is a folder", a.cmd("sweep", ".", "--out", "out"), ERROR),
        Case(cat, "experiment is /dev/zero", a.cmd("sweep", "/dev/zero", "--out", "out"), ERROR),
        exp(tiny, OK, "valid tiny experiment"),
    ]
    text = RICH_EXPERIMENT.format(baseline=sc / "baseline.toml", cfc=sc / "cfc.toml")
    for i in range(25 if a.quick else 120):
        cases.append(exp(mutate(text, a.rng), EITHER, f"mutation {i}"))
    return cases


SMALL_CLUSTERS = (
    "name,state,units,employment,turnover_inr_cr,archetype,reliability\n"
    "Alpha,Gujarat,25,500,10,engineering_foundry,A\nBeta,Punjab,30,600,12,leather_footwear,B\n"
)


def national_cases(a: Attack) -> list[Case]:
    cat = "national experiments"
    sc = a.scenarios
    sweep = a.cmd("sweep", "n.toml", "--out", "out", "--workers", "1", "--no-progress")

    def nat(expect=ERROR, name="", csv=SMALL_CLUSTERS, check=None, **fields):
        values = {
            "kind": '"national"', "total": "2", "replicates": "1", "horizon": "1", "burn_in": "2",
            "package": f'"{sc / "cfc.toml"}"', "clusters": '"c.csv"',
        }  # fmt: skip
        values.update(fields)
        text = "".join(f"{k} = {v}\n" for k, v in values.items() if v is not None)
        if "archetype_scenarios" not in fields:
            text += f'[archetype_scenarios]\ndefault = "{sc / "baseline.toml"}"\n'
        files = {"n.toml": text, "c.csv": csv}
        return Case(cat, name, sweep, expect, files, timeout=120, check=check)

    def names(*words):
        def check(result, folder):
            missing = [w for w in words if w not in result.stderr]
            return [f"error does not name {', '.join(missing)}"] if missing else []

        return check

    return [
        nat(OK, "valid small national experiment"),
        nat(
            name="clusters CSV not UTF-8",
            csv=SMALL_CLUSTERS.encode() + b"G\xe9n\xff,x,3,,,,\n",
        ),
        nat(
            EITHER,
            "blank units",
            csv=SMALL_CLUSTERS.replace(",25,", ",,").replace(",30,", ",,"),
        ),
        nat(EITHER, "one blank units", csv=SMALL_CLUSTERS.replace(",25,", ",,")),
        nat(name="missing column", csv="name,state\nA,B\n"),
        nat(name="empty clusters CSV", csv=""),
        nat(name="unknown archetype", csv=SMALL_CLUSTERS.replace("leather_footwear", "nope")),
        nat(name="clusters /dev/zero", csv="", **{"clusters": '"/dev/zero"'}),
        nat(name="clusters NUL", **{"clusters": '"a\\u0000b"'}),
        nat(name="clusters a folder", **{"clusters": '"."'}),
        nat(
            name="clusters missing",
            check=names("n.toml", "clusters"),
            **{"clusters": '"nowhere.csv"'},
        ),
        nat(name="package missing", check=names("n.toml", "package"), package='"nowhere.toml"'),
        nat(name="package /dev/zero", package='"/dev/zero"'),
        nat(name="package NUL", package='"a\\u0000b"'),
        nat(
            name="archetype scenario missing",
            check=names("n.toml", "archetype_scenarios"),
            archetype_scenarios='{ default = "nowhere.toml" }',
        ),
        nat(name="archetype scenarios 5", archetype_scenarios="5"),
        nat(
            name="no default archetype",
            archetype_scenarios=f'{{ leather_footwear = "{sc / "leather.toml"}" }}',
        ),
        nat(name="total 0", total="0"),
        nat(name="replicates nan", replicates="nan"),
        nat(name="package switches nothing on", package=f'"{sc / "baseline.toml"}"'),
    ]
