"""The fixed parts of the demo account: its labels, its inboxes, its clock, and the contact record.

Everything here is constant, so the data set depends only on its seed and never on the day it
is generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

REFERENCE_NOW = datetime(2026, 11, 1, tzinfo=UTC)
"""The demo account's "now": every timestamp in the data set lies before it."""
REFERENCE_EPOCH = int(REFERENCE_NOW.timestamp())


@dataclass(frozen=True, slots=True, eq=False)
class DemoContact:
    """One contact as the demo server holds it.

    ``raw`` is the JSON object exactly as the list endpoint serves it; ``labels`` live beside
    it, server-side only, because the list response carries no labels.
    """

    raw: dict[str, Any]
    labels: tuple[str, ...] = ()

    @property
    def id(self) -> Any:
        """The raw ``id`` (an int for generated contacts; anything for hostile ones)."""
        return self.raw.get("id")


@dataclass(frozen=True, slots=True)
class DemoLabel:
    """An account label and how common it is."""

    id: int
    title: str
    color: str
    description: str
    share: float
    """Chance that a contact carries the label."""
    boost: tuple[tuple[str, float], ...] = ()
    """(locale code, share) pairs where the label is more (or less) common."""

    def share_for(self, locale: str) -> float:
        for code, share in self.boost:
            if code == locale:
                return share
        return self.share

    def as_json(self) -> dict[str, Any]:
        """The label as Chatwoot's labels endpoint lists it."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "color": self.color,
            "show_on_sidebar": True,
        }


LABELS: tuple[DemoLabel, ...] = (
    DemoLabel(1, "trial", "#1F93FF", "Evaluating a trial plan", 0.18),
    DemoLabel(2, "billing", "#F59E0B", "Questions about invoices and payment", 0.12),
    DemoLabel(3, "bug-report", "#EF4444", "Reported a defect", 0.10),
    DemoLabel(4, "onboarding", "#10B981", "In the first 30 days", 0.09),
    DemoLabel(5, "enterprise", "#6366F1", "Enterprise contract", 0.08),
    DemoLabel(6, "churn-risk", "#DC2626", "Usage dropping or unhappy", 0.06),
    DemoLabel(7, "vip", "#D97706", "Handle with priority", 0.05),
    DemoLabel(8, "partner", "#0EA5E9", "Reseller or integration partner", 0.02),
    DemoLabel(9, "优先", "#BE123C", "优先处理", 0.01, (("zh", 0.14),)),
    DemoLabel(10, "要フォロー", "#7C3AED", "フォローアップが必要", 0.01, (("ja", 0.15),)),
)
"""Ten labels with a realistic skew: a few common, most rare, two local to one language."""

LABEL_TITLES: tuple[str, ...] = tuple(label.title for label in LABELS)


@dataclass(frozen=True, slots=True)
class DemoInbox:
    """An inbox (channel) of the demo account."""

    id: int
    name: str
    channel_type: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "channel_type": self.channel_type}


INBOXES: tuple[DemoInbox, ...] = (
    DemoInbox(1, "Website chat", "Channel::WebWidget"),
    DemoInbox(2, "カスタマーサービスチャネル", "Channel::Api"),
    DemoInbox(3, "Support mailbox", "Channel::Email"),
    DemoInbox(4, "WhatsApp Business", "Channel::Whatsapp"),
    DemoInbox(5, "Telegram bot", "Channel::Telegram"),
    DemoInbox(6, "LINE公式アカウント", "Channel::Line"),
    DemoInbox(7, "客服中心", "Channel::WebWidget"),
    DemoInbox(8, "销售咨询", "Channel::Api"),
    DemoInbox(9, "SMS", "Channel::Sms"),
    DemoInbox(10, "Facebook page", "Channel::FacebookPage"),
    DemoInbox(11, "Instagram", "Channel::Instagram"),
    DemoInbox(12, "お問い合わせメール", "Channel::Email"),
)
