"""Cases: command-line arguments, hand-made and drawn from a grammar."""

from __future__ import annotations

import socket

from runner import EITHER, ERROR, Attack, Case


def cli_cases(a: Attack) -> list[Case]:
    cat = "CLI arguments"
    base, tiny = str(a.base), str(a.tiny)

    def c(*args, expect=ERROR, name="", check=None, setup=None, timeout=60.0, files=None):
        return Case(
            cat,
            name or " ".join(map(str, args))[:60],
            a.cmd(*args),
            expect,
            files or {},
            check=check,
            setup=setup,
            timeout=timeout,
        )

    def no_double_prog(result, folder):
        return (
            ["usage error says 'clustersim clustersim'"]
            if "clustersim clustersim" in result.stderr
            else []
        )

    def says_range(result, folder):
        return [] if "400" in result.stderr else ["--steps error does not give the allowed 1-400"]

    cases = [
        c(expect=ERROR, name="no command", check=no_double_prog),
        c("--bogus", name="unknown option", check=no_double_prog),
        c("fly", name="unknown command", check=no_double_prog),
        c("run", base, "--out", "o", "--steps", "-1", check=says_range),
        c("run", base, "--out", "o", "--steps", "0"),
        c("run", base, "--out", "o", "--steps", "401"),
        c("run", base, "--out", "o", "--seed", "-1"),
        c("run", base, "--out", "o", "--firms", "-5"),
        c("run", base, "--out", "o", "--firms", "1e3"),
        c(
            "run",
            base,
            "--out",
            "f.txt",
            "--no-plots",
            files={"f.txt": "x"},
            name="run --out a file",
        ),
        c("run", base, "--out", "", name="run --out empty"),
        c("sweep", tiny, "--out", "o", "--replicates", "0"),
        c("sweep", tiny, "--out", "o", "--workers", "0"),
        c("sweep", tiny, "--out", "o", "--steps", "-1", check=says_range),
        c("sweep", tiny, "--out", "f.txt", files={"f.txt": "x"}, name="sweep --out a file"),
        c("sweep", tiny, "--out", "o", "--scheduler", "", name="--scheduler empty"),
        c(
            "sweep",
            tiny,
            "--out",
            "o",
            "--scheduler",
            "localhost:8786",
            name="--scheduler no scheme",
        ),
        c("compare", "nowhere"),
        c("compare", "/dev/zero"),
        c("compare", "f.txt", files={"f.txt": "x"}, name="compare a file"),
        c("compare", ".", name="compare an empty folder"),
        c("report", ".", name="report an empty folder"),
        c("report", "nowhere"),
        c("viz", "nowhere.toml"),
        c("viz", base, "--port", "70000"),
        c("viz", base, "--port", "-1"),
        c("dask-cluster", "--port", "70000", timeout=25),  # see running_is_acceptance below
        c(
            "dask-cluster",
            "--port",
            "busy",
            timeout=25,
            setup=None,
            name="dask-cluster --port busy",
        ),
        c("dask-cluster", "--workers", "0"),
    ]
    cases[-2] = busy_port_case(a, cat)
    cases[-3].running_is_acceptance = True
    values = ["", "-1", "0", "1", "2", "401", "1e3", "nan", "x", "/dev/zero", "/nonexistent/x",
              "tcp://", "-", " ", "9" * 30, "tcp://127.0.0.1:1", "f.txt", "."]  # fmt: skip
    grammar = {
        "run": ([base, "nowhere.toml", "/dev/zero", ".", tiny],
                ["--out", "--seed", "--steps", "--firms", "--no-plots", "--panel", "--quiet"]),
        "sweep": ([tiny, base, "nowhere.toml", "/dev/zero", "."],
                  ["--out", "--workers", "--scheduler", "--resume", "--replicates", "--steps",
                   "--no-progress"]),
        "compare": ([".", "nowhere", "f.txt"], ["--target", "--quiet"]),
        "report": ([".", "nowhere", "f.txt"], []),
    }  # fmt: skip
    flags_without_value = {"--no-plots", "--panel", "--quiet", "--resume", "--no-progress"}
    for i in range(30 if a.quick else 150):
        command = a.rng.choice(list(grammar))
        positionals, flags = grammar[command]
        argv = [command]
        if a.rng.random() < 0.9:
            argv.append(a.rng.choice(positionals))
        for flag in a.rng.sample(flags, k=min(len(flags), a.rng.randint(0, 4))):
            argv.append(flag)
            if flag not in flags_without_value:
                value = a.rng.choice(values + ["o", "o", "3", "jobs=5"])
                if flag == "--steps" and value.isdigit() and int(value) > 4:
                    value = "2"  # keep runs short
                argv.append(value)
        if command in ("run", "sweep") and "--out" not in argv and a.rng.random() < 0.8:
            argv += ["--out", "o"]
        if command == "sweep" and "--workers" not in argv and "--scheduler" not in argv:
            argv += ["--workers", "1"]
        cases.append(
            c(
                *argv,
                expect=EITHER,
                name=f"random argv {i}: {' '.join(argv)[:40]}",
                files={"f.txt": "x"},
                timeout=90,
            )
        )
    return cases


def busy_port_case(a: Attack, cat: str) -> Case:
    def run(folder):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            return a.execute(a.cmd("dask-cluster", "--port", port), folder, timeout=40)

    return Case(cat, "dask-cluster --port busy", [], ERROR, run=run)
