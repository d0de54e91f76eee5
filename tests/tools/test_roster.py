"""The team from a brief: named people kept as read, the rest assumed and said so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tools.brief import PersonCue, read_brief
from tools.domain import Absence, Member, Team
from tools.money import Money
from tools.roster import build_team, owner_for, stated_rates

USUAL = ["project manager", "dba", "developer", "tester"]


def test_named_people_are_kept_with_their_share_and_leave() -> None:
    away = Absence(start=date(2027, 4, 1), finish=date(2027, 4, 30))
    people = [
        PersonCue(name="Priya", role="dba", absences=[away]),
        PersonCue(name="Tomasz", role="dba", availability=0.6),
    ]
    team, notes = build_team(people, USUAL, 2)
    assert [(m.name, m.roles, m.availability) for m in team.members] == [
        ("Priya", ["dba"], 1.0),
        ("Tomasz", ["dba"], 0.6),
    ]
    assert team.members[0].absences == [away]
    assert notes == []


def test_a_stated_size_is_reached_and_the_assumption_says_how() -> None:
    team, notes = build_team([PersonCue(role="dba")], USUAL, 12)
    assert len(team.members) == 12
    assert sum("project manager" in m.roles for m in team.members) == 1
    assert "team of 12 but describes 1" in notes[0]


def test_no_team_at_all_gets_the_usual_one_said_as_an_assumption() -> None:
    team, notes = build_team([], USUAL, None)
    assert [m.roles[0] for m in team.members] == USUAL
    assert notes[0].startswith("the brief gives no team; assumed the usual mix")
    assert len({m.id for m in team.members}) == len(team.members)


CARD = {"developer": Decimal("100"), "tester": Decimal("80"), "dba": Decimal("120")}


def test_the_briefs_rates_override_the_card_weighted_by_time() -> None:
    people = [
        PersonCue(name="Ana", role="developer", rate=Money.of("520", "EUR"), per="day"),
        PersonCue(name="Ben", role="developer", availability=0.5),
        PersonCue(name="Cy", role="dba", rate=Money.of("90", "EUR"), per="hour"),
        PersonCue(name="Dee", role="tester", rate=Money.of("50", "USD"), per="hour"),
    ]
    team, _ = build_team(people, ["developer"], None)
    rates, notes = stated_rates(team, people, CARD, "EUR", hours_per_day=8.0)
    # Ana at 520/8 = 65 full time, Ben at the card's 100 half time: (65 + 50) / 1.5
    assert rates["developer"] == Decimal("76.67")
    assert rates["dba"] == Decimal("90.00")
    assert "tester" not in rates  # a rate in another currency is not the plan's
    assert notes and "Ana EUR 520.00 per day" in notes[0]


def test_the_rate_for_own_people_prices_staff_but_not_contractors() -> None:
    people = [
        PersonCue(name="Ana", role="developer"),
        PersonCue(name="Kai", role="developer", external=True),
        PersonCue(name="Tia", role="tester"),
    ]
    team, _ = build_team(people, ["developer"], None)
    staff = (Money.of("480", "EUR"), "day")
    rates, _ = stated_rates(team, people, CARD, "EUR", hours_per_day=8.0, staff=staff)
    assert rates["tester"] == Decimal("60.00")  # 480 / 8
    assert rates["developer"] == Decimal("80.00")  # Ana at 60, Kai (a contractor) at the card's 100
    assert "dba" not in rates  # nobody on the team: bought in at the card's rate


def test_the_staff_rate_is_read_from_the_brief_and_not_from_a_contractors_rate() -> None:
    text = (
        "Move the intranet to SharePoint.\n\nBudget: EUR 200k. Finance costs our own people at"
        " EUR 560 per day.\n\nThe contractor charges EUR 900/day."
    )
    reading = read_brief(text, today=date(2026, 12, 7))
    assert reading.staff_rate == Money.of("560", "EUR")
    assert reading.staff_rate_per == "day"
    only_contractor = "Move the intranet.\n\nBudget EUR 90k. The contractor costs EUR 900/day."
    assert read_brief(only_contractor, today=date(2026, 12, 7)).staff_rate is None


def test_a_risk_is_owned_by_a_person_who_holds_its_role() -> None:
    team = Team(
        members=[
            Member(id="c", name="Cara", roles=["dba"], seniority="lead", external=True),
            Member(id="p", name="Priya", roles=["dba"], seniority="senior"),
            Member(id="j", name="Joe", roles=["DBA"], seniority="junior"),
            Member(id="m", name="Mia", roles=["project manager"], availability=0.5),
        ]
    )
    # our own most senior DBA before a contractor, however senior
    assert owner_for("dba", team) == "Priya (dba)"
    assert owner_for("Dba", team) == "Priya (Dba)"
    # nobody holds the role: the PM owns it (and has to buy it in)
    assert owner_for("network engineer", team) == "Mia (project manager)"
    assert owner_for(None, team) == "Mia (project manager)"
    # already named: named again from its role, so a re-draft keeps the right person
    assert owner_for("Priya (dba)", team) == "Priya (dba)"
    # a contractor owns it when nobody else holds the role
    only = Team(members=[Member(id="c", name="Cara", roles=["dba"], external=True)])
    assert owner_for("dba", only) == "Cara (dba)"
    assert owner_for("tester", Team()) == "tester"
