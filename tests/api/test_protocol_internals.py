"""api/protocol.py relies on uvicorn internals (issue 21, item 6): this fails when an upgrade
changes one of them, instead of the limits failing silently.

uvicorn and httptools are pinned exactly in pyproject.toml; this checks the installed versions
against the pins, each attribute listed in ``protocol.UVICORN_INTERNALS`` on live objects (a real
connection through uvicorn's own code), and the methods the subclass overrides or calls.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httptools
import pytest
import uvicorn
from uvicorn.protocols.http import flow_control, httptools_impl
from uvicorn.server import ServerState

from skinscan.api import protocol as protocol_module
from skinscan.api.edge_limits import HttpLimits
from skinscan.api.protocol import UVICORN_INTERNALS, GuardedHttpToolsProtocol

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _uvicorn_attributes_used() -> dict[str, set[str]]:
    """What GuardedHttpToolsProtocol's code reads or sets on uvicorn's objects, from its source:
    ``self.X`` that the class does not define itself, ``cycle.X``, ``self.flow.X``, ``self.server_state.X``."""
    tree = ast.parse(Path(inspect.getfile(protocol_module)).read_text())
    (cls,) = (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == GuardedHttpToolsProtocol.__name__)
    methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    used: dict[str, set[str]] = {"HttpToolsProtocol": set(), "RequestResponseCycle": set()}
    used |= {"FlowControl": set(), "ServerState": set()}
    own: set[str] = set()
    of_self = {"flow": "FlowControl", "server_state": "ServerState", "cycle": "RequestResponseCycle"}
    for node in ast.walk(cls):
        if not isinstance(node, ast.Attribute):
            continue
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            (own if isinstance(node.ctx, ast.Store) else used["HttpToolsProtocol"]).add(node.attr)
        elif isinstance(node.value, ast.Name) and node.value.id == "cycle":
            used["RequestResponseCycle"].add(node.attr)
        elif (
            isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "self"
            and node.value.attr in of_self
        ):
            used[of_self[node.value.attr]].add(node.attr)
    used["HttpToolsProtocol"] -= own | methods
    return used


def test_the_list_of_internals_names_every_one_the_code_uses() -> None:
    """Without this, a new use of an internal could slip past the checks below."""
    listed = {kind: set(names) for kind, names in UVICORN_INTERNALS.items()}
    assert _uvicorn_attributes_used() == listed


@pytest.mark.parametrize("package", ["uvicorn", "httptools"])
def test_installed_versions_are_the_pinned_ones(package: str) -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pins = [re.fullmatch(rf"{package}==([\w.]+)", entry) for entry in dependencies]
    pinned = [match.group(1) for match in pins if match]
    assert pinned == [version(package)], f"{package} must be pinned exactly (==) to the installed version"


def test_the_overridden_and_called_methods_exist_with_their_signatures() -> None:
    base = httptools_impl.HttpToolsProtocol
    for name in (
        "connection_made",
        "connection_lost",
        "data_received",
        "send_400_response",
        "on_message_begin",
        "on_url",
        "on_header",
        "on_headers_complete",
        "on_body",
        "on_message_complete",
    ):
        assert callable(getattr(base, name, None)), name
    assert list(inspect.signature(base.__init__).parameters)[:4] == ["self", "config", "server_state", "app_state"]
    assert list(inspect.signature(base.on_header).parameters) == ["self", "name", "value"]
    assert list(inspect.signature(base.send_400_response).parameters) == ["self", "msg"]
    assert hasattr(httptools.HttpRequestParser, "get_method")
    assert httptools.HttpParserError  # what our callbacks' refusals become
    assert uvicorn.Config.__init__  # the `http=` option takes a protocol factory
    assert "http" in inspect.signature(uvicorn.Config.__init__).parameters


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_the_internal_attributes_exist_on_live_objects() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def main() -> None:
        config = uvicorn.Config(app, http="httptools", lifespan="off", log_config=None)
        config.load()
        protocol = GuardedHttpToolsProtocol(
            config=config, server_state=ServerState(), app_state={}, limits=HttpLimits()
        )
        protocol.connection_made(_Transport())
        protocol.data_received(b"POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
        for name in UVICORN_INTERNALS["HttpToolsProtocol"]:
            assert hasattr(protocol, name), f"HttpToolsProtocol.{name}"
        assert protocol.cycle is not None
        for name in UVICORN_INTERNALS["RequestResponseCycle"]:
            assert hasattr(protocol.cycle, name), f"RequestResponseCycle.{name}"
        for name in UVICORN_INTERNALS["FlowControl"]:
            assert hasattr(protocol.flow, name), f"FlowControl.{name}"
        for name in UVICORN_INTERNALS["ServerState"]:
            assert hasattr(protocol.server_state, name), f"ServerState.{name}"
        assert isinstance(protocol.server_state.default_headers, list)
        assert isinstance(protocol.flow, flow_control.FlowControl)
        assert isinstance(protocol.cycle.message_event, asyncio.Event)
        assert protocol.headers is protocol.cycle.scope["headers"]  # why trailers must not be appended
        running = set(protocol.tasks)  # the app's task for this request (a set of tasks: len() is read)
        assert len(running) == 1
        protocol.data_received(b"cd")
        await asyncio.gather(*running)  # the app has answered: no sleep needed
        assert protocol.cycle.response_complete and b"200" in protocol.transport.written  # type: ignore[attr-defined]
        protocol.connection_lost(None)

    asyncio.run(main())
