"""Unit tests for the WhatsApp error catalog (pure data and functions, no network)."""

from __future__ import annotations

import pydantic
import pytest

from campaign_status import error_catalog
from campaign_status.error_catalog import (
    CATALOG,
    ErrorCode,
    all_codes,
    describe_delivery_error,
    lookup,
)

# Codes of the WhatsApp Cloud API that can reach a status webhook (the brief's list).
STATUS_WEBHOOK_CODES = (
    130429, 130472, 130497, 131000, 131005, 131008, 131009, 131016, 131021, 131026,
    131031, 131037, 131042, 131045, 131047, 131048, 131049, 131050, 131051, 131052,
    131053, 131055, 131056, 131057, 131063, 131064, 132000, 132001, 132005, 132007,
    132012, 132015, 132016, 132068, 132069, 133010, 368,
)

# The seven codes of the help article the contract names.
HELP_ARTICLE_CODES = (131026, 131042, 131049, 131056, 131048, 131051, 131052)


@pytest.mark.parametrize("code", STATUS_WEBHOOK_CODES)
def test_every_status_webhook_code_is_catalogued(code: int) -> None:
    entry = lookup(code)
    assert entry is not None, f"{code} missing from the catalog"
    assert entry.code == code
    assert CATALOG[code] is entry


@pytest.mark.parametrize("code", HELP_ARTICLE_CODES)
def test_help_article_codes_have_reason_and_solution(code: int) -> None:
    entry = CATALOG[code]
    assert entry.title.strip()
    assert entry.reason.strip()
    assert entry.solution.strip()


def test_every_entry_has_text_and_a_consistent_retry_rule() -> None:
    for entry in CATALOG.values():
        assert entry.title.strip() and entry.reason.strip() and entry.solution.strip(), entry.code
        # A wait is given exactly when waiting can help.
        assert entry.retryable == (entry.retry_after_seconds is not None), entry.code
        if entry.retry_after_seconds is not None:
            assert entry.retry_after_seconds > 0, entry.code


def test_required_titles() -> None:
    assert CATALOG[131026].title == "Message undeliverable"
    assert "marketing" in CATALOG[131049].title.lower()
    assert "pair rate limit" in CATALOG[131056].title.lower()
    assert "rate limit" in CATALOG[130429].title.lower()
    assert "paused" in CATALOG[132015].title.lower()
    assert "disabled" in CATALOG[132016].title.lower()


def test_131049_waits_at_least_a_day() -> None:
    entry = CATALOG[131049]
    assert entry.retryable is True
    assert entry.retry_after_seconds is not None
    assert entry.retry_after_seconds >= 86400


def test_131056_retryable_after_minutes_not_hours() -> None:
    entry = CATALOG[131056]
    assert entry.retryable is True
    assert entry.retry_after_seconds is not None
    assert 0 < entry.retry_after_seconds <= 3600


def test_130429_retryable_with_back_off() -> None:
    entry = CATALOG[130429]
    assert entry.retryable is True
    assert entry.retry_after_seconds is not None and entry.retry_after_seconds > 0


@pytest.mark.parametrize("code", (131026, 131042, 131047, 131050, 131051, 132000, 132001, 132016, 368))
def test_problems_that_need_a_fix_are_not_retryable(code: int) -> None:
    entry = CATALOG[code]
    assert entry.retryable is False
    assert entry.retry_after_seconds is None


def test_all_codes_sorted_and_matching_catalog() -> None:
    codes = [entry.code for entry in all_codes()]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert set(codes) == set(CATALOG)
    assert all(CATALOG[entry.code] is entry for entry in all_codes())


def test_all_codes_sorts_whatever_order_the_catalog_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    shuffled = dict(reversed(list(CATALOG.items())))
    monkeypatch.setattr(error_catalog, "CATALOG", shuffled)
    codes = [entry.code for entry in error_catalog.all_codes()]
    assert codes == sorted(shuffled)


def test_all_codes_returns_a_fresh_list() -> None:
    first = all_codes()
    first.clear()
    assert len(all_codes()) == len(CATALOG)


def test_catalog_built_from_module_tuple() -> None:
    assert isinstance(error_catalog._ENTRIES, tuple)
    assert len(error_catalog._ENTRIES) == len(CATALOG)


def test_entries_are_frozen() -> None:
    entry = CATALOG[131026]
    with pytest.raises(pydantic.ValidationError):
        entry.title = "changed"  # type: ignore[misc]
    assert CATALOG[131026].title == "Message undeliverable"


def test_catalog_rejects_duplicates_and_inconsistent_retry() -> None:
    entry = ErrorCode(code=1, title="t", reason="r", solution="s", retryable=False)
    with pytest.raises(ValueError, match="duplicate"):
        error_catalog._build_catalog((entry, entry))
    bad = ErrorCode(code=2, title="t", reason="r", solution="s", retryable=True)
    with pytest.raises(ValueError, match="disagree"):
        error_catalog._build_catalog((bad,))


@pytest.mark.parametrize("code", (0, 1, 470, 999999, -131026))
def test_lookup_unknown_code_is_none(code: int) -> None:
    assert lookup(code) is None


def test_describe_known_code_uses_catalog_title_and_meta_details() -> None:
    text = describe_delivery_error(
        131026, "Receiver is incapable of receiving this message", "Message Undeliverable."
    )
    assert text == "Message undeliverable (131026): Message Undeliverable."


def test_describe_unknown_code_uses_meta_title_and_details() -> None:
    text = describe_delivery_error(999001, "Some new Meta error", "It went wrong this way.")
    assert text == "Some new Meta error (999001): It went wrong this way."


def test_describe_unknown_code_without_any_text() -> None:
    assert describe_delivery_error(999002, None, None) == "Unknown error (999002)"
    assert describe_delivery_error(999003, "  ", "") == "Unknown error (999003)"


def test_describe_unknown_code_without_details() -> None:
    assert describe_delivery_error(999004, "Some new Meta error", None) == "Some new Meta error (999004)"


def test_describe_missing_details_falls_back_to_meta_title() -> None:
    text = describe_delivery_error(131026, "Receiver is incapable of receiving this message", None)
    assert text == "Message undeliverable (131026): Receiver is incapable of receiving this message"


def test_describe_missing_details_and_same_title_falls_back_to_reason() -> None:
    reason = CATALOG[131026].reason
    assert describe_delivery_error(131026, "Message Undeliverable", None) == (
        f"Message undeliverable (131026): {reason}"
    )
    assert describe_delivery_error(131026, None, "   ") == f"Message undeliverable (131026): {reason}"


def test_describe_none_code_is_none() -> None:
    assert describe_delivery_error(None, "Message undeliverable", "Message Undeliverable.") is None
    assert describe_delivery_error(None, None, None) is None
