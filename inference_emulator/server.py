# The HTTP server around the dispatcher: an aiohttp low-level server that counts open TCP connections,
# a coroutine that binds it (shared with the command line), and the thread-backed Emulator used by tests.
from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from .app import Handler, make_handler
from .faults import parse_fault
from .limits import MAX_REQUEST_BODY
from .state import DEFAULT_KEY, EmulatorState, RecordedRequest

__all__ = ["Emulator", "TrackingServer", "start_server", "MAX_REQUEST_BODY"]

SHUTDOWN_TIMEOUT = 0.5


class TrackingServer(web.Server):
    """aiohttp's low-level server, also keeping the set of connections currently open and a count of the
    connections accepted so far."""

    def __init__(self, handler: Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.open_handlers: set[RequestHandler] = set()
        self.accepted = 0

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        self.open_handlers.add(handler)
        self.accepted += 1

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        super().connection_lost(handler, exc)
        self.open_handlers.discard(handler)


async def start_server(
    state: EmulatorState, host: str, port: int, ssl_context: ssl.SSLContext | None = None
) -> tuple[web.ServerRunner, TrackingServer, str]:
    """Bind the emulator on host:port (0: any free port); returns the runner, the server and the base URL."""
    loop = asyncio.get_running_loop()

    def request_factory(message: Any, payload: Any, protocol: Any, writer: Any, task: Any) -> web.BaseRequest:
        return web.BaseRequest(message, payload, protocol, writer, task, loop, client_max_size=MAX_REQUEST_BODY)

    server = TrackingServer(
        make_handler(state), request_factory=request_factory, handler_cancellation=True, access_log=None
    )
    runner = web.ServerRunner(server, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    scheme = "https" if ssl_context is not None else "http"
    host_text = f"[{host}]" if ":" in host else host
    return runner, server, f"{scheme}://{host_text}:{bound_port}"


async def stop_server(runner: web.ServerRunner, server: TrackingServer) -> None:
    """Close the listener and every connection, then give the transports time to finish closing."""
    await runner.cleanup()
    deadline = time.monotonic() + SHUTDOWN_TIMEOUT
    while server.open_handlers and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0)


class Emulator:
    """A local Azure AI Model Inference endpoint running in a background thread.

    >>> with Emulator() as emu:
    ...     url = emu.url  # http://127.0.0.1:<port>
    """

    def __init__(
        self,
        key: str = DEFAULT_KEY,
        *,
        model_type: str = "chat",
        ssl_context: ssl.SSLContext | None = None,
        fault: str | None = None,
        latency: float = 0.0,
        openai_compatible: bool = False,
        deployments: Iterable[str] | None = None,
    ) -> None:
        if fault is not None:
            parse_fault(fault)  # raises FaultSpecError for an unknown fault
        self._state = EmulatorState(
            key, model_type, fault, openai_compatible=openai_compatible, deployments=deployments
        )
        self.latency = latency
        self.key = key
        self.model_type = model_type
        self.ssl_context = ssl_context
        self._lifecycle = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: TrackingServer | None = None
        self._url: str | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on 127.0.0.1 (a free port) and return the base URL; a no-op when already running."""
        with self._lifecycle:
            if self._thread is not None and self._url is not None:
                return self._url
            ready = threading.Event()
            failure: list[BaseException] = []
            thread = threading.Thread(target=self._run, args=(ready, failure), name="inference-emulator", daemon=True)
            thread.start()
            ready.wait()
            if failure:
                thread.join()
                raise failure[0]
            self._thread = thread
            assert self._url is not None
            return self._url

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        try:
            try:
                runner, server, url = loop.run_until_complete(
                    start_server(self._state, "127.0.0.1", 0, self.ssl_context)
                )
            except BaseException as exc:
                failure.append(exc)
                return
            self._loop, self._server, self._url = loop, server, url
            ready.set()
            loop.run_forever()
            loop.run_until_complete(stop_server(runner, server))
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
            ready.set()

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call more than once."""
        with self._lifecycle:
            thread, loop = self._thread, self._loop
            if thread is None or loop is None:
                return
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            self._thread = None
            self._loop = None
            self._server = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- observation --------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:54321 (the last one, once stopped)."""
        if self._url is None:
            raise RuntimeError("the emulator has not been started; call start() or use it as a context manager")
        return self._url

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (the live list; `clear()` empties it)."""
        return self._state.requests

    def clear(self) -> None:
        """Forget the recorded requests."""
        self._state.clear()

    @property
    def fault(self) -> str | None:
        """The fault applied to every request that names none (`x-emulator-fault` or `/fault/...` win)."""
        return self._state.fault

    @fault.setter
    def fault(self, spec: str | None) -> None:
        if spec is not None:
            parse_fault(spec)
        self._state.fault = spec

    @property
    def latency(self) -> float:
        """Seconds every request waits, after it is recorded and before it is answered (0: none)."""
        return self._state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if not isinstance(seconds, (int, float)) or not 0 <= seconds <= 3600:
            raise ValueError(f"latency must be a number of seconds between 0 and 3600, got {seconds!r}")
        self._state.latency = float(seconds)

    def release_streams(self) -> None:
        """Let the streams the `hold-stream` fault holds go on (those that start later are held again)."""
        self._state.release_streams()

    def reset_faults(self) -> None:
        """Forget how many times each counted fault has fired."""
        self._state.counters.reset()

    @property
    def open_connections(self) -> int:
        """TCP connections currently open on the server side."""
        server = self._server
        return len(server.open_handlers) if server is not None else 0

    @property
    def accepted_connections(self) -> int:
        """TCP connections accepted since the emulator started (a client that reuses its connections opens few)."""
        server = self._server
        return server.accepted if server is not None else 0

    def wait_for_open_connections(self, n: int, timeout: float = 5.0, *, at_most: bool = False) -> bool:
        """Poll until exactly `n` connections are open (`at_most=True`: `n` or fewer); False when `timeout`
        seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            count = self.open_connections
            if count == n or (at_most and count < n):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    @staticmethod
    def fault_header(name: str, **params: Any) -> dict[str, str]:
        """The `x-emulator-fault` header for a fault, e.g. fault_header("status-then-ok", status=503, count=2)."""
        text = ";".join([name] + [f"{key}={value}" for key, value in params.items()])
        parse_fault(text)  # raises FaultSpecError for an unknown fault
        return {"x-emulator-fault": text}
