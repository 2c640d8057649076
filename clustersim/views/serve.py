"""Serving the dashboard: Solara's server, answering only the host names it is served under.

``clustersim viz`` replaces itself with ``python -m clustersim.views.serve SOLARA-ARGS``, which runs
``solara run`` with one addition: every HTTP request and websocket whose ``Host`` header names
another host is refused (400), so a web page elsewhere cannot reach the dashboard through a DNS
name that points at this machine (DNS rebinding).  The names allowed are those of the address it
listens on (127.0.0.1 and localhost by default) plus any given with ``--allow-host`` (``*``: any).
"""

from __future__ import annotations

import os
import socket
import sys

#: Environment variable: the host names the dashboard answers, comma-separated.
ALLOWED_HOSTS_ENV = "CLUSTERSIM_VIZ_ALLOWED_HOSTS"
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str, extra: list[str]) -> set[str]:
    """The names a browser may use to reach a server listening on ``host``."""
    names = {_normal(host)}
    if names & set(LOCAL_NAMES):
        names |= {"localhost", _normal(host)}
    if host in ("0.0.0.0", "::", ""):  # every interface: this machine's names and addresses
        names |= set(LOCAL_NAMES) | _machine_names()
    return names | {_normal(name) for name in extra}


def _machine_names() -> set[str]:
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    except OSError:
        pass
    try:  # the address of the default route (a UDP "connection" sends nothing)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            names.add(probe.getsockname()[0])
    except OSError:
        pass
    return {_normal(n) for n in names if n}


def _normal(name: str) -> str:
    return name.strip().lower().rstrip(".")


def host_of(header: str) -> str:
    """The host of a ``Host`` header, without its port: ``[::1]:8765`` -> ``::1``."""
    header = header.strip()
    if header.startswith("["):
        return _normal(header[1:].partition("]")[0])
    if header.count(":") == 1:
        header = header.partition(":")[0]
    return _normal(header)


class HostGuard:
    """ASGI middleware: requests whose Host header is not allowed get 400 (websockets: closed)."""

    def __init__(self, app, allowed: set[str]):
        self.app, self.allowed = app, set(allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and "*" not in self.allowed:
            header = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if host_of(header) not in self.allowed:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                body = b"Invalid Host header: this dashboard answers only its own address\n"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def guard_uvicorn(allowed: set[str]) -> None:
    """Wrap whatever app uvicorn loads (Solara's) in a HostGuard, outermost."""
    import uvicorn.config

    load = uvicorn.config.Config.load

    def guarded_load(self) -> None:
        load(self)
        if not isinstance(self.loaded_app, HostGuard):
            self.loaded_app = HostGuard(self.loaded_app, allowed)

    uvicorn.config.Config.load = guarded_load


def main() -> None:
    allowed = {n for n in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if n}
    guard_uvicorn(allowed or set(LOCAL_NAMES))
    from solara.__main__ import main as solara_main

    sys.argv = ["solara", *sys.argv[1:]]
    solara_main()


if __name__ == "__main__":
    main()
