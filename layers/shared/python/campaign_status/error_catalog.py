"""Catalog of WhatsApp Cloud API error codes that can reach a message status webhook.

Each entry says, in our own words, what the code means for a campaign message, what
the business should do about it, and whether sending the same message again later can
work. Sources consulted: Meta's "WhatsApp error codes" reference, its template pacing /
pausing and Flows health pages, and partner help-center articles; the wording is ours.

How ``retryable`` is decided (one rule for every code):
    ``retryable`` is True when waiting alone can make a later re-send of the same message
    to the same recipient succeed (throughput limits, per-user caps, temporary outages,
    a template pause that lifts by itself). ``retry_after_seconds`` then says how long to
    wait at least. It is False when the send will keep failing until somebody changes
    something: the recipient (not on WhatsApp, opted out), the message or template, or
    the business account (billing, policy, registration). ``solution`` says what to fix
    and, where it applies, that a re-send works once it is fixed.

Plain data and small pure functions: no I/O, safe to import from any Lambda.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CATALOG",
    "ErrorCode",
    "all_codes",
    "describe_delivery_error",
    "lookup",
]

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


class ErrorCode(BaseModel):
    """One WhatsApp error code as shown to operators."""

    model_config = ConfigDict(frozen=True)

    code: int
    title: str
    reason: str
    solution: str
    retryable: bool
    retry_after_seconds: int | None = None


def _entry(
    code: int,
    title: str,
    reason: str,
    solution: str,
    retryable: bool,
    retry_after_seconds: int | None = None,
) -> ErrorCode:
    return ErrorCode(
        code=code,
        title=title,
        reason=reason,
        solution=solution,
        retryable=retryable,
        retry_after_seconds=retry_after_seconds,
    )


_ENTRIES: tuple[ErrorCode, ...] = (
    # --- Integrity and account state -------------------------------------------------
    _entry(
        368,
        "Blocked for policy violations",
        "Meta has restricted or disabled the WhatsApp Business Account for breaking a "
        "platform policy, so it cannot send messages for now.",
        "Open WhatsApp Manager to see which policy was flagged, correct the behaviour or "
        "appeal, and send again only after the restriction is lifted.",
        False,
    ),
    _entry(
        130429,
        "Rate limit hit",
        "The business phone number sent faster than its allowed Cloud API throughput, so "
        "WhatsApp rejected this message.",
        "Spread the campaign over more time (queue and throttle sends) and retry with "
        "exponential back-off starting at about a minute.",
        True,
        1 * _MINUTE,
    ),
    _entry(
        130472,
        "Recipient in a marketing experiment",
        "The recipient belongs to a group that Meta holds out from marketing messages as "
        "part of an experiment, so the message was withheld on purpose.",
        "Do not resend the same marketing message; reach this person through another "
        "channel or with a non-marketing message if appropriate.",
        False,
    ),
    _entry(
        130497,
        "Country restricted for this business",
        "The business account is not allowed to message WhatsApp users in the recipient's "
        "country, given its business category.",
        "Check WhatsApp's business messaging policy for the countries your category may "
        "message and drop recipients in countries you cannot reach.",
        False,
    ),
    # --- Generic and request problems -------------------------------------------------
    _entry(
        131000,
        "Something went wrong",
        "WhatsApp hit an unexpected internal error while handling the message; the cause "
        "is not on the business side as far as the API says.",
        "Retry after a short wait; if the same message keeps failing, check the WhatsApp "
        "Business Platform status page and open a Meta support ticket.",
        True,
        1 * _MINUTE,
    ),
    _entry(
        131005,
        "Access denied",
        "The app sending the message lacks the permission it needs, or the permission was "
        "withdrawn from its access token.",
        "Check the token's permissions (whatsapp_business_messaging) with Meta's access "
        "token debugger, issue a new token if needed, then resend.",
        False,
    ),
    _entry(
        131008,
        "Required parameter missing",
        "The send request left out a field that this kind of message requires.",
        "Fix the message payload in the campaign sender (see the details for which field) "
        "and send again.",
        False,
    ),
    _entry(
        131009,
        "Parameter value not valid",
        "A field in the send request held a value WhatsApp does not accept, for example a "
        "malformed phone number or an unknown phone number ID.",
        "Correct the value named in the details in the campaign sender and send again.",
        False,
    ),
    _entry(
        131016,
        "Service unavailable",
        "WhatsApp's service was temporarily overloaded or down when the message was "
        "processed.",
        "Check the WhatsApp Business Platform status page and resend once the service has "
        "recovered, a few minutes later at the earliest.",
        True,
        5 * _MINUTE,
    ),
    _entry(
        131021,
        "Recipient is the sender",
        "The message was addressed to the same phone number that was sending it.",
        "Remove the business's own number from the recipient list; a number cannot "
        "message itself.",
        False,
    ),
    _entry(
        131026,
        "Message undeliverable",
        "WhatsApp could not deliver to this number: it may not have a WhatsApp account, "
        "the person may not have accepted WhatsApp's current terms, may run an outdated "
        "app, or may have blocked the business.",
        "Check that the number is right and active on WhatsApp; do not keep resending, "
        "and reach the lead through another channel or ask them to update WhatsApp.",
        False,
    ),
    _entry(
        131031,
        "Business account locked",
        "The WhatsApp Business Account is locked, for example after a policy violation or "
        "because account data (such as the two-step verification PIN) could not be "
        "verified.",
        "Review the account's status and any notices in WhatsApp Manager, resolve them "
        "with Meta, then resend.",
        False,
    ),
    _entry(
        131037,
        "Display name not approved",
        "The business phone number still needs its display name approved before it may "
        "send messages.",
        "Get the display name approved in WhatsApp Manager (or pick a compliant one), "
        "then resend.",
        False,
    ),
    _entry(
        131042,
        "Payment issue",
        "Meta would not send the message because of a billing problem on the business "
        "account, such as no valid payment method, an exceeded credit line, or an "
        "inactive or incomplete payment account.",
        "Fix the payment method and billing settings of the WhatsApp Business Account in "
        "Business Manager; messages resend successfully once billing is in order.",
        False,
    ),
    _entry(
        131045,
        "Phone number registration problem",
        "The business phone number's registration or certificate is not valid, so "
        "WhatsApp refused to send from it.",
        "Register the business phone number with the Cloud API again, then resend.",
        False,
    ),
    _entry(
        131047,
        "Outside the 24-hour window",
        "More than 24 hours have passed since the person last wrote to the business, so a "
        "free-form (non-template) message is not allowed.",
        "Send an approved template message instead; free-form messages work again only "
        "after the person replies.",
        False,
    ),
    _entry(
        131048,
        "Spam rate limit hit",
        "The business number may only send a limited number of messages because many of "
        "its earlier messages were blocked or reported as spam.",
        "Check the number's quality rating in WhatsApp Manager, send only to people who "
        "opted in with content they expect, and resend slowly once the limit eases.",
        True,
        1 * _DAY,
    ),
    _entry(
        131049,
        "Per-user marketing limit (healthy ecosystem)",
        "Meta withheld this marketing message to keep engagement healthy: the person has "
        "recently received as many marketing messages as WhatsApp allows them from "
        "businesses.",
        "Do not resend right away; wait at least a day and prefer sending after the person "
        "interacts, or use a utility template when the content really is transactional.",
        True,
        1 * _DAY,
    ),
    _entry(
        131050,
        "Recipient stopped marketing messages",
        "The person has chosen not to receive marketing messages from this business on "
        "WhatsApp.",
        "Honour the choice: stop sending marketing messages to this lead and mark them as "
        "opted out.",
        False,
    ),
    _entry(
        131051,
        "Unsupported message type",
        "The message used a type or format WhatsApp does not support for this send.",
        "Change the campaign to a supported message type (for example a plain template) "
        "and send again.",
        False,
    ),
    _entry(
        131052,
        "Media download error",
        "WhatsApp could not fetch a media file involved in the message, for example media "
        "a person sent or a file the message links to.",
        "Check that the media URL is public, reachable and of a supported type and size "
        "(or ask the person to send their file another way), then resend.",
        False,
    ),
    _entry(
        131053,
        "Media upload error",
        "WhatsApp could not upload the media attached to the message, usually because of "
        "an unsupported file type, an oversized file or an unreachable URL.",
        "Use a supported media type within the size limits from a reachable link, then "
        "send again.",
        False,
    ),
    _entry(
        131055,
        "Method not allowed",
        "The request used an HTTP method or endpoint that this operation does not support.",
        "Correct the API call in the campaign sender (see the details for the allowed "
        "method) and send again.",
        False,
    ),
    _entry(
        131056,
        "Pair rate limit hit",
        "Too many messages went from this business number to this one recipient in a "
        "short time.",
        "Wait a few minutes before messaging this person again; other recipients can be "
        "messaged without waiting.",
        True,
        1 * _MINUTE,
    ),
    _entry(
        131057,
        "Account in maintenance mode",
        "The business account is temporarily in maintenance, for instance while its "
        "throughput is being upgraded.",
        "Wait for the maintenance to finish, usually within minutes, then resend.",
        True,
        10 * _MINUTE,
    ),
    _entry(
        131063,
        "Message not delivered",
        "WhatsApp refused the message with this code; its exact meaning could not be "
        "confirmed from Meta's public documentation when this catalog was written.",
        "Read the details WhatsApp sent with the failure (shown in the error message), "
        "fix what they name, and contact Meta support if it keeps happening.",
        False,
    ),
    _entry(
        131064,
        "Message not delivered",
        "WhatsApp refused the message with this code; its exact meaning could not be "
        "confirmed from Meta's public documentation when this catalog was written.",
        "Read the details WhatsApp sent with the failure (shown in the error message), "
        "fix what they name, and contact Meta support if it keeps happening.",
        False,
    ),
    # --- Templates ----------------------------------------------------------------------
    _entry(
        132000,
        "Template parameter count mismatch",
        "The number of variables sent does not match the number of placeholders in the "
        "approved template.",
        "Send exactly one value per template placeholder from the campaign sender, then "
        "resend.",
        False,
    ),
    _entry(
        132001,
        "Template does not exist",
        "No approved template with this name exists in the requested language, or it was "
        "created moments ago and is not yet available.",
        "Check the template name, language code and approval status in WhatsApp Manager, "
        "then resend.",
        False,
    ),
    _entry(
        132005,
        "Template text too long",
        "Once the variables were filled in, the template text exceeded WhatsApp's length "
        "limit.",
        "Shorten the variable values (or the template) so the final text fits, then "
        "resend.",
        False,
    ),
    _entry(
        132007,
        "Template format character policy violated",
        "A variable value breaks WhatsApp's formatting rules, for example by containing "
        "newlines, tabs or too many consecutive spaces.",
        "Clean the variable values in the campaign sender to follow the template "
        "formatting rules, then resend.",
        False,
    ),
    _entry(
        132012,
        "Template parameter format mismatch",
        "A variable value does not have the format the template expects for that "
        "placeholder, such as a wrong media or currency type.",
        "Send each parameter in the format the template defines, then resend.",
        False,
    ),
    _entry(
        132015,
        "Template paused",
        "Meta paused the template (or held back its paced sends) because of low quality "
        "or poor engagement; a pause lifts by itself after a few hours.",
        "Review and improve the template content and audience; resend after the pause "
        "ends (hours) or use another approved template.",
        True,
        3 * _HOUR,
    ),
    _entry(
        132016,
        "Template disabled",
        "Meta disabled the template for good after repeated low-quality pauses, so it can "
        "no longer be sent.",
        "Create and get approval for a new, improved template, then send with it.",
        False,
    ),
    _entry(
        132068,
        "Flow blocked",
        "The WhatsApp Flow attached to the message is blocked because its endpoint has "
        "been failing health checks.",
        "Fix the Flow endpoint's errors, latency or availability so WhatsApp unblocks the "
        "Flow, then resend.",
        False,
    ),
    _entry(
        132069,
        "Flow throttled",
        "The WhatsApp Flow attached to the message is throttled because of endpoint "
        "health problems, which caps it at a few sends per hour.",
        "Fix the Flow endpoint's health; until it recovers, resend later and expect only "
        "a handful of Flow messages per hour to go through.",
        True,
        1 * _HOUR,
    ),
    # --- Registration -------------------------------------------------------------------
    _entry(
        133010,
        "Business number not registered",
        "The sending phone number is not registered with the WhatsApp Cloud API.",
        "Register the business phone number on the Cloud API, then resend.",
        False,
    ),
)


def _build_catalog(entries: tuple[ErrorCode, ...]) -> dict[int, ErrorCode]:
    catalog: dict[int, ErrorCode] = {}
    for entry in entries:
        if entry.code in catalog:
            raise ValueError(f"duplicate error code in catalog: {entry.code}")
        # One rule for every entry: a wait is given exactly when waiting can help.
        if entry.retryable != (entry.retry_after_seconds is not None):
            raise ValueError(f"retryable and retry_after_seconds disagree for {entry.code}")
        catalog[entry.code] = entry
    return catalog


CATALOG: dict[int, ErrorCode] = _build_catalog(_ENTRIES)

_UNKNOWN_ERROR_TITLE = "Unknown error"


def lookup(code: int) -> ErrorCode | None:
    """The catalog entry for ``code``, or None when the code is not in the catalog."""
    return CATALOG.get(code)


def all_codes() -> list[ErrorCode]:
    """Every catalog entry, sorted by code ascending (a fresh list each call)."""
    return sorted(CATALOG.values(), key=lambda entry: entry.code)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def describe_delivery_error(
    code: int | None, meta_title: str | None, meta_details: str | None
) -> str | None:
    """Human text for a failed row: '{title} ({code}): {details}'.

    title = catalog title when the code is known, else Meta's own title from the webhook,
    else 'Unknown error'.
    details = Meta's error_data.details when given, else Meta's title if it differs from
    the title used, else the catalog reason. When none of these exists (an unknown code
    with nothing but its number) the text is just '{title} ({code})'.
    Returns None when code is None.
    """
    if code is None:
        return None
    entry = lookup(code)
    meta_title = _clean(meta_title)
    meta_details = _clean(meta_details)

    if entry is not None:
        title = entry.title
    else:
        title = meta_title or _UNKNOWN_ERROR_TITLE

    if meta_details is not None:
        details: str | None = meta_details
    elif meta_title is not None and meta_title.casefold() != title.casefold():
        details = meta_title
    elif entry is not None:
        details = entry.reason
    else:
        details = None

    head = f"{title} ({code})"
    return f"{head}: {details}" if details else head
