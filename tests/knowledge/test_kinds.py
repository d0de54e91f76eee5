"""Kinds by meaning with the shipped MiniLM model: close templates are found, and a brief of
no kind we know is close to none."""

from __future__ import annotations

import pytest

from knowledge.kinds import KindMatcher
from knowledge.models import GENERIC
from knowledge.templates import load_templates
from tools.brief.kinds import CLOSE


@pytest.fixture(scope="module")
def matcher() -> KindMatcher:
    return KindMatcher.local(load_templates())


def test_every_kind_but_the_generic_one_is_compared(matcher: KindMatcher) -> None:
    near = matcher.similarity("Move 1,200 mailboxes from Google Workspace to Microsoft 365")
    assert set(near) == set(load_templates()) - {GENERIC}
    assert all(-1.0 <= v <= 1.0 for v in near.values())


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "Move our 1,200 mailboxes and shared drives from Google Workspace to Microsoft 365,"
            " with Teams and OneDrive",
            "workplace_m365_migration",
        ),
        (
            "Single sign-on and MFA for 60 SaaS apps with Okta, joiner-mover-leaver from Workday",
            "identity_sso_rollout",
        ),
    ],
)
def test_a_brief_is_close_to_its_own_kind(matcher: KindMatcher, text: str, kind: str) -> None:
    near = matcher.similarity(text)
    assert max(near, key=near.__getitem__) == kind
    assert near[kind] >= CLOSE


def test_a_brief_of_no_known_kind_is_close_to_none(matcher: KindMatcher) -> None:
    near = matcher.similarity(
        "Robotic process automation pilot: software robots for five claims back-office"
        " processes, with the RPA vendor's developers"
    )
    assert max(near.values()) < CLOSE


def test_template_vectors_are_computed_once() -> None:
    calls: list[int] = []
    inner = KindMatcher.local(load_templates())

    def counting(texts: list[str]):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return inner.embed(texts)

    m = KindMatcher(counting, load_templates())
    m.similarity("a")
    m.similarity("b")
    assert calls == [2 * (len(load_templates()) - 1), 1, 1]
