"""Run the published 1.0.0b9's own offline unit tests against this package, and against 1.0.0b9 as the control.

    python tests/upstream/run_upstream.py --ours PYTHON --control PYTHON [-v] [--keep]
    (run by `./tasks upstream-tests`, which makes both environments)

1. Downloads the 1.0.0b9 sdist once into `.cache/upstream/` (gitignored) and copies its `tests/` folder to a
   temporary directory; no copy of the tests goes into this repository.
2. Adapts that copy for the differences this package keeps on purpose (README, "Coming from 1.0.0b9"), by the
   text substitutions in `ADAPTATIONS` below; each must match the upstream text, or the run stops. The sdist does
   not carry the tests' data files: the PNG is rebuilt from the data URL the tests hold, and the two `.prompty`
   files are written from what the tests assert about them.
3. Runs pytest on the copy with each interpreter (`--ours` has this checkout installed, `--control` has
   azure-ai-inference 1.0.0b9), with `tests/upstream/devtools_testutils` standing in for Azure's dev tooling: it
   marks the recorded tests (which replay a live service) skipped.
4. Prints one line per test that passes on the control and not here, then a summary line; exits 1 when there is
   such a test. With `-v` it also prints every test's two outcomes.

Not collected by pytest, and not run by CI: it needs the package registry.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = ROOT / ".cache" / "upstream"
VERSION = "1.0.0b9"
SDIST = f"azure_ai_inference-{VERSION}.tar.gz"
LATER = '"2024-05-01-preview"'

# Tests of 1.0.0b9's private modules: out of scope (their modules are not part of any public API).
OUT_OF_SCOPE = ("test_prompts_utils.py",)

# (file, upstream text, replacement), applied in order; a regular expression where the text starts with "re:".
# Each one states which difference of this package it adapts the tests to.
ADAPTATIONS: list[tuple[str, str, str]] = []


def _every_client_test(old: str, new: str) -> None:
    for name in ("chat_completions", "embeddings", "image_embeddings"):
        for suffix in ("", "_async"):
            ADAPTATIONS.append((f"test_{name}_client{suffix}.py", old, new))


# Credentials go over http:// only to loopback hosts: the unreachable endpoint is an https:// one.
_every_client_test('endpoint="http://does.not.exist"', 'endpoint="https://does.not.exist"')
# The default api-version is 2024-04-01-preview; the expected requests are those of 2024-05-01-preview.
_every_client_test(
    'credential=AzureKeyCredential("key-value"),',
    f'credential=AzureKeyCredential("key-value"),\n            api_version={LATER},',
)
# Bodies are compared as JSON (separators and key order are the library's to choose), and Content-Length as the
# length of the body sent.
ADAPTATIONS += [
    (
        "model_inference_test_base.py",
        r're:assert headers\["Content-Length"\] == "\d+"',
        'assert int(headers["Content-Length"]) == len(sent_bytes(self.pipeline_request.http_request))',
    ),
    (
        "model_inference_test_base.py",
        r"re:assert self\.pipeline_request\.http_request\.data == self\.(\w+)",
        r"assert sent_json(self.pipeline_request.http_request) == json.loads(self.\1)",
    ),
    # A streamed call (these requests have "stream": true) asks for text/event-stream.
    (
        "model_inference_test_base.py",
        '        assert headers["Accept"] == "application/json"\n'
        '        assert headers["some_header"] == "some_header_value"\n'
        '        assert "MyAppId azsdk-python-ai-inference/" in headers["User-Agent"]\n'
        '        assert " Python/" in headers["User-Agent"]\n'
        '        assert headers["Authorization"] == "Bearer key-value"\n'
        '        assert headers["api-key"] == "key-value"\n'
        "        assert sent_json(self.pipeline_request.http_request) == json.loads(self.CHAT_COMPLETIONS",
        '        assert headers["Accept"] in ("application/json", "text/event-stream")\n'
        '        assert headers["some_header"] == "some_header_value"\n'
        '        assert "MyAppId azsdk-python-ai-inference/" in headers["User-Agent"]\n'
        '        assert " Python/" in headers["User-Agent"]\n'
        '        assert headers["Authorization"] == "Bearer key-value"\n'
        '        assert headers["api-key"] == "key-value"\n'
        "        assert sent_json(self.pipeline_request.http_request) == json.loads(self.CHAT_COMPLETIONS",
    ),
]

# The helpers the rewritten assertions call, appended to the tests' base module.
HELPERS = '''

def sent_bytes(request):
    """The body a request sent, as bytes (added by tests/upstream/run_upstream.py)."""
    body = request.content if hasattr(request, "content") else request.data
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def sent_json(request):
    """The body a request sent, decoded as JSON (added by tests/upstream/run_upstream.py)."""
    return json.loads(sent_bytes(request))
'''

# The .prompty files test_prompts.py reads (absent from the sdist), written from what its tests assert.
PROMPTY = """---
name: Hotel assistant
description: A prompt that answers questions about a hotel.
model:
  api: chat
  configuration:
    azure_deployment: gpt-4o-mini
    api_version: mock-api-version{secrets}
  parameters:
    temperature: 1
    frequency_penalty: 0.5
    presence_penalty: 0.5
---
system:
You are an AI assistant in a hotel. You help guests with their requests and provide information about the hotel.

# context
{{{{#rules}}}}
{{{{rule}}}}
{{{{/rules}}}}

user:
{{{{input}}}}
"""
SECRETS = "\n    api_key: test_key\n    api_secret: test_secret"

PYTEST_INI = """[pytest]
asyncio_mode = auto
addopts = -p no:cacheprovider
"""


def sdist() -> Path:
    """The 1.0.0b9 sdist, downloaded once into the cache."""
    path = CACHE / SDIST
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"]
            + ["--no-binary", ":all:", f"azure-ai-inference=={VERSION}", "-d", str(CACHE)],
            check=True,
        )
    return path


def extract_tests(archive: Path, target: Path) -> None:
    """Copy the sdist's `tests/*.py` files (regular files directly in that folder, nothing else) to `target`."""
    prefix = f"azure_ai_inference-{VERSION}/tests/"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = member.name[len(prefix) :] if member.name.startswith(prefix) else ""
            if member.isfile() and re.fullmatch(r"[A-Za-z0-9_]+\.py", name):
                source = tar.extractfile(member)
                assert source is not None
                (target / name).write_bytes(source.read())


def adapt(folder: Path) -> None:
    for name in OUT_OF_SCOPE:
        (folder / name).unlink()
    for name, old, new in ADAPTATIONS:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        if old.startswith("re:"):
            text, count = re.subn(old[3:], new, text)
        else:
            count = text.count(old)
            text = text.replace(old, new)
        if count == 0:
            raise SystemExit(f"upstream-tests: the adaptation {old[:60]!r} no longer matches {name}")
        path.write_text(text, encoding="utf-8")
    base = folder / "model_inference_test_base.py"
    base.write_text(base.read_text(encoding="utf-8") + HELPERS, encoding="utf-8")
    # The image the tests load is the one whose data URL their expected image-embeddings payload holds.
    data_url = re.search(r'"image": "data:image/png;base64,([A-Za-z0-9+/=]+)"', base.read_text(encoding="utf-8"))
    if data_url is None:
        raise SystemExit("upstream-tests: the expected image embeddings payload no longer holds its image")
    (folder / "test_image1.png").write_bytes(base64.b64decode(data_url.group(1)))
    (folder / "sample1.prompty").write_text(PROMPTY.format(secrets=""), encoding="utf-8")
    (folder / "sample1_with_secrets.prompty").write_text(PROMPTY.format(secrets=SECRETS), encoding="utf-8")
    (folder / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")


def run(python: str, folder: Path, report: Path) -> dict[str, tuple[str, str]]:
    """Run pytest on `folder` with `python`; test id -> (outcome, first line of its message)."""
    env = {**_environ(), "PYTHONPATH": str(HERE)}
    subprocess.run(
        [python, "-m", "pytest", "-q", "--junitxml", str(report), "-W", "ignore::DeprecationWarning"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    if not report.exists():
        raise SystemExit(f"upstream-tests: pytest made no report with {python}; run it with --keep to see why")
    results: dict[str, tuple[str, str]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                outcome = "failed" if tag == "failure" else tag
                lines = (element.get("message") or element.text or "").strip().splitlines()
                message = lines[0] if lines else ""
                break
        results[test_id] = (outcome, message)
    return results


def _environ() -> dict[str, str]:
    # No endpoint variables from the caller's environment reach the tests: they run offline.
    return {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_AI_", "AZURE_OPENAI_"))}


def main() -> int:
    parser = argparse.ArgumentParser(description="Run 1.0.0b9's offline unit tests on this package and on 1.0.0b9.")
    parser.add_argument("--ours", required=True, help="a Python with this checkout installed")
    parser.add_argument("--control", required=True, help="a Python with azure-ai-inference 1.0.0b9 installed")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every test's two outcomes")
    parser.add_argument("--keep", action="store_true", help="keep the adapted copy of the tests and print where")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="upstream-tests-"))
    try:
        folder = work / "tests"
        folder.mkdir()
        extract_tests(sdist(), folder)
        adapt(folder)
        # Absolute, not resolved: a venv's python is a link that must keep its own path.
        control = run(os.path.abspath(args.control), folder, work / "control.xml")
        ours = run(os.path.abspath(args.ours), folder, work / "ours.xml")
    finally:
        if args.keep:
            print(f"upstream-tests: the adapted tests are in {work / 'tests'}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    recorded = sum(1 for outcome, message in ours.values() if outcome == "skipped" and message.startswith("RECORDED"))
    offline = sorted(test for test in control if not _recorded(control[test]) and not _recorded(ours.get(test)))
    regressions = [test for test in offline if control[test][0] == "passed" and _outcome(ours, test) != "passed"]
    for test in offline if args.verbose else ():
        print(f"{control[test][0]:>8} on {VERSION}, {_outcome(ours, test):>8} here  {test}")
    for test in regressions:
        outcome, message = ours.get(test, ("missing", "not run"))
        print(f"REGRESSION {test}: {outcome}: {message}")
    passed_control = sum(1 for test in offline if control[test][0] == "passed")
    passed_ours = sum(1 for test in offline if _outcome(ours, test) == "passed")
    print(
        f"upstream-tests: {len(regressions)} regression(s) among {len(offline)} offline tests of {VERSION} "
        f"({passed_control} pass on {VERSION}, {passed_ours} pass here); {recorded} recorded tests skipped; "
        f"{len(OUT_OF_SCOPE)} file(s) of private-module tests out of scope"
    )
    return 1 if regressions else 0


def _outcome(results: dict[str, tuple[str, str]], test: str) -> str:
    return results.get(test, ("missing", ""))[0]


def _recorded(result: "tuple[str, str] | None") -> bool:
    return result is not None and result[0] == "skipped" and result[1].startswith("RECORDED")


if __name__ == "__main__":
    sys.exit(main())
