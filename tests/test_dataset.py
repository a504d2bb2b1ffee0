"""The demo data set: deterministic for a seed, shaped like LiveDesk's contacts, varied enough
to show every script and every empty state, and the hostile contacts."""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections import Counter
from itertools import pairwise

import pytest

from livedesk_tui.api.models import Contact
from livedesk_tui.api.sanitize import clean
from livedesk_tui.demo.catalogue import (
    INBOXES,
    LABEL_TITLES,
    LABELS,
    REFERENCE_EPOCH,
    REFERENCE_NOW,
    DemoContact,
)
from livedesk_tui.demo.dataset import FIRST_ID, generate_contacts, hostile_contacts

CONTACT_KEYS = {
    "additional_attributes",
    "availability_status",
    "email",
    "id",
    "name",
    "phone_number",
    "blocked",
    "identifier",
    "thumbnail",
    "custom_attributes",
    "created_at",
    "contact_inboxes",
}
ATTRIBUTE_KEYS = {
    "city",
    "country",
    "country_code",
    "company_name",
    "description",
    "telegram",
    "social_profiles",
}
SOCIAL_KEYS = {"github", "twitter", "facebook", "linkedin", "instagram"}
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
CHANNELS = {inbox.channel_type for inbox in INBOXES}


@pytest.fixture(scope="module")
def contacts() -> list[DemoContact]:
    return generate_contacts(1000, seed=7)


def dump(contacts: list[DemoContact]) -> str:
    return json.dumps([[c.raw, c.labels] for c in contacts], ensure_ascii=False, sort_keys=False)


def script_of(text: str) -> set[str]:
    """The writing systems of the letters in ``text``, from their Unicode names."""
    found = set()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        for script in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "CYRILLIC", "ARABIC", "LATIN"):
            if name.startswith(script):
                found.add(script)
        if name.startswith("LATIN") and ord(char) > 0x7F:
            found.add("LATIN ACCENTED")
    return found


# --- determinism ----------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_contacts_byte_for_byte() -> None:
    assert dump(generate_contacts(300, seed=7)) == dump(generate_contacts(300, seed=7))
    assert dump(generate_contacts(300, seed=123)) == dump(generate_contacts(300, seed=123))


def test_another_seed_gives_other_contacts() -> None:
    first = generate_contacts(50, seed=7)
    second = generate_contacts(50, seed=8)
    assert [c.raw["name"] for c in first] != [c.raw["name"] for c in second]


def test_a_smaller_count_is_a_prefix_of_a_larger_one() -> None:
    assert dump(generate_contacts(40, seed=7)) == dump(generate_contacts(400, seed=7)[:40])


def test_zero_contacts_and_a_negative_count() -> None:
    assert generate_contacts(0) == []
    with pytest.raises(ValueError, match="count"):
        generate_contacts(-1)


def test_the_reference_clock_is_fixed() -> None:
    assert REFERENCE_NOW.isoformat() == "2026-11-01T00:00:00+00:00"
    assert int(REFERENCE_NOW.timestamp()) == REFERENCE_EPOCH


# --- shape ----------------------------------------------------------------------------------


def test_every_contact_has_the_livedesk_shape(contacts: list[DemoContact]) -> None:
    for contact in contacts:
        raw = contact.raw
        assert CONTACT_KEYS <= raw.keys() <= CONTACT_KEYS | {"last_activity_at"}
        assert type(raw["id"]) is int
        assert raw["id"] == contact.id
        assert raw["availability_status"] in {"online", "offline"}
        assert type(raw["blocked"]) is bool
        assert type(raw["created_at"]) is int and raw["created_at"] < REFERENCE_EPOCH
        if raw.get("last_activity_at") is not None:
            assert raw["created_at"] <= raw["last_activity_at"] <= REFERENCE_EPOCH
        for key in ("name", "email", "phone_number", "identifier"):
            assert raw[key] is None or isinstance(raw[key], str)
        if raw["phone_number"] is not None:
            assert E164.fullmatch(raw["phone_number"]), raw["phone_number"]
        if raw["email"] is not None:
            local, at, domain = raw["email"].partition("@")
            assert local and at and raw["email"].isascii() and "@" not in domain
            assert "example" in domain.split(".")  # invented addresses only
        attrs = raw["additional_attributes"]
        assert isinstance(attrs, dict)
        if attrs:
            assert attrs.keys() >= ATTRIBUTE_KEYS
            assert set(attrs["social_profiles"]) == SOCIAL_KEYS
        assert isinstance(raw["custom_attributes"], dict)
        for item in raw["contact_inboxes"]:
            assert isinstance(item["source_id"], str) and item["source_id"]
            assert set(item["inbox"]) == {"id", "name", "channel_type"}
            assert item["inbox"]["channel_type"] in CHANNELS
        assert set(contact.labels) <= set(LABEL_TITLES)
        assert len(set(contact.labels)) == len(contact.labels)


def test_ids_are_unique_and_ascending(contacts: list[DemoContact]) -> None:
    ids = [c.raw["id"] for c in contacts]
    assert ids == sorted(set(ids))
    assert ids[0] > FIRST_ID


def test_contacts_survive_a_json_round_trip(contacts: list[DemoContact]) -> None:
    text = json.dumps([c.raw for c in contacts], ensure_ascii=False)
    assert json.loads(text) == [c.raw for c in contacts]


def test_the_client_models_read_every_contact(contacts: list[DemoContact]) -> None:
    for demo in contacts:
        contact = Contact.from_json(demo.raw)
        assert contact.id == demo.raw["id"]
        assert contact.created_at is not None
        assert contact.display_name


# --- variety --------------------------------------------------------------------------------


def test_names_come_in_many_scripts(contacts: list[DemoContact]) -> None:
    scripts: Counter[str] = Counter()
    for contact in contacts:
        for script in script_of(contact.raw["name"] or ""):
            scripts[script] += 1
    for script in ("HIRAGANA", "HANGUL", "CYRILLIC", "ARABIC", "LATIN ACCENTED"):
        assert scripts[script] >= 5, (script, scripts)
    assert scripts["CJK"] >= 200  # Japanese and Chinese names lead, as in LiveDesk accounts
    assert scripts["LATIN"] >= 200


def test_inbox_names_include_japanese_and_chinese(contacts: list[DemoContact]) -> None:
    names = {item["inbox"]["name"] for c in contacts for item in c.raw["contact_inboxes"]}
    assert any("HIRAGANA" in script_of(n) or "KATAKANA" in script_of(n) for n in names)
    assert any(script_of(n) == {"CJK"} for n in names)
    channels = {
        item["inbox"]["channel_type"] for c in contacts for item in c.raw["contact_inboxes"]
    }
    assert {"Channel::Api", "Channel::WebWidget", "Channel::Email", "Channel::Whatsapp"} <= channels
    assert "Channel::Telegram" in channels


def test_real_world_holes_are_there(contacts: list[DemoContact]) -> None:
    raws = [c.raw for c in contacts]
    assert sum(r["name"] is None for r in raws) >= 3
    assert sum(r["email"] is None for r in raws) >= 10
    assert sum(r["phone_number"] is None for r in raws) >= 100
    assert sum("last_activity_at" not in r for r in raws) >= 20
    assert sum(r["additional_attributes"].get("company_name") == "" for r in raws) >= 50
    assert sum(r["additional_attributes"] == {} for r in raws) >= 3
    assert sum(r["contact_inboxes"] == [] for r in raws) >= 20
    assert sum(r["custom_attributes"] == {} for r in raws) >= 50
    # but most contacts are filled in
    assert sum(r["name"] is not None for r in raws) >= 950


def test_attributes_carry_extra_keys_and_free_form_values(contacts: list[DemoContact]) -> None:
    extras = Counter(
        key for c in contacts for key in c.raw["additional_attributes"] if key not in ATTRIBUTE_KEYS
    )
    assert extras["created_at_ip"] > 0 and extras["source_id"] > 0
    custom = [c.raw["custom_attributes"] for c in contacts if c.raw["custom_attributes"]]
    types = {type(value) for attrs in custom for value in attrs.values()}
    assert {str, int, float, bool} <= types
    renewals = [attrs["renewal"] for attrs in custom if "renewal" in attrs]
    assert renewals and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r) for r in renewals)


def test_vip_attribute_agrees_with_the_vip_label(contacts: list[DemoContact]) -> None:
    for contact in contacts:
        attrs = contact.raw["custom_attributes"]
        if "vip" in contact.labels:
            assert attrs.get("vip") is True
        elif attrs:
            assert attrs.get("vip") is False


def test_labels_are_skewed_like_a_real_account(contacts: list[DemoContact]) -> None:
    counts = Counter(label for c in contacts for label in c.labels)
    assert set(counts) == set(LABEL_TITLES)
    assert len(LABELS) == 10
    assert counts["trial"] > counts["vip"] > counts["partner"] > 0
    assert counts["优先"] > 0 and counts["要フォロー"] > 0
    unlabelled = sum(not c.labels for c in contacts)
    assert 300 <= unlabelled <= 700
    assert any(len(c.labels) >= 3 for c in contacts)


def test_local_labels_follow_their_language(contacts: list[DemoContact]) -> None:
    follow_up = [c.raw["name"] or "" for c in contacts if "要フォロー" in c.labels]
    japanese = sum(
        bool(script_of(name) & {"HIRAGANA", "KATAKANA", "CJK"}) or not name for name in follow_up
    )
    assert japanese > len(follow_up) / 2


def test_names_are_plain_text(contacts: list[DemoContact]) -> None:
    for contact in contacts:
        for key in ("name", "email", "phone_number", "identifier"):
            value = contact.raw[key]
            if value is not None:
                assert clean(value) == value  # no controls in the ordinary data


def test_a_hundred_thousand_contacts_build(large_dataset: list[DemoContact]) -> None:
    assert len(large_dataset) == 100_000
    ids = [c.raw["id"] for c in large_dataset]
    assert all(a < b for a, b in pairwise(ids))
    assert dump(large_dataset[:200]) == dump(generate_contacts(200, seed=7))


# --- hostile contacts -----------------------------------------------------------------------


def strings_in(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in strings_in(key) + strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


@pytest.mark.parametrize(
    "needle",
    [
        "[bold red]x[/]",
        "[link=",
        "\x1b[31m",
        "\x1b]52;",
        "\x07",
        "\x00",
        "\x85",
        "\u202e",
        "\u200b",
        "\u0301",
        "👩\u200d💻",
        "龘",
        "ｆｕｌｌｗｉｄｔｈ",
        "=cmd|' /C calc'!A0",
    ],
)
def test_hostile_contacts_carry_each_trap(needle: str) -> None:
    assert any(needle in text for c in hostile_contacts() for text in strings_in(c.raw))


def test_hostile_contacts_have_very_long_strings_and_wrong_types() -> None:
    raws = [c.raw for c in hostile_contacts()]
    assert max(len(r["name"]) for r in raws if isinstance(r["name"], str)) >= 2000
    assert any(r["email"] == "=cmd|' /C calc'!A0" for r in raws)
    assert any(isinstance(r["id"], str) for r in raws)
    assert any(r["blocked"] == "true" for r in raws)
    assert any(isinstance(r["created_at"], str) for r in raws)
    assert any(r["additional_attributes"] is None for r in raws)


def test_hostile_contacts_are_fresh_each_call_with_small_unique_ids() -> None:
    first = hostile_contacts()
    first[0].raw["name"] = "changed"
    second = hostile_contacts()
    assert second[0].raw["name"] != "changed"
    ids = [str(c.raw["id"]) for c in second]
    assert len(set(ids)) == len(ids)
    assert all(int(i) < FIRST_ID for i in ids)


def test_the_client_models_read_every_hostile_contact() -> None:
    for demo in hostile_contacts():
        contact = Contact.from_json(copy.deepcopy(demo.raw))
        assert contact.key
        assert isinstance(contact.display_name, str)
