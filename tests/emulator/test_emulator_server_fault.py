# A fault for the whole server (Emulator(fault=...), emu.fault, --fault): used by requests that name none.
from __future__ import annotations

import pytest

from emulator_support import EMB_04, INFO_04, fh, get, post
from inference_emulator import Emulator, FaultSpecError


def test_a_server_fault_applies_to_requests_that_name_none():
    with Emulator(fault="rate-limit;retry_after=3;count=1") as emu:
        assert emu.fault == "rate-limit;retry_after=3;count=1"
        first = post(emu.url, EMB_04, {"input": ["a"]})
        assert first.status == 429 and first.headers["Retry-After"] == "3"
        assert post(emu.url, EMB_04, {"input": ["a"]}).status == 200  # count=1: then success


def test_a_request_fault_wins_and_the_server_fault_can_be_changed():
    with Emulator(fault="detail-body") as emu:
        assert get(emu.url, INFO_04).status == 404
        assert get(emu.url, INFO_04, headers=fh("status-body")).status == 401
        emu.fault = None
        assert get(emu.url, INFO_04).status == 200


def test_an_unknown_server_fault_is_refused_up_front():
    with pytest.raises(FaultSpecError):
        Emulator(fault="no-such-fault")
    with Emulator() as emu:
        with pytest.raises(FaultSpecError):
            emu.fault = "no-such-fault"
        assert emu.fault is None


def test_latency_is_checked_and_requests_are_still_answered():
    with pytest.raises(ValueError):
        Emulator(latency=-1)
    with Emulator(latency=0.01) as emu:
        assert emu.latency == 0.01
        assert post(emu.url, EMB_04, {"input": ["a"]}).status == 200
        emu.latency = 0
        assert emu.latency == 0.0
        with pytest.raises(ValueError):
            emu.latency = "slow"  # type: ignore[assignment]
