# Command line: `python -m inference_emulator [--host H] [--port P] [--key K] [--model-type T]
# [--fault SPEC] [--latency S] [--openai-compatible] [--deployment NAME ...] [--tls-cert F --tls-key F]`
# serves in the foreground until Ctrl-C or SIGTERM, then exits with code 0. `azure-ai-inference emulator` is this
# same command: it hands its arguments to `main`.
from __future__ import annotations

import argparse
import asyncio
import signal
import ssl
import sys
from collections.abc import Sequence

from .faults import FaultSpecError, parse_fault
from .server import start_server, stop_server
from .state import DEFAULT_KEY, MODEL_TYPES, EmulatorState


PROG = "python -m inference_emulator"


def _parse_args(argv: Sequence[str] | None, prog: str = PROG) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog, description="Serve a local Azure AI Model Inference endpoint emulator.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free port (default)")
    parser.add_argument("--key", default=DEFAULT_KEY, help=f"the accepted key (default {DEFAULT_KEY!r})")
    # The spelling `azure-ai-inference emulator` once had, kept working.
    parser.add_argument("--emulator-key", dest="key", help=argparse.SUPPRESS)
    parser.add_argument("--model-type", default="chat", choices=sorted(MODEL_TYPES), help="what /info reports")
    parser.add_argument(
        "--fault", help="a fault applied to every request that names none, e.g. 'rate-limit;count=3' (see FAULTS)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds every request waits before it is answered (default 0)"
    )
    parser.add_argument(
        "--openai-compatible", action="store_true", help="serve /v1/... without an api-version, as llama.cpp does"
    )
    parser.add_argument("--deployment", action="append", help="an Azure OpenAI deployment name (default: any)")
    parser.add_argument("--tls-cert", help="PEM certificate file; serve https")
    parser.add_argument("--tls-key", help="PEM private key file for --tls-cert")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    if not 0 <= args.latency <= 3600:
        parser.error("--latency must be between 0 and 3600 seconds")
    if args.fault is not None:
        try:
            parse_fault(args.fault)
        except FaultSpecError as exc:
            parser.error(str(exc))
    return args


async def _serve(args: argparse.Namespace) -> None:
    ssl_context: ssl.SSLContext | None = None
    if args.tls_cert:
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(args.tls_cert, args.tls_key)
    state = EmulatorState(
        args.key, args.model_type, args.fault, openai_compatible=args.openai_compatible, deployments=args.deployment
    )
    state.latency = args.latency
    runner, server, url = await start_server(state, args.host, args.port, ssl_context)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stopping.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - platforms without signal support
            pass
    print(f"Emulator listening on {url}", flush=True)
    try:
        await stopping.wait()
    finally:
        await stop_server(runner, server)


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Serve until Ctrl-C or SIGTERM; `prog` names the command in usage and error messages."""
    args = _parse_args(argv, prog)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:  # pragma: no cover - only where signal handlers are unavailable
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
