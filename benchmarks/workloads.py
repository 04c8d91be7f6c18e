"""The measured work, one benchmark and one implementation per process.

`run.py` starts this script in a fresh interpreter for every repetition:

    python benchmarks/workloads.py BENCH IMPL --port PORT [--calls N --batches B --warmup W ...]

BENCH is one of `chat`, `stream`, `streams`, `stream_reuse`, `emb_float`, `emb_base64`, `async`, `first_call`
(`streams`: `--streams` streams of `--chunks` chunks each, per chunk; `stream_reuse`: `--streams` streams in a
row on one client, counting the TCP connections the server accepted for them); IMPL is `ours`
(azure.ai.inference), `floor` (hand-written: http.client + json for sync, aiohttp for async), `openai`, `b9`
(the retired azure-ai-inference 1.0.0b9, in an interpreter that has it installed instead of this package), or
`ours_noenv` (ours constructed with `use_env_settings=False`, for the what-if run of `run.py --profile`).
It prints one JSON line: per-operation process CPU time and wall time (the median of the batches), the
share of the wall time the server spent on the CPU (with `--server-pid`), the process's peak RSS, and the
samples. With `--profile`, the batches also run under cProfile and the line carries the top functions.

Only the implementation being measured is imported, so the peak RSS of a process is that implementation's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from typing import Any, Awaitable, Callable, NamedTuple, Optional

KEY = "bench-key"
API_VERSION = "2024-04-01-preview"
CHAT_PATH = "/v1/chat/completions?api-version=" + API_VERSION
EMBEDDINGS_PATH = "/v1/embeddings?api-version=" + API_VERSION
MODEL = "gpt-4o-mini"
EMBEDDINGS_MODEL = "text-embedding-3-small"
SYSTEM = "You are a helpful assistant. Answer in two sentences."
USER = "How many feet are in a mile?"
EMBEDDINGS_INPUT = [f"Sentence number {i} of the benchmark, about the weather in spring." for i in range(16)]
EMBEDDING_COUNT, EMBEDDING_DIMENSIONS = 16, 1024
ANSWER_START = "There are 5,280 feet"

BENCHES = ("chat", "stream", "streams", "stream_reuse", "emb_float", "emb_base64", "async", "first_call")


class Target(NamedTuple):
    """Where the benchmark server listens."""

    port: int
    client_options: dict[str, Any] = {}  # extra keywords for our clients' constructors (variants)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


IMPLS = ("ours", "floor", "openai", "b9", "ours_noenv")
# Variants of our client, for what-if measurements: the client options they add.
VARIANTS: dict[str, dict[str, Any]] = {"ours_noenv": {"use_env_settings": False}}


def floor_headers() -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": "Bearer " + KEY,
        "api-key": KEY,
    }


def chat_body(stream: bool = False) -> bytes:
    body: dict[str, Any] = {
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}],
        "model": MODEL,
    }
    if stream:
        body["stream"] = True
    return json.dumps(body, separators=(",", ":")).encode()


def embeddings_body(encoding_format: str) -> bytes:
    body = {"input": EMBEDDINGS_INPUT, "encoding_format": encoding_format, "model": EMBEDDINGS_MODEL}
    return json.dumps(body, separators=(",", ":")).encode()


Runner = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]
"""What an async benchmark does with an implementation's `call`: warm up, then measure batches."""


class WrongAnswer(AssertionError):
    pass


def check_answer(content: Any) -> None:
    if not isinstance(content, str) or not content.startswith(ANSWER_START):
        raise WrongAnswer(f"unexpected chat answer: {content!r:.80}")


def check_vectors(vectors: Any) -> None:
    if len(vectors) != EMBEDDING_COUNT:
        raise WrongAnswer(f"expected {EMBEDDING_COUNT} vectors, got {len(vectors)}")
    for vector in vectors:
        if not isinstance(vector, list) or len(vector) != EMBEDDING_DIMENSIONS or not isinstance(vector[0], float):
            raise WrongAnswer(f"a vector is not a list of {EMBEDDING_DIMENSIONS} floats: {type(vector).__name__}")


# ---------------------------------------------------------------------------------------------- ours


def ours_chat(target: Target) -> tuple[Callable[[], Any], Callable[[], None]]:
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(target.endpoint, AzureKeyCredential(KEY), **target.client_options)

    def call() -> str:
        result = client.create(messages=[SystemMessage(SYSTEM), UserMessage(USER)], model=MODEL)
        return result.choices[0].message.content

    return call, client.close


def ours_stream(target: Target) -> tuple[Callable[[int], int], Callable[[], None]]:
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(target.endpoint, AzureKeyCredential(KEY), **target.client_options)

    def stream(n: int) -> int:
        count = 0
        with client.create_streaming(
            messages=[SystemMessage(SYSTEM), UserMessage(USER)], model=MODEL, headers={"x-bench-chunks": str(n)}
        ) as updates:
            for update in updates:
                update.choices[0].delta.content  # pylint: disable=expression-not-assigned
                count += 1
        return count

    return stream, client.close


def ours_embeddings(target: Target, encoding_format: str) -> tuple[Callable[[], Any], Callable[[], None]]:
    from azure.ai.inference import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    client = EmbeddingsClient(target.endpoint, AzureKeyCredential(KEY), **target.client_options)

    def call() -> list:
        result = client.create(input=EMBEDDINGS_INPUT, encoding_format=encoding_format, model=EMBEDDINGS_MODEL)
        return [item.embedding for item in result.data]

    return call, client.close


async def ours_async(target: Target, run: Runner) -> Any:
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    async with ChatCompletionsClient(target.endpoint, AzureKeyCredential(KEY), **target.client_options) as client:

        async def call() -> str:
            result = await client.create(messages=[SystemMessage(SYSTEM), UserMessage(USER)], model=MODEL)
            return result.choices[0].message.content

        return await run(call)


def ours_first_call(target: Target) -> Callable[[], Any]:
    import azure.ai.inference  # noqa: F401  (imports are not part of the first call)
    import azure.ai.inference.models  # noqa: F401
    import azure.core.credentials  # noqa: F401

    def first() -> str:
        from azure.ai.inference import ChatCompletionsClient
        from azure.ai.inference.models import SystemMessage, UserMessage
        from azure.core.credentials import AzureKeyCredential

        client = ChatCompletionsClient(target.endpoint, AzureKeyCredential(KEY), **target.client_options)
        result = client.create(messages=[SystemMessage(SYSTEM), UserMessage(USER)], model=MODEL)
        return result.choices[0].message.content

    return first


# ---------------------------------------------------------------------------------------------- floor


def floor_chat(target: Target) -> tuple[Callable[[], Any], Callable[[], None]]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", target.port)
    headers = floor_headers()

    def call() -> str:
        conn.request("POST", CHAT_PATH, chat_body(), headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise WrongAnswer(f"status {response.status}")
        return json.loads(body)["choices"][0]["message"]["content"]

    return call, conn.close


def floor_stream(target: Target) -> tuple[Callable[[int], int], Callable[[], None]]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", target.port)

    def stream(n: int) -> int:
        headers = floor_headers()
        headers["Accept"] = "text/event-stream"
        headers["x-bench-chunks"] = str(n)
        conn.request("POST", CHAT_PATH, chat_body(stream=True), headers)
        response = conn.getresponse()
        if response.status != 200:
            raise WrongAnswer(f"status {response.status}")
        count = 0
        pending = b""
        done = False
        while not done:
            data = response.read1(65536)
            if not data:
                break
            *events, pending = (pending + data).split(b"\n\n")
            for event in events:
                if event.startswith(b"data: "):
                    payload = event[6:]
                    if payload == b"[DONE]":
                        done = True
                        break
                    # decoded first: json.loads on bytes would add its encoding detection, work ours does not do
                    json.loads(payload.decode())["choices"][0]["delta"].get("content")
                    count += 1
        response.read()  # the end of the chunked body, so that the connection can be reused
        return count

    return stream, conn.close


def floor_embeddings(target: Target, encoding_format: str) -> tuple[Callable[[], Any], Callable[[], None]]:
    import base64
    import http.client
    from array import array

    conn = http.client.HTTPConnection("127.0.0.1", target.port)
    headers = floor_headers()
    big_endian = sys.byteorder == "big"

    def call() -> list:
        conn.request("POST", EMBEDDINGS_PATH, embeddings_body(encoding_format), headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise WrongAnswer(f"status {response.status}")
        items = json.loads(body)["data"]
        if encoding_format != "base64":
            return [item["embedding"] for item in items]
        vectors = []
        for item in items:
            values = array("f", base64.b64decode(item["embedding"]))
            if big_endian:
                values.byteswap()
            vectors.append(values.tolist())
        return vectors

    return call, conn.close


async def floor_async(target: Target, concurrency: int, run: Runner) -> Any:
    import aiohttp

    url = target.endpoint + CHAT_PATH
    headers = floor_headers()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def call() -> str:
            async with session.post(url, data=chat_body(), headers=headers) as response:
                body = await response.read()
                if response.status != 200:
                    raise WrongAnswer(f"status {response.status}")
            return json.loads(body)["choices"][0]["message"]["content"]

        return await run(call)


def floor_first_call(target: Target) -> Callable[[], Any]:
    import http.client

    def first() -> str:
        conn = http.client.HTTPConnection("127.0.0.1", target.port)
        conn.request("POST", CHAT_PATH, chat_body(), floor_headers())
        response = conn.getresponse()
        content = json.loads(response.read())["choices"][0]["message"]["content"]
        conn.close()
        return content

    return first


# ---------------------------------------------------------------------------------------------- openai


def _openai_messages() -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]


def openai_chat(target: Target) -> tuple[Callable[[], Any], Callable[[], None]]:
    import openai

    client = openai.OpenAI(base_url=target.endpoint + "/v1", api_key=KEY)

    def call() -> str:
        result = client.chat.completions.create(model=MODEL, messages=_openai_messages())
        return result.choices[0].message.content

    return call, client.close


def openai_stream(target: Target) -> tuple[Callable[[int], int], Callable[[], None]]:
    import openai

    client = openai.OpenAI(base_url=target.endpoint + "/v1", api_key=KEY)

    def stream(n: int) -> int:
        count = 0
        with client.chat.completions.create(
            model=MODEL, messages=_openai_messages(), stream=True, extra_headers={"x-bench-chunks": str(n)}
        ) as chunks:
            for chunk in chunks:
                chunk.choices[0].delta.content  # pylint: disable=expression-not-assigned
                count += 1
        return count

    return stream, client.close


def openai_embeddings(target: Target, encoding_format: str) -> tuple[Callable[[], Any], Callable[[], None]]:
    import openai

    client = openai.OpenAI(base_url=target.endpoint + "/v1", api_key=KEY)
    # Without encoding_format the client asks for base64 itself and returns lists of floats; with "base64"
    # it would hand back the strings undecoded. So the base64 row leaves it out.
    extra = {"encoding_format": "float"} if encoding_format == "float" else {}

    def call() -> list:
        result = client.embeddings.create(model=EMBEDDINGS_MODEL, input=EMBEDDINGS_INPUT, **extra)
        return [item.embedding for item in result.data]

    return call, client.close


async def openai_async(target: Target, run: Runner) -> Any:
    import openai

    async with openai.AsyncOpenAI(base_url=target.endpoint + "/v1", api_key=KEY) as client:

        async def call() -> str:
            result = await client.chat.completions.create(model=MODEL, messages=_openai_messages())
            return result.choices[0].message.content

        return await run(call)


def openai_first_call(target: Target) -> Callable[[], Any]:
    import openai  # noqa: F401  (imports are not part of the first call)

    def first() -> str:
        client = openai.OpenAI(base_url=target.endpoint + "/v1", api_key=KEY)
        result = client.chat.completions.create(model=MODEL, messages=_openai_messages())
        return result.choices[0].message.content

    return first


# ---------------------------------------------------------------------------------------------- 1.0.0b9
# The retired 1.0.0b9 release has our import name, so it runs in an interpreter of its own (`run.py --b9-python`).
# Its streamed updates may have no choices, and its base64 embeddings come back as strings: decoded here the way
# the floor decodes them, so that every column does the same work.


def b9_chat(target: Target) -> tuple[Callable[[], Any], Callable[[], None]]:
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(endpoint=target.endpoint, credential=AzureKeyCredential(KEY))

    def call() -> str:
        result = client.complete(messages=[SystemMessage(content=SYSTEM), UserMessage(content=USER)], model=MODEL)
        return result.choices[0].message.content

    return call, client.close


def b9_stream(target: Target) -> tuple[Callable[[int], int], Callable[[], None]]:
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(endpoint=target.endpoint, credential=AzureKeyCredential(KEY))

    def stream(n: int) -> int:
        count = 0
        updates = client.complete(
            messages=[SystemMessage(content=SYSTEM), UserMessage(content=USER)],
            model=MODEL,
            stream=True,
            headers={"x-bench-chunks": str(n)},
        )
        with updates:
            for update in updates:
                if update.choices:
                    update.choices[0].delta.content  # pylint: disable=expression-not-assigned
                count += 1
        return count

    return stream, client.close


def b9_embeddings(target: Target, encoding_format: str) -> tuple[Callable[[], Any], Callable[[], None]]:
    import base64
    from array import array

    from azure.ai.inference import EmbeddingsClient
    from azure.core.credentials import AzureKeyCredential

    client = EmbeddingsClient(endpoint=target.endpoint, credential=AzureKeyCredential(KEY))

    def call() -> list:
        result = client.embed(input=EMBEDDINGS_INPUT, model=EMBEDDINGS_MODEL, encoding_format=encoding_format)
        if encoding_format == "base64":
            return [array("f", base64.b64decode(item.embedding)).tolist() for item in result.data]
        return [item.embedding for item in result.data]

    return call, client.close


async def b9_async(target: Target, run: Runner) -> Any:
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    async with ChatCompletionsClient(endpoint=target.endpoint, credential=AzureKeyCredential(KEY)) as client:

        async def call() -> str:
            messages = [SystemMessage(content=SYSTEM), UserMessage(content=USER)]
            result = await client.complete(messages=messages, model=MODEL)
            return result.choices[0].message.content

        return await run(call)


def b9_first_call(target: Target) -> Callable[[], Any]:
    from azure.ai.inference import ChatCompletionsClient
    from azure.ai.inference.models import SystemMessage, UserMessage
    from azure.core.credentials import AzureKeyCredential

    def first() -> str:
        client = ChatCompletionsClient(endpoint=target.endpoint, credential=AzureKeyCredential(KEY))
        result = client.complete(messages=[SystemMessage(content=SYSTEM), UserMessage(content=USER)], model=MODEL)
        return result.choices[0].message.content

    return first


# ---------------------------------------------------------------------------------------------- measuring


SERVER_PID: Optional[int] = None


def server_cpu_seconds() -> float:
    """CPU time used so far by the benchmark server (Linux /proc; 0 when unknown)."""
    if SERVER_PID is None:
        return 0.0
    try:
        with open(f"/proc/{SERVER_PID}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Process CPU time and wall time of one stretch of work (and the server's CPU time meanwhile)."""

    def __enter__(self) -> "Clock":
        self.server0 = server_cpu_seconds()
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cpu = time.process_time() - self.cpu0
        self.wall = time.perf_counter() - self.wall0
        self.server = server_cpu_seconds() - self.server0


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Profiler:
    """cProfile around the measured batches when asked for, a no-op otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.profile = None
        if enabled:
            import cProfile

            self.profile = cProfile.Profile()

    def __enter__(self) -> "Profiler":
        if self.profile is not None:
            self.profile.enable()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.profile is not None:
            self.profile.disable()


def measure_sync(call: Callable[[], Any], args: argparse.Namespace, profiler: Profiler, check: Callable) -> dict:
    for _ in range(args.warmup):
        check(call())
    samples = []
    for _ in range(args.batches):
        with profiler, Clock() as clock:
            for _ in range(args.calls):
                call()
        samples.append((clock.cpu / args.calls, clock.wall / args.calls, clock.server / clock.wall))
    check(call())
    return {"ops_per_batch": args.calls, "samples": samples}


def measure_stream(stream: Callable[[int], int], args: argparse.Namespace, profiler: Profiler) -> dict:
    if args.warmup:
        got = stream(args.warmup)
        if got != args.warmup:
            raise WrongAnswer(f"expected {args.warmup} updates, got {got}")
    samples = []
    for _ in range(args.batches):
        with profiler, Clock() as clock:
            got = stream(args.chunks)
        if got != args.chunks:
            raise WrongAnswer(f"expected {args.chunks} updates, got {got}")
        samples.append((clock.cpu / args.chunks, clock.wall / args.chunks, clock.server / clock.wall))
    return {"ops_per_batch": args.chunks, "samples": samples}


def measure_streams(stream: Callable[[int], int], args: argparse.Namespace, profiler: Profiler) -> dict:
    """Many short streams: `args.streams` streams of `args.chunks` chunks per batch; figures per chunk."""
    stream(args.chunks)
    samples = []
    chunks = args.streams * args.chunks
    for _ in range(args.batches):
        with profiler, Clock() as clock:
            for _ in range(args.streams):
                got = stream(args.chunks)
                if got != args.chunks:
                    raise WrongAnswer(f"expected {args.chunks} updates, got {got}")
        samples.append((clock.cpu / chunks, clock.wall / chunks, clock.server / clock.wall))
    return {"ops_per_batch": chunks, "samples": samples}


def accepted_connections(port: int) -> Callable[[], int]:
    """A reader of the server's count of accepted connections, over one connection of its own (counted once,
    before the first reading)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port)

    def read() -> int:
        conn.request("GET", "/bench/connections")
        return int(json.loads(conn.getresponse().read())["accepted"])

    read()
    return read


def measure_reuse(stream: Callable[[int], int], args: argparse.Namespace) -> dict:
    """`args.streams` streams in a row on one client: how many connections the server accepted for them."""
    accepted = accepted_connections(args.port)
    before = accepted()
    with Clock() as clock:
        for _ in range(args.streams):
            if stream(args.chunks) != args.chunks:
                raise WrongAnswer(f"expected {args.chunks} updates")
    connections = accepted() - before
    per_stream = (clock.cpu / args.streams, clock.wall / args.streams, clock.server / clock.wall)
    return {"ops_per_batch": args.streams, "samples": [per_stream], "connections": connections}


def async_runner(
    args: argparse.Namespace, profiler: Profiler
) -> Callable[[Callable[[], Awaitable[Any]]], Awaitable[dict]]:
    """What to do with an implementation's `call`: warm up, then batches of `calls` with `concurrency` in flight."""

    import asyncio

    async def drive(call: Callable[[], Awaitable[Any]], total: int) -> None:
        remaining = total

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                check_answer(await call())

        await asyncio.gather(*(worker() for _ in range(min(args.concurrency, total))))

    async def run(call: Callable[[], Awaitable[Any]]) -> dict:
        await drive(call, args.warmup)
        samples = []
        for _ in range(args.batches):
            with profiler, Clock() as clock:
                await drive(call, args.calls)
            samples.append((clock.cpu / args.calls, clock.wall / args.calls, clock.server / clock.wall))
        return {"ops_per_batch": args.calls, "samples": samples}

    return run


SYNC_CALLS: dict[str, dict[str, Callable[..., tuple[Callable[[], Any], Callable[[], None]]]]] = {
    "chat": {"ours": ours_chat, "floor": floor_chat, "openai": openai_chat, "b9": b9_chat},
    "emb_float": {"ours": ours_embeddings, "floor": floor_embeddings, "openai": openai_embeddings, "b9": b9_embeddings},
    "emb_base64": {
        "ours": ours_embeddings,
        "floor": floor_embeddings,
        "openai": openai_embeddings,
        "b9": b9_embeddings,
    },
}
STREAMS: dict[str, Callable[[Target], tuple[Callable[[int], int], Callable[[], None]]]] = {
    "ours": ours_stream,
    "floor": floor_stream,
    "openai": openai_stream,
    "b9": b9_stream,
}
FIRST_CALLS: dict[str, Callable[[Target], Callable[[], Any]]] = {
    "ours": ours_first_call,
    "floor": floor_first_call,
    "openai": openai_first_call,
    "b9": b9_first_call,
}


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    bench, impl = args.bench, args.impl
    target = Target(args.port, VARIANTS.get(impl, {}))
    if impl in VARIANTS:
        impl = "ours"
    profiler = Profiler(args.profile)
    close: Optional[Callable[[], None]] = None
    result: dict[str, Any]

    if bench == "first_call":
        first = FIRST_CALLS[impl](target)
        with profiler, Clock() as clock:
            content = first()
        check_answer(content)
        result = {"ops_per_batch": 1, "samples": [(clock.cpu, clock.wall, clock.server / clock.wall)]}
    elif bench == "chat":
        call, close = SYNC_CALLS[bench][impl](target)
        result = measure_sync(call, args, profiler, check_answer)
    elif bench in ("emb_float", "emb_base64"):
        call, close = SYNC_CALLS[bench][impl](target, "float" if bench == "emb_float" else "base64")
        result = measure_sync(call, args, profiler, check_vectors)
    elif bench == "stream":
        stream, close = STREAMS[impl](target)
        result = measure_stream(stream, args, profiler)
    elif bench == "streams":
        stream, close = STREAMS[impl](target)
        result = measure_streams(stream, args, profiler)
    elif bench == "stream_reuse":
        stream, close = STREAMS[impl](target)
        result = measure_reuse(stream, args)
    elif bench == "async":
        import asyncio

        run = async_runner(args, profiler)
        if impl == "floor":
            result = asyncio.run(floor_async(target, args.concurrency, run))
        else:
            result = asyncio.run({"ours": ours_async, "openai": openai_async, "b9": b9_async}[impl](target, run))
    else:
        raise SystemExit(f"unknown benchmark {bench!r}")

    if close is not None:
        close()
    cpu = median([s[0] for s in result["samples"]])
    wall = median([s[1] for s in result["samples"]])
    server_busy = median([s[2] for s in result["samples"]])
    out = {
        "bench": bench,
        "impl": args.impl,
        "cpu": cpu,
        "wall": wall,
        "server_busy": server_busy,
        "peak_rss_mb": peak_rss_mb(),
        **result,
    }
    if profiler.profile is not None:
        out["profile"] = profile_entries(profiler.profile, result["ops_per_batch"] * len(result["samples"]))
    return out


# ---------------------------------------------------------------------------------------------- profiles


def short_path(filename: str) -> str:
    """A file name without the machine-specific prefix: `azure/core/...`, `stdlib/json/...`."""
    for marker in ("site-packages/", "/benchmarks/", "lib/python3."):
        index = filename.find(marker)
        if index >= 0:
            rest = filename[index + len(marker) :]
            if marker == "lib/python3.":
                rest = "stdlib/" + rest.split("/", 1)[-1]
            elif marker == "/benchmarks/":
                rest = "benchmarks/" + rest
            return rest
    index = filename.find("/azure/ai/inference/")  # the library itself, wherever it is checked out
    if index >= 0:
        return filename[index + 1 :]
    return filename


_SYSCALLS = ("socket", "select", "epoll", "ssl")
_C_BUILTINS = "C builtins (isinstance, b64decode, bytes.join, ...)"


def group_of(path: str, name: str) -> str:
    """Where a function's own time goes, coarsely: a package, a file of ours, or a kind of builtin."""
    if path == "~":
        return "socket I/O (syscalls)" if any(s in name for s in _SYSCALLS) else _C_BUILTINS
    if path.startswith("azure/ai/inference/"):
        return "azure.ai.inference: " + path[len("azure/ai/inference/") :]
    if path.startswith("azure/core/"):
        parts = path.split("/")
        return "azure.core: " + "/".join(parts[2:-1] or [parts[-1]])
    if path.startswith("stdlib/"):
        return "stdlib: " + path.split("/")[1].removesuffix(".py")
    if path.startswith("<frozen "):
        module = path[len("<frozen ") :].split(">")[0]
        return "import system" if module.startswith("importlib") else "stdlib: " + module
    if path.startswith("benchmarks/"):
        return "benchmark harness"
    if path.startswith("<"):
        return "generated code (" + path + ")"
    return path.split("/")[0]


# Functions whose cumulative time tells the stages of a call apart (matched by file and name, not line).
STAGE_FUNCTIONS = (
    ("benchmarks/workloads.py", "call"),
    ("benchmarks/workloads.py", "stream"),
    ("benchmarks/workloads.py", "first"),
    ("azure/ai/inference/_chat.py", "__init__"),
    ("azure/ai/inference/_chat.py", "create"),
    ("azure/ai/inference/_embeddings.py", "create"),
    ("azure/ai/inference/aio/_chat.py", "create"),
    ("azure/ai/inference/_core/settings.py", "request"),
    ("azure/core/pipeline/_base.py", "run"),
    ("azure/core/pipeline/_base_async.py", "run"),
    ("azure/core/pipeline/transport/_requests_basic.py", "send"),
    ("azure/core/pipeline/transport/_aiohttp.py", "send"),
    ("azure/core/pipeline/policies/_universal.py", "deserialize_from_http_generics"),
    ("azure/ai/inference/_core/results.py", "read_json"),
    ("azure/ai/inference/_core/results.py", "chat_completions"),
    ("azure/ai/inference/_core/results.py", "embeddings_result"),
    ("azure/ai/inference/_streaming.py", "__next__"),
    ("azure/core/rest/_http_response_impl.py", "iter_bytes"),
    ("azure/ai/inference/_core/sse.py", "feed"),
    ("azure/ai/inference/_core/stream.py", "event_to_update"),
    ("stdlib/json/__init__.py", "loads"),
    ("azure/ai/inference/models/_patch.py", "choices"),
    ("azure/ai/inference/models/_patch.py", "delta"),
    ("azure/ai/inference/models/_patch.py", "content"),
    ("<frozen importlib._bootstrap>", "_find_and_load"),
)


def profile_entries(profile: Any, ops: int, top: int = 25) -> dict[str, Any]:
    """The top functions by own time and by cumulative time, and own time by package, per operation (µs)."""
    import pstats

    stats = pstats.Stats(profile)
    rows = []
    groups: dict[str, float] = {}
    stages: dict[str, float] = {}
    wanted = set(STAGE_FUNCTIONS)
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore
        path = short_path(filename)
        if (path, name) in wanted:
            key = f"{path}:{name}"
            stages[key] = max(stages.get(key, 0.0), cumtime / ops * 1e6)
        where = f"{path}:{line}" if filename != "~" else "builtin"
        own = tottime / ops * 1e6
        rows.append(
            {
                "function": f"{where}({name})",
                "calls_per_op": ncalls / ops,
                "own_us": own,
                "cum_us": cumtime / ops * 1e6,
            }
        )
        group = group_of(path if filename != "~" else "~", name)
        groups[group] = groups.get(group, 0.0) + own
    total = sum(r["own_us"] for r in rows)
    return {
        "ops": ops,
        "total_us": total,
        "by_own": sorted(rows, key=lambda r: -r["own_us"])[:top],
        "by_cum": sorted(rows, key=lambda r: -r["cum_us"])[:top],
        "by_group": sorted(({"group": k, "own_us": v} for k, v in groups.items()), key=lambda r: -r["own_us"]),
        "stages": stages,
    }


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="Run one benchmark in this process and print one JSON line.")
    parser.add_argument("bench", choices=BENCHES)
    parser.add_argument("impl", choices=IMPLS)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--calls", type=int, default=100, help="operations per measured batch")
    parser.add_argument("--batches", type=int, default=5, help="measured batches (the median is reported)")
    parser.add_argument("--warmup", type=int, default=20, help="operations (for stream: chunks) before measuring")
    parser.add_argument("--chunks", type=int, default=10_000, help="chunks per measured stream")
    parser.add_argument("--streams", type=int, default=100, help="streams per batch (streams, stream_reuse)")
    parser.add_argument("--concurrency", type=int, default=64, help="async calls in flight")
    parser.add_argument("--profile", action="store_true", help="run the batches under cProfile")
    parser.add_argument("--server-pid", type=int, help="the server's process id, to report its CPU share")
    args = parser.parse_args(argv)
    global SERVER_PID  # pylint: disable=global-statement
    SERVER_PID = args.server_pid
    out = run_bench(args)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
