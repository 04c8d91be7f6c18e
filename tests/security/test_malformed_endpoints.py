"""A malformed host or port in the endpoint is refused at construction, not at the first call."""

from __future__ import annotations

import pytest
from azure.core.credentials import AzureKeyCredential

pytestmark = [pytest.mark.timeout(60)]

CLIENTS = ["ChatCompletionsClient", "EmbeddingsClient", "ImageGenerationClient"]

MALFORMED = {
    "port-too-large": "http://127.0.0.1:99999",
    "port-not-a-number": "http://127.0.0.1:abc",
    "port-zero": "https://example.com:0",
    "port-negative": "https://example.com:-1",
    "port-with-sign": "https://example.com:+443",
    "two-ports": "https://example.com:1:2",
    "unclosed-ipv6": "http://[::1",
    "unopened-ipv6": "http://::1]:80",
    "junk-after-ipv6": "http://[::1]x:80",
    "not-an-ipv6-address": "http://[zz]:80",
}

WELL_FORMED = [
    "http://127.0.0.1:65535",
    "http://[::1]:8080/v1",
    "https://example.com:443/models/",
    "https://example.com:/models",  # an empty port means the default one
    "https://[2001:db8::1]",
]


@pytest.mark.parametrize("name", CLIENTS)
@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_host_or_port_is_refused_at_construction(mode, name, case):
    with pytest.raises(ValueError) as info:
        getattr(mode.api, name)(MALFORMED[case], AzureKeyCredential("k"))
    message = str(info.value)
    assert message.startswith("endpoint has") and "host" in message
    assert "1 to 65535" in message or case == "unopened-ipv6"  # that one has no host at all


@pytest.mark.parametrize("endpoint", WELL_FORMED)
def test_well_formed_hosts_and_ports_are_accepted(mode, endpoint):
    client = mode.api.ChatCompletionsClient(endpoint, AzureKeyCredential("k"))
    assert endpoint.rstrip("/").split("://")[1].split("/")[0] in repr(client)
