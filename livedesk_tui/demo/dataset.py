"""A deterministic, realistic set of contacts for the demo server, drawn from one seed.

The same seed always gives the same contacts, byte for byte, on any machine and any day: the
only randomness is a ``random.Random(seed)`` and the clock is ``REFERENCE_NOW``. Contacts look
like a real LiveDesk account's: names in Japanese, Chinese, Korean, Cyrillic, Arabic and
accented Latin, E.164 phones, companies, several inbox channels, free-form custom attributes,
labels with a realistic skew, and the holes real data has (no name, no phone, no activity yet,
no company), so every empty state of the UI shows up.
"""

from __future__ import annotations

import bisect
import gc
import random
from collections.abc import Callable, Sequence
from datetime import date
from itertools import accumulate
from typing import Any, TypeVar

from .catalogue import (
    INBOXES,
    LABEL_TITLES,
    LABELS,
    REFERENCE_EPOCH,
    REFERENCE_NOW,
    DemoContact,
    DemoInbox,
    DemoLabel,
)
from .hostile import hostile_contacts
from .locales import LOCALES, Locale, Region

__all__ = [
    "INBOXES",
    "LABELS",
    "LABEL_TITLES",
    "REFERENCE_EPOCH",
    "REFERENCE_NOW",
    "DemoContact",
    "DemoInbox",
    "DemoLabel",
    "generate_contacts",
    "hostile_contacts",
]

_T = TypeVar("_T")
Rand = Callable[[], float]

FIRST_ID = 318_000
"""Generated ids start above this (ids of the hostile contacts stay below it)."""

_DAY = 86_400
_SPAN = 4 * 365 * _DAY  # contacts were created over the four years before REFERENCE_NOW

_LOCALE_EDGES = list(accumulate(locale.weight for locale in LOCALES))
_LABEL_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    locale.code: tuple((label.title, label.share_for(locale.code)) for label in LABELS)
    for locale in LOCALES
}
_INBOX = {inbox.id: inbox for inbox in INBOXES}
# One JSON object per inbox, shared by every contact that writes in it (as one row would be in
# a database); nothing mutates the raw contacts.
_INBOX_JSON = {inbox.id: inbox.as_json() for inbox in INBOXES}
# Which inboxes a contact from each locale tends to write in (repeats make one more likely).
_INBOX_CHOICES: dict[str, tuple[int, ...]] = {
    "ja": (2, 2, 6, 6, 6, 12, 12, 1, 3),
    "zh": (7, 7, 8, 8, 1, 3, 4),
    "ko": (1, 3, 10, 11),
    "ru": (5, 5, 5, 1, 3, 4),
    "ar": (4, 4, 4, 1, 3),
    "es": (4, 4, 1, 3, 10, 11),
}
_DEFAULT_INBOXES = (1, 1, 3, 3, 4, 9, 10, 11, 5)
_INBOX_COUNT_EDGES = (0.08, 0.7, 0.92, 1.0)  # 0, 1, 2 or 3 inboxes
_PLANS = ("free", "free", "starter", "starter", "pro", "pro", "pro", "enterprise")
_SIGNUP_SOURCES = ("webinar", "organic", "partner referral", "展示会", "ads", "")
_IP_PREFIXES = ("203.0.113.", "198.51.100.", "192.0.2.")  # documentation ranges only
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def generate_contacts(count: int = 1000, seed: int = 7) -> list[DemoContact]:
    """``count`` contacts drawn from ``seed``; the same arguments give the same list.

    Ids are unique and ascending (with gaps, as in a real account). 1,000 contacts take about
    15 ms and 100,000 about a second and a half.

    Raises:
        ValueError: ``count`` is negative.
    """
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    rand = random.Random(seed).random  # noqa: S311 - reproducible demo data, not secrets
    contacts: list[DemoContact] = []
    append = contacts.append
    next_id = FIRST_ID
    last = len(LOCALES) - 1
    # Building many small dicts makes the cyclic collector rescan them again and again; none
    # of them can form a cycle, so it is paused while they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(count):
            next_id += 1 + int(rand() * rand() * 4)
            locale = LOCALES[min(bisect.bisect(_LOCALE_EDGES, rand()), last)]
            append(_contact(rand, next_id, locale))
    finally:
        if collecting:
            gc.enable()
    return contacts


def _pick(items: Sequence[_T], rand: Rand) -> _T:
    return items[int(rand() * len(items))]


def _contact(rand: Rand, contact_id: int, locale: Locale) -> DemoContact:
    given_items = locale.given
    given, given_ascii, gender = given_items[int(rand() * len(given_items))]
    family_items = locale.family
    family_male, family_female, family_ascii = family_items[int(rand() * len(family_items))]
    family = family_female if gender == "f" else family_male
    regions = locale.regions
    region = regions[int(rand() * len(regions))]

    # --- name and e-mail ---------------------------------------------------------------------
    if rand() < locale.romanised:
        name: str | None = f"{given_ascii.title()} {family_ascii.title()}"
    elif locale.family_first:
        name = family + _pick(locale.separators, rand) + given
    else:
        name = f"{given} {family}"
    company, company_domain = _pick(locale.companies, rand) if rand() < 0.82 else ("", "")
    shape = rand()
    if shape < 0.4:
        local = f"{given_ascii}.{family_ascii}"
    elif shape < 0.65:
        local = f"{given_ascii[0]}{family_ascii}"
    elif shape < 0.85:
        local = f"{family_ascii}.{given_ascii}{contact_id % 97}"
    else:
        local = f"{given_ascii}{contact_id % 1000}"
    if rand() < 0.08:
        local = local.title()  # people do type Capitalised.Addresses
    use_company = company_domain and rand() < 0.6
    domain = company_domain if use_company else _pick(locale.mail_domains, rand)
    email: str | None = f"{local}@{domain}"
    odd = rand()
    if odd < 0.015:
        name = None
    elif odd < 0.02:
        name = ""
    elif odd < 0.05:
        name = local.lower()  # made from an e-mail, before anyone typed a name
    if rand() < 0.06 and name:
        email = None

    # --- phone, identifier, times ------------------------------------------------------------
    phone: str | None = None
    if rand() >= 0.22:
        digits = region.digits
        number = str(int(rand() * 10**digits)).zfill(digits)
        phone = region.dial + _pick(region.mobile, rand) + number
    kind = rand()
    identifier: str | None
    if kind < 0.45:
        identifier = None
    elif kind < 0.75:
        identifier = f"cus_{int(rand() * 2**40):010x}"
    elif kind < 0.9:
        identifier = f"{locale.code.upper()}-{contact_id}"
    else:
        identifier = str(contact_id - FIRST_ID + 1000)
    created_at = REFERENCE_EPOCH - 3600 - int(rand() * _SPAN)
    activity = rand()

    labels = tuple([title for title, share in _LABEL_SHARES[locale.code] if rand() < share])

    raw: dict[str, Any] = {
        "additional_attributes": _additional_attributes(
            rand, locale, region, company, f"{given_ascii}{family_ascii[:1]}{contact_id % 100}"
        ),
        "availability_status": "online" if rand() < 0.1 else "offline",
        "email": email,
        "id": contact_id,
        "name": name,
        "phone_number": phone,
        "blocked": rand() < 0.02,
        "identifier": identifier,
        "thumbnail": "" if rand() < 0.75 else f"https://avatars.example.com/u/{contact_id}.png",
        "custom_attributes": _custom_attributes(rand, locale, labels),
    }
    if activity >= 0.08:
        raw["last_activity_at"] = REFERENCE_EPOCH - int(
            (REFERENCE_EPOCH - created_at) * rand() ** 2
        )
    elif activity >= 0.06:
        raw["last_activity_at"] = None  # most servers omit it when unknown; some send null
    raw["created_at"] = created_at
    raw["contact_inboxes"] = _contact_inboxes(rand, locale, email, phone)
    return DemoContact(raw=raw, labels=labels)


def _additional_attributes(
    rand: Rand, locale: Locale, region: Region, company: str, handle: str
) -> dict[str, Any]:
    if rand() < 0.03:
        return {}  # created through the API with nothing but a name
    city_en, city_local = _pick(region.cities, rand)
    where = rand()
    city = "" if where < 0.08 else (city_local if where < 0.4 else city_en)
    where = rand()
    country = "" if where < 0.05 else (region.local_country if where < 0.18 else region.country)
    social = {"github": "", "twitter": "", "facebook": "", "linkedin": "", "instagram": ""}
    if rand() < 0.25:
        social["github"] = handle
    if rand() < 0.2:
        social["twitter"] = handle
    if rand() < 0.15:
        social["linkedin"] = handle
    if rand() < 0.06:
        social["facebook"] = handle
        social["instagram"] = handle
    telegram = f"@{handle}" if rand() < (0.35 if locale.code == "ru" else 0.06) else ""
    attrs: dict[str, Any] = {
        "city": city,
        "country": country,
        "telegram": telegram,
        "description": _pick(locale.descriptions, rand) if rand() < 0.3 else "",
        "company_name": company,
        "country_code": region.code if country or rand() < 0.5 else "",
        "social_profiles": social,
    }
    extra = rand()
    if extra < 0.18:
        attrs["created_at_ip"] = _pick(_IP_PREFIXES, rand) + str(1 + int(rand() * 254))
    if extra < 0.1:
        attrs["source_id"] = f"crm-{int(rand() * 10**6):06d}"
    if telegram and rand() < 0.5:
        attrs["social_telegram_user_name"] = handle
    return attrs


def _custom_attributes(rand: Rand, locale: Locale, labels: tuple[str, ...]) -> dict[str, Any]:
    vip = "vip" in labels
    if rand() < 0.3 and not vip:
        return {}
    plan = "enterprise" if "enterprise" in labels else _pick(_PLANS, rand)
    attrs: dict[str, Any] = {"plan": plan}
    if plan != "free":
        attrs["seats"] = 1 + int(rand() ** 3 * (500 if plan == "enterprise" else 40))
        attrs["renewal"] = _iso_date(REFERENCE_EPOCH + int(rand() * 365) * _DAY)
    attrs["vip"] = vip
    if rand() < 0.4:
        attrs["lifetime_value"] = round(rand() * 25_000, 2)
    if rand() < 0.3:
        attrs["preferred_language"] = locale.language
    if rand() < 0.2:
        attrs["nps"] = int(rand() * 11)
    if rand() < 0.15:
        attrs["signup_source"] = _pick(_SIGNUP_SOURCES, rand)
    return attrs


def _contact_inboxes(
    rand: Rand, locale: Locale, email: str | None, phone: str | None
) -> list[dict[str, Any]]:
    count = bisect.bisect(_INBOX_COUNT_EDGES, rand())
    choices = _INBOX_CHOICES.get(locale.code, _DEFAULT_INBOXES)
    seen: list[int] = []
    for _ in range(count):
        inbox_id = choices[int(rand() * len(choices))]
        if inbox_id not in seen:
            seen.append(inbox_id)
    return [
        {"source_id": _source_id(rand, _INBOX[i], email, phone), "inbox": _INBOX_JSON[i]}
        for i in seen
    ]


def _source_id(rand: Rand, inbox: DemoInbox, email: str | None, phone: str | None) -> str:
    channel = inbox.channel_type
    if channel == "Channel::Email" and email:
        return email
    if channel in {"Channel::Whatsapp", "Channel::Sms"} and phone:
        return phone.lstrip("+")
    if channel == "Channel::Telegram":
        return str(10**8 + int(rand() * 9 * 10**9))
    if channel == "Channel::Line":
        return f"U{int(rand() * 2**52):013x}{int(rand() * 2**52):013x}{int(rand() * 2**24):06x}"
    if channel in {"Channel::FacebookPage", "Channel::Instagram"}:
        return str(10**15 + int(rand() * 9 * 10**14) * 10 + int(rand() * 10))
    if channel == "Channel::Api":
        return f"src_{int(rand() * 10**6):06d}"
    text = f"{int(rand() * 2**52):013x}{int(rand() * 2**52):013x}{int(rand() * 2**24):06x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:32]}"


def _iso_date(epoch: int) -> str:
    return date.fromordinal(_EPOCH_ORDINAL + epoch // _DAY).isoformat()
