"""The team from a brief: named people kept as read, the rest assumed and said so."""

from __future__ import annotations

from datetime import date

from tools.brief import PersonCue
from tools.domain import Absence
from tools.roster import build_team

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
