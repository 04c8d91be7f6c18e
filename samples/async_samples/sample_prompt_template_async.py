# ------------------------------------
# Copyright (c) Microsoft Corporation.
# Licensed under the MIT License.
# ------------------------------------
"""
DESCRIPTION:
    The async twin of sample_prompt_template.py.
    Build chat messages from a prompt template: a Prompty file (`sample_chat.prompty`: YAML front matter with the
    model's parameters, then role lines and mustache placeholders) or a template string.

USAGE:
    python samples/async_samples/sample_prompt_template_async.py

    AZURE_AI_CHAT_ENDPOINT, AZURE_AI_CHAT_KEY: your endpoint and key; without them the sample runs on the
    local emulator. Prompty files need the prompts extra (`pip install azure-ai-inference[prompts]`, PyYAML).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # makes samples/_endpoint.py importable
from _endpoint import SAMPLES_DIR, endpoint_and_key  # noqa: E402  # pylint: disable=wrong-import-position


async def main() -> None:
    endpoint, key = endpoint_and_key("CHAT")
    prompty_file = str(SAMPLES_DIR / "sample_chat.prompty")

    # [START prompt_template]
    from azure.ai.inference.aio import ChatCompletionsClient
    from azure.ai.inference.prompts import PromptTemplate
    from azure.core.credentials import AzureKeyCredential

    template = PromptTemplate.from_prompty(prompty_file)
    messages = template.create_messages(
        first_name="Ana",
        documents=[{"title": "Weather", "content": "Lisbon in May: 15 to 24 C, little rain."}],
        chat_history=[
            {"role": "user", "content": "I am going to Lisbon."},
            {"role": "assistant", "content": "Lovely! How can I help?"},
        ],
    )  # `question` comes from the file's sample data
    async with ChatCompletionsClient(endpoint=endpoint, credential=AzureKeyCredential(key)) as client:
        response = await client.create(messages=messages, **template.parameters)
        print(response.choices[0].message.content)

        inline = PromptTemplate.from_string("system:\nYou answer in {{language}}.\n\nuser:\n{{question}}")
        response = await client.create(messages=inline.create_messages(language="Portuguese", question="Hello?"))
        print(response.choices[0].message.content)
    # [END prompt_template]


if __name__ == "__main__":
    asyncio.run(main())
