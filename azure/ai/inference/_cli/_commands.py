# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""The commands `chat`, `image`, `info` and `emulator`, each run with the sync clients."""

from __future__ import annotations

import argparse
import base64
import json
import sys
from typing import Any

from ._common import EXIT_USAGE, PROG, Settings, text_argument


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    from .._patch import ChatCompletionsClient  # pylint: disable=import-outside-toplevel

    messages: list[dict[str, str]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": text_argument(args.question)})
    options = {"max_tokens": args.max_tokens, "temperature": args.temperature}
    options = {k: v for k, v in options.items() if v is not None}
    out = sys.stdout
    with settings.client(ChatCompletionsClient) as client:
        if args.no_stream:
            result = client.create(messages=messages, **options)
            if args.json:
                out.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n")
            else:
                out.write((result.choices[0].message.content or "") + "\n")
            return 0
        ends_line = True  # whether what stdout shows ends with a newline
        with client.create_streaming(messages=messages, **options) as stream:
            try:
                for update in stream:
                    if args.json:
                        out.write(json.dumps(update.as_dict(), ensure_ascii=False) + "\n")
                    elif update.choices and update.choices[0].delta.content:
                        text: str = update.choices[0].delta.content
                        out.write(text)
                        ends_line = text.endswith("\n")
                    out.flush()
            except KeyboardInterrupt:
                if not ends_line:  # the partial answer keeps its own line; `interrupted` goes below it
                    out.write("\n")
                    out.flush()
                raise
        if not args.json:
            out.write("\n")
    return 0


def run_image(args: argparse.Namespace, settings: Settings) -> int:
    from .._patch import ImageGenerationClient  # pylint: disable=import-outside-toplevel

    with settings.client(ImageGenerationClient) as client:
        options = {"quality": args.quality} if args.quality else {}
        result = client.create(prompt=text_argument(args.prompt), size=args.size, response_format="b64_json", **options)
    data = result.data[0].b64_json if result.data else None
    if not data:
        raise ValueError("the service answered without image data")
    image = data if isinstance(data, bytes) else base64.b64decode(data)
    if args.output == "-":
        sys.stdout.buffer.write(image)
        sys.stdout.flush()
    else:
        with open(args.output, "wb") as file:
            file.write(image)
        print(f"wrote {len(image)} bytes to {args.output}", file=sys.stderr)
    return 0


def run_info(args: argparse.Namespace, settings: Settings) -> int:
    from .._patch import ChatCompletionsClient  # pylint: disable=import-outside-toplevel

    with settings.client(ChatCompletionsClient) as client:
        info = client.get_model_info()
    data: dict[str, Any] = info.as_dict()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for name, value in data.items():
            print(f"{name}: {value}")
    return 0


def run_emulator(argv: list[str]) -> int:
    """`azure-ai-inference emulator ...`: `python -m inference_emulator ...`, the same options and the same code."""
    try:
        from inference_emulator.__main__ import main as emulator_main  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        print(
            f"{PROG}: error: the emulator is not installed ({exc}): pip install 'azure-ai-inference[emulator]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return emulator_main(argv, prog=f"{PROG} emulator")
