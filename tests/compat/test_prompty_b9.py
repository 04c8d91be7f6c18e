"""`PromptTemplate` as 1.0.0b9 code uses it: `template.prompty` is a `Prompty` object (`.model.configuration`,
`.name`, `.inputs`, ..., `to_safe_dict()` with secrets masked), and `{{var}}` values are HTML-escaped while
`{{{var}}}` and `{{& var}}` stay raw; the escaped text is what reaches the service, sync and async."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azure.ai.inference.prompts import ModelSettings, PromptTemplate, PropertySettings, Prompty, TemplateSettings

pytestmark = pytest.mark.timeout(60)

HOTEL = """---
name: Hotel assistant
description: Answers guests' questions from the hotel's rules.
authors:
  - Ana
  - Bo
tags: [hotel, chat]
version: 1.2
model:
  api: chat
  configuration:
    type: azure_openai
    azure_deployment: gpt-4o-mini
    api_version: mock-api-version
    api_key: test_key
    api_secret: test_secret
    connection_string: Endpoint=sb://x;SharedAccessKey=abc
    admin_password: hunter2
    nested:
      token: t0k3n
      region: westeurope
  parameters:
    temperature: 1
    frequency_penalty: 0.5
    presence_penalty: 0.5
  response: first
inputs:
  input:
    type: string
    description: The guest's question
  rules:
    type: array
    default: []
outputs:
  answer:
    type: string
sample:
  input: What time is breakfast?
---
system:
You are an AI assistant in a hotel.

# Rules
{{#rules}}
- {{rule}}
{{/rules}}

user:
{{input}}
"""

RULES = [
    {"rule": "The check-in time is 3pm"},
    {"rule": 'The hotel website is https://www.myhotel.com?key1=param1&key2=param"2&key3=param<3>'},
]


@pytest.fixture
def hotel(tmp_path: Path) -> PromptTemplate:
    path = tmp_path / "hotel.prompty"
    path.write_text(HOTEL, encoding="utf-8")
    return PromptTemplate.from_prompty(str(path))


def test_prompty_is_the_b9_object(hotel, tmp_path):
    prompty = hotel.prompty
    assert isinstance(prompty, Prompty)
    assert isinstance(prompty.model, ModelSettings) and isinstance(prompty.template, TemplateSettings)
    assert prompty.name == "Hotel assistant" and prompty.description.startswith("Answers guests'")
    assert prompty.authors == ["Ana", "Bo"] and prompty.tags == ["hotel", "chat"] and prompty.version == "1.2"
    assert prompty.model.api == "chat"
    assert prompty.model.configuration["api_version"] == "mock-api-version"
    assert prompty.model.configuration["api_key"] == "test_key"  # the object keeps the real values
    assert prompty.model.parameters == {"temperature": 1, "frequency_penalty": 0.5, "presence_penalty": 0.5}
    assert prompty.model.response == "first"  # kept as written
    assert prompty.inputs["input"] == PropertySettings(type="string", default=None, description="The guest's question")
    assert prompty.inputs["rules"].default == []
    assert prompty.outputs["answer"].type == "string"
    assert prompty.sample == {"input": "What time is breakfast?"}
    assert prompty.template.type == "mustache" and prompty.template.parser == "prompty"
    assert prompty.file == (tmp_path / "hotel.prompty").resolve() and prompty.file.is_absolute()
    assert prompty.content.startswith("system:\nYou are an AI assistant in a hotel.")
    assert prompty.base == "" and prompty.basePrompty is None
    # What the template takes from it, as in b9
    assert hotel.model_name == "gpt-4o-mini" and hotel.api == "chat"
    assert hotel.parameters["temperature"] == 1 and hotel.parameters["frequency_penalty"] == 0.5
    # Dict-style reads of the front matter keep working
    assert prompty["name"] == "Hotel assistant" and prompty["model"]["api"] == "chat"
    assert prompty.get("nothing", "default") == "default"
    with pytest.raises(KeyError):
        prompty["_private"]  # pylint: disable=pointless-statement


def test_to_safe_dict_masks_secret_configuration(hotel, tmp_path):
    safe = hotel.prompty.to_safe_dict()
    configuration = safe["model"]["configuration"]
    assert configuration["api_key"] == "********"  # one asterisk per character, as in b9
    assert configuration["api_secret"] == "***********"
    assert set(configuration["connection_string"]) == {"*"} and set(configuration["admin_password"]) == {"*"}
    assert configuration["nested"] == {"token": "*****", "region": "westeurope"}
    assert configuration["api_version"] == "mock-api-version" and configuration["type"] == "azure_openai"
    assert configuration["azure_deployment"] == "gpt-4o-mini"
    assert safe["model"]["parameters"]["temperature"] == 1
    assert safe["template"] == {"type": "mustache", "parser": "prompty"}
    assert safe["inputs"]["input"] == {"type": "string", "default": None, "description": "The guest's question"}
    assert safe["outputs"] == {"answer": {"type": "string", "default": None, "description": ""}}
    assert safe["file"] == (tmp_path / "hotel.prompty").resolve().as_posix()
    assert hotel.prompty.model.configuration["api_key"] == "test_key"  # masking works on a copy
    text = json.dumps(safe) + repr(hotel.prompty) + repr(hotel.prompty.model) + repr(hotel)
    for secret in ("test_key", "test_secret", "SharedAccessKey=abc", "hunter2", "t0k3n"):
        assert secret not in text


def test_values_are_html_escaped_as_in_b9(hotel):
    messages = hotel.create_messages(input="What's the check-in & check-out time?", rules=RULES)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "- The check-in time is 3pm" in messages[0]["content"]
    assert (
        "The hotel website is https://www.myhotel.com?key1=param1&amp;key2=param&quot;2&amp;key3=param&lt;3&gt;"
        in messages[0]["content"]
    )
    assert messages[1]["content"] == "What's the check-in &amp; check-out time?"  # ' is not escaped, as in b9
    assert hotel.create_messages()[1]["content"] == "What time is breakfast?"  # the sample fills what is missing


@pytest.mark.parametrize(
    "tag, expected",
    [
        ("{{v}}", "a&amp;b&lt;c&gt; &quot;q&quot; 'single' &amp;amp;"),
        ("{{ v }}", "a&amp;b&lt;c&gt; &quot;q&quot; 'single' &amp;amp;"),
        ("{{{v}}}", "a&b<c> \"q\" 'single' &amp;"),
        ("{{& v}}", "a&b<c> \"q\" 'single' &amp;"),
        ("{{#items}}{{.}}{{/items}}", "a&amp;b&lt;c&gt; &quot;q&quot; 'single' &amp;amp;"),
        ("{{#items}}{{{.}}}{{/items}}", "a&b<c> \"q\" 'single' &amp;"),
        ("{{obj.v}}", "a&amp;b&lt;c&gt; &quot;q&quot; 'single' &amp;amp;"),
    ],
)
def test_the_escape_set(tag, expected):
    value = "a&b<c> \"q\" 'single' &amp;"
    template = PromptTemplate.from_string(f"user:\n{tag}")
    assert template.create_messages(v=value, items=[value], obj={"v": value}) == [{"role": "user", "content": expected}]


def test_from_string_as_in_b9():
    template = PromptTemplate.from_string(api="chat", prompt_template="system prompt template text\nuser:\n{{input}}")
    assert template.prompty is None and template.parameters == {}
    assert template.create_messages(input="user question input text") == [
        {"role": "system", "content": "system prompt template text"},
        {"role": "user", "content": "user question input text"},
    ]
    indented = PromptTemplate.from_string("""
            system:
            You are an AI assistant in a hotel.

            # context
            {{#rules}}
            {{rule}}
            {{/rules}}

            {{#chat_history}}
            {{role}}:
            {{content}}
            {{/chat_history}}

            user:
            {{input}}
        """)
    messages = indented.create_messages(
        input="When I arrive, can I still have breakfast?",
        rules=[{"rule": "Breakfast is served from 7am to 10am"}],
        chat_history=[
            {"role": "user", "content": "I'll arrive at 2pm."},
            {"role": "system", "content": "The check-in time is 3 PM."},
        ],
    )
    assert messages == [
        # the indentation the lines share is removed, as b9 did for template strings
        {
            "role": "system",
            "content": "You are an AI assistant in a hotel.\n\n# context\nBreakfast is served from 7am to 10am",
        },
        {"role": "user", "content": "I'll arrive at 2pm."},
        {"role": "system", "content": "The check-in time is 3 PM."},
        {"role": "user", "content": "When I arrive, can I still have breakfast?"},
    ]


def test_the_constructor_takes_a_prompty(hotel):
    again = PromptTemplate(prompty=hotel.prompty)
    assert again.model_name == "gpt-4o-mini" and again.prompty is hotel.prompty
    assert again.create_messages(input="x") == hotel.create_messages(input="x")
    built = PromptTemplate(prompty=Prompty(model=ModelSettings(api="chat"), content="user:\n{{q}}", sample={"q": "s"}))
    assert built.create_messages() == [{"role": "user", "content": "s"}]
    with pytest.raises(ValueError, match="prompt_template"):
        PromptTemplate()
    with pytest.raises(TypeError, match="Prompty"):
        PromptTemplate(prompty={"name": "x"})  # type: ignore[arg-type]


def test_environment_references_in_the_front_matter(tmp_path, monkeypatch):
    def load(front: str) -> PromptTemplate:
        path = tmp_path / "env.prompty"
        path.write_text(f"---\n{front}\n---\nuser:\nx\n", encoding="utf-8")
        return PromptTemplate.from_prompty(str(path))

    monkeypatch.setenv("PROMPTY_TEST_DEPLOYMENT", "my-deployment")
    monkeypatch.delenv("PROMPTY_TEST_MISSING", raising=False)
    template = load(
        "model:\n  configuration:\n    azure_deployment: ${env:PROMPTY_TEST_DEPLOYMENT}\n"
        "    azure_endpoint: ${env:PROMPTY_TEST_MISSING:https://fallback.example}"
    )
    assert template.model_name == "my-deployment"
    assert template.prompty is not None
    assert template.prompty.model.configuration["azure_endpoint"] == "https://fallback.example"
    with pytest.raises(ValueError, match="PROMPTY_TEST_MISSING is not set"):
        load("model:\n  configuration:\n    api_key: ${env:PROMPTY_TEST_MISSING}")
    with pytest.raises(ValueError, match="only"):
        load("sample: ${file:sample.json}")


@pytest.mark.parametrize(
    "front, message",
    [
        ("template: jinja2", "not supported"),
        ("template: {type: handlebars}", "not supported"),
        ("base: other.prompty", "base"),
        ("inputs:\n  q: just a string", "inputs.q must be a mapping"),
        ("sample: [1, 2]", "sample must be a mapping"),
        ("model:\n  api: completion", "api must be 'chat'"),
    ],
)
def test_front_matter_this_package_does_not_serve_is_a_value_error(tmp_path, front, message):
    path = tmp_path / "bad.prompty"
    path.write_text(f"---\n{front}\n---\nuser:\nx\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        PromptTemplate.from_prompty(str(path))


def test_escaped_messages_reach_the_service_as_rendered(hotel, emu, mode):
    messages = hotel.create_messages(input="Is 2 < 3 & 4 > 1?", rules=RULES)

    async def body(m):
        async with m.client("ChatCompletionsClient", emu.url) as client:
            response = await m.call(client.complete(messages=messages, **hotel.parameters))
            assert response.choices[0].message.content.endswith("Is 2 &lt; 3 &amp; 4 &gt; 1?")
        sent = json.loads(emu.requests[-1].body)
        assert sent["messages"] == messages and sent["temperature"] == 1

    mode.run(body)
