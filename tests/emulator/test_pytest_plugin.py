# The pytest fixtures shipped for applications' own tests (inference_emulator/pytest_plugin.py, entry point pytest11).
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

import pytest

from azure.ai.inference import ChatCompletionsClient, EmbeddingsClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError


def test_the_plugin_is_registered_as_a_pytest11_entry_point():
    found = [e for e in entry_points(group="pytest11") if e.name == "azure_ai_inference_emulator"]
    assert [e.value for e in found] == ["inference_emulator.pytest_plugin"]


def test_the_fixture_serves_a_fresh_emulator(inference_emulator):
    assert inference_emulator.requests == [] and inference_emulator.fault is None
    with EmbeddingsClient(inference_emulator.url, AzureKeyCredential(inference_emulator.key)) as client:
        assert len(client.create(input=["x"], dimensions=3).data[0].embedding) == 3
    assert inference_emulator.requests[-1].json == {"input": ["x"], "dimensions": 3}


@pytest.mark.inference_emulator(fault="rate-limit;retry_after=0")
def test_the_marker_sets_a_fault_for_one_test(inference_emulator):
    with ChatCompletionsClient(inference_emulator.url, AzureKeyCredential(inference_emulator.key)) as client:
        with pytest.raises(HttpResponseError) as caught:
            client.create(messages=[{"role": "user", "content": "hi"}], retry_total=0)
    assert caught.value.status_code == 429


def test_the_environment_fixture_sets_the_command_line_variables(inference_emulator_env):
    assert os.environ["AZURE_AI_INFERENCE_ENDPOINT"] == inference_emulator_env.url
    assert os.environ["AZURE_AI_INFERENCE_KEY"] == inference_emulator_env.key


USER_TESTS = """
import pytest
from azure.ai.inference import ChatCompletionsClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError


def ask(endpoint, key, question):
    with ChatCompletionsClient(endpoint, AzureKeyCredential(key), retry_total=0) as client:
        return client.create(messages=[{"role": "user", "content": question}]).choices[0].message.content


def test_answer(inference_emulator):
    assert ask(inference_emulator.url, inference_emulator.key, "hello") == "Emulated reply to: hello"
    assert inference_emulator.requests[-1].json["messages"][0]["content"] == "hello"


@pytest.mark.inference_emulator(fault="status-then-ok;status=503;count=5")
def test_outage(inference_emulator):
    with pytest.raises(HttpResponseError) as caught:
        ask(inference_emulator.url, inference_emulator.key, "hello")
    assert caught.value.status_code == 503


def test_fault_does_not_leak_into_the_next_test(inference_emulator):
    assert inference_emulator.fault is None
    assert ask(inference_emulator.url, inference_emulator.key, "again") == "Emulated reply to: again"
"""


def test_an_outside_project_gets_the_fixtures_from_the_installed_package(tmp_path):
    (tmp_path / "test_app.py").write_text(textwrap.dedent(USER_TESTS))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHONPATH"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_the_plugin_costs_nothing_where_aiohttp_is_missing(tmp_path):
    """Installed without the emulator extra, the entry point must not break anyone's pytest runs."""
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    (tmp_path / "conftest.py").write_text("")
    runner = (
        "import sys\n"
        "sys.modules['aiohttp'] = None; sys.modules['multidict'] = None\n"  # as if aiohttp were not installed
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'test_plain.py']))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHONPATH"))}
    done = subprocess.run(
        [sys.executable, "-c", runner], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
