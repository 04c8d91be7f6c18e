"""The default transports read the environment once, at construction."""
from __future__ import annotations

import pytest

from azure.ai.inference._policies import default_async_transport


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_async_transport_trusts_the_environment_when_it_sets_a_proxy(monkeypatch, tmp_path, variable):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(variable, "http://127.0.0.1:9")
    assert default_async_transport()._use_env_settings is True


def test_async_transport_trusts_the_environment_when_a_netrc_exists(monkeypatch, tmp_path):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine example.com login a password b\n")
    monkeypatch.setenv("NETRC", str(netrc))
    assert default_async_transport()._use_env_settings is True


def test_async_transport_skips_per_request_lookups_otherwise(monkeypatch, tmp_path):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NETRC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_async_transport()._use_env_settings is False
    assert default_async_transport(use_env_settings=True)._use_env_settings is True
