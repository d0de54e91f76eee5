"""The role of each date, amount and person in a brief, decided by its context."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tools.brief import read_brief
from tools.money import Money
from tools.reading.structure import read_structure

TODAY = date(2026, 12, 7)


def read(body: str):
    return read_brief(
        f"# Replace the ticketing tool\n\nWe move to a new ITSM tool.\n\n{body}\n", today=TODAY
    )


# --- structure ---------------------------------------------------------------------------


def test_structure_of_a_forwarded_email_with_a_table_and_a_signature() -> None:
    doc = read_structure(
        "From: Ann <ann@x.com>\nSent: 04 December 2026 09:00\nSubject: plan\n\nHi Bo,\n\n"
        "## Team\n\n| Name | Role | Allocation |\n|---|---|---|\n| Priya Nair | DBA | 60% |\n\n"
        "Budget: EUR 450k\n- cut-over in June\n\nRegards\nAnn Smith\n+44 20 7946 0000\n"
    )
    kinds = [(x.kind, x.label) for x in doc.lines if x.kind != "blank"]
    assert kinds[:3] == [("header", ""), ("header", ""), ("header", "")]
    row = next(x for x in doc.lines if x.kind == "table" and "Priya" in x.raw)
    assert row.cells == {"name": "Priya Nair", "role": "DBA", "allocation": "60%"}
    assert row.section == "team"
    budget = next(x for x in doc.lines if x.label == "budget")
    assert budget.content == "EUR 450k" and doc.text[budget.content_start :].startswith("EUR 450k")
    assert [x.kind for x in doc.lines if x.content.startswith("+44")] == ["signature"]


# --- dates -------------------------------------------------------------------------------


def test_dates_take_their_role_from_the_words_around_them() -> None:
    r = read(
        "Kick-off w/c 11 Jan. Everything has to be swapped by Fri 24 Sept; the old contract "
        "ends 31 October. No deployment waves w/c 29 Mar (Easter). Raj is on paternity leave "
        "for 2 weeks from w/c 14 June.\n\nTeam:\n- Raj Mistry - endpoint engineer, full time"
    )
    assert (r.brief.start, r.brief.deadline) == (date(2027, 1, 11), date(2027, 9, 24))
    assert r.quotes["deadline"] == "Fri 24 Sept"
    assert [(f.start, f.finish) for f in r.freezes] == [(date(2027, 3, 29), date(2027, 4, 2))]
    raj = next(p for p in r.people if p.name == "Raj Mistry")
    assert [(a.start, a.finish) for a in raj.absences] == [(date(2027, 6, 14), date(2027, 6, 27))]


def test_a_deadline_relative_to_the_start() -> None:
    r = read(
        "Kickoff is on **2 February**, and all three clusters on 16 within six months from kickoff."
    )
    assert (r.brief.start, r.brief.deadline) == (date(2027, 2, 2), date(2027, 8, 2))


def test_an_ambiguous_numeric_date_is_said() -> None:
    r = read("Deadline: 03/01/2027.")
    assert r.brief.deadline == date(2027, 1, 3)
    assert any("03/01/2027" in a and "assumed" in a and "March" in a for a in r.assumptions)


def test_history_is_not_a_project_date() -> None:
    r = read("Our clusters went out of support in November 2025. Go-live by 30 June 2027.")
    assert r.brief.deadline == date(2027, 6, 30)
    assert r.brief.start == date(2026, 12, 7)


# --- money -------------------------------------------------------------------------------


def test_amounts_take_their_role_from_the_words_around_them() -> None:
    r = read(
        "Money: £1.2m all-in, and that INCLUDES the hardware. Dell's quote is £655 per unit, "
        "so £917k for the 1,400. Secure disposal is £18 a unit (~£25k). Contractors at "
        "£320/day each. A third year of support would cost £400k, which we avoid."
    )
    assert (r.brief.budget.amount, r.brief.budget.currency) == (Decimal(1_200_000), "GBP")
    costs = {c.amount.amount for c in r.brief.non_labour if c.amount}
    assert costs == {Decimal(917_000), Decimal(25_000)}
    assert [c.what for c in r.brief.non_labour if c.amount is None] == ["hardware"]
    assert all(c.in_budget for c in r.brief.non_labour)


def test_a_unit_price_times_its_count() -> None:
    r = read("Budget: EUR 300k. We buy 140 handhelds at EUR 1,100 each.")
    assert [c.amount and c.amount.amount for c in r.brief.non_labour] == [Decimal(154_000)]


def test_a_cost_outside_the_budget_is_read_as_such() -> None:
    r = read(
        "Budget: 1,2 Mio. EUR, NOT the Snowflake consumption: this is paid from the IT operation"
        " budget (ca. 15.000 EUR per month)."
    )
    assert (r.brief.budget.amount, r.brief.budget.currency) == (Decimal(1_200_000), "EUR")
    (cost,) = r.brief.non_labour
    assert (cost.amount.amount, cost.per, cost.in_budget) == (Decimal(15_000), "month", False)


def test_a_monthly_cost_over_the_months_named() -> None:
    r = read("Budget USD 400k. Azure Database for PostgreSQL ~USD 3.5k/month Feb-Jun.")
    assert [c.amount.amount for c in r.brief.non_labour] == [Decimal(17_500)]


# --- people ------------------------------------------------------------------------------


def test_people_from_a_team_table_keep_names_roles_shares_and_rates() -> None:
    r = read(
        "## Team\n\n| Name | Role | Allocation | Rate |\n|---|---|---|---|\n"
        "| Lena Okafor | Lead DBA | 100% | internal |\n"
        "| Marcus Bell | DBA (contractor) | 100% | $85/hour |\n"
        "| Devika Rao | QA (contractor) | 50% | $70/hour |"
    )
    people = {
        p.name: (p.role, p.availability, p.rate and p.rate.amount, p.per)
        for p in r.people
        if p.name
    }
    assert people == {
        "Lena Okafor": ("dba", 1.0, None, None),
        "Marcus Bell": ("dba", 1.0, Decimal(85), "hour"),
        "Devika Rao": ("tester", 0.5, Decimal(70), "hour"),
    }
    assert r.brief.team_size == 4  # and an assumed PM, said so
    assert any("project manager is assumed" in a for a in r.assumptions)


def test_a_team_line_in_prose_with_counts_names_and_the_author() -> None:
    r = read_brief(
        "Subject: scanner app\n\nTeam:\n- me - Krzysztof Wiśniewski, IT logistics manager, "
        "project manager, around 50% of my time\n- Łukasz Mazur - ABAP developer, 50%\n"
        "- from software house: 2 Android developers, Marcin and Paweł, full time, and 1 "
        "tester, Ola, full time\n- key users from every warehouse (they are not counted)\n",
        today=TODAY,
    )
    names = {p.name: (p.role, p.availability) for p in r.people if p.name}
    assert names == {
        "Krzysztof Wiśniewski": ("project manager", 0.5),
        "Łukasz Mazur": ("developer", 0.5),
        "Marcin": ("mobile developer", 1.0),
        "Paweł": ("mobile developer", 1.0),
        "Ola": ("tester", 1.0),
    }
    assert r.brief.team_size == 5


def test_you_as_pm_is_the_reader_named_in_the_greeting_and_the_to_line() -> None:
    r = read_brief(
        "From: Gareth Pryce <g@x.uk>\nTo: Sophie Adeyemi <s@x.uk>\nSubject: Laptop refresh\n\n"
        "Hi Sophie,\n\nPlease plan the laptop refresh.\n\nTeam as it stands:\n"
        "- Raj Mistry - Intune / endpoint engineer, full time on this\n"
        "- 4 contract deployment engineers at £320/day each\n- you as PM\n\nThanks\nGareth\n",
        today=TODAY,
    )
    assert {p.name for p in r.people} == {"Raj Mistry", "Sophie Adeyemi", None}
    assert r.brief.team_size == 6
    assert next(p for p in r.people if p.name == "Sophie Adeyemi").role == "project manager"


def test_a_person_named_with_a_role_anywhere() -> None:
    r = read("The cut-over needs Anna (DBA, 50%) on both weekends. Team: two developers.")
    anna = next(p for p in r.people if p.name == "Anna")
    assert (anna.role, anna.availability) == ("dba", 0.5)


def test_a_role_then_a_name_and_company_names_are_not_people() -> None:
    r = read(
        "Our DBA Priya Nair does the upgrade with the test lead, Tom Baker. Our partner dataX "
        "GmbH brings two consultants."
    )
    named = {p.name: p.role for p in r.people if p.name}
    assert named == {"Priya Nair": "dba", "Tom Baker": "tester"}


def test_a_start_said_only_by_from_is_taken_and_said() -> None:
    r = read("The new tool should be live by end of June 2027. Devs are free from mid-January.")
    assert r.brief.start == date(2027, 1, 18)  # the Monday after mid-January
    assert any("assumed the project starts" in a for a in r.assumptions)


def test_a_system_the_project_talks_to_is_not_its_kind() -> None:
    r = read_brief(
        "# Customer self-service portal\n\nWe build a web portal and mobile app where customers "
        "see their orders and invoices. The portal integrates with SAP for orders and with "
        "SAP S/4HANA for invoices via OData APIs.\n",
        today=TODAY,
    )
    assert r.brief.archetype == "web_mobile_product"


# --- the shapes briefs come in ----------------------------------------------------------------


def test_a_plain_text_team_table_under_a_heading_in_capitals() -> None:
    r = read(
        "start:      18 Jan 2027\n"
        "hard_date:  30/09/2027 - support ends\n\n"
        "TEAM\n\n"
        "NAME               ROLE                  ALLOCATION\n"
        "Owen Pritchard     project manager       50%\n"
        "Nadia Rahman       storage engineer      60%\n"
        "Steve Collins      network engineer      1 day/week\n"
    )
    assert (r.brief.start, r.brief.deadline) == (date(2027, 1, 18), date(2027, 9, 30))
    assert [(p.name, p.availability) for p in r.people] == [
        ("Owen Pritchard", 0.5),
        ("Nadia Rahman", 0.6),
        ("Steve Collins", 0.2),
    ]


def test_attendees_are_not_the_team_the_notes_declare() -> None:
    r = read(
        "# Firewall refresh - planning meeting\n\n"
        "**Attendees**\n"
        "- Priya Nair - IT Project Manager (me)\n"
        "- Gareth Evans - Network Lead\n"
        "- Sarah Whitlock - Finance Business Partner\n\n"
        "## Decisions\n"
        "- Team: me as PM, 3 days a week. Gareth technical lead at 50%."
        " Plus the 2 Acme engineers.\n"
    )
    named = {(p.name, p.availability) for p in r.people if p.name}
    assert named == {("Priya Nair", 0.6), ("Gareth Evans", 0.5)}
    assert r.brief.team_size == 4  # Priya, Gareth and two from Acme, not Sarah


def test_a_role_label_and_people_counted_per_country() -> None:
    r = read(
        "Rollout in the UK, Ireland and the Netherlands: all three countries go live together.\n\n"
        "- PM: Hannah Price (internal, full-time)\n"
        "- 4 key users per country at roughly 20%\n"
    )
    assert [(p.name, p.role, p.count) for p in r.people] == [
        ("Hannah Price", "project manager", 1),
        (None, "business analyst", 12),
    ]


def test_a_budget_given_only_in_parts_is_their_sum_said() -> None:
    r = read("- Budget: licences £48k/yr, partner £210k (fixed price), internal backfill £35k\n")
    assert (r.brief.budget.amount, r.brief.budget.currency) == (Decimal(293_000), "GBP")
    assert any("in parts" in a and "confirm" in a for a in r.assumptions)


def test_an_ambiguous_date_follows_the_order_the_brief_writes_in() -> None:
    r = read("Start: February 1, 2027\nDeadline: 10/08/2027\n")
    assert r.brief.deadline == date(2027, 10, 8)
    assert any("month first" in a and "10 August" in a for a in r.assumptions)


def test_a_deadline_a_stated_time_before_another_date() -> None:
    r = read("Rollout no later than four weeks before the renewal on 1 July 2027.")
    assert r.brief.deadline == date(2027, 6, 3)


def test_a_unit_price_is_never_multiplied_by_its_own_digits() -> None:
    r = read(
        "Budget: GBP 420,000.\n\n"
        "- Repository servers (Dell R760xd2, ~400 TB raw): GBP 59,000 each, one per DC.\n"
        "- Switches: 12 units at GBP 4,000 each.\n"
    )
    costs = {c.what: c.amount for c in r.brief.non_labour}
    assert Money.of(48_000, "GBP") in costs.values()  # 12 x 4,000
    (servers,) = [w for w in costs if w.startswith("Repository servers")]
    assert costs[servers] is None and "59,000 each" in servers  # no count given: no figure
