"""The shared words of briefs, templates, rate cards and team rosters.

A brief says "DBAs", a template says "dba", a rate card prices "dba": one vocabulary, as data,
so that a role read from a brief meets the work packages that need it and the rate that prices
it. Size drivers are the scale cues ("2 TB", "800 users") that templates scale their estimates by.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = (
    "project manager",
    "business analyst",
    "solution architect",
    "developer",
    "mobile developer",
    "tester",
    "dba",
    "data engineer",
    "data scientist",
    "ml engineer",
    "cloud engineer",
    "sysadmin",
    "network engineer",
    "security engineer",
    "compliance analyst",
    "erp consultant",
    "crm consultant",
    "ux designer",
    "change manager",
    "trainer",
    "service desk",
)
"""Canonical role names. Team members, role demands and rate cards use exactly these."""

DRIVERS: dict[str, str] = {
    "data_tb": "data volume in terabytes",
    "users": "people who will use the system or be migrated",
    "vms": "virtual or physical servers",
    "applications": "applications in scope",
    "databases": "database instances",
    "interfaces": "integrations, interfaces or APIs to build or re-point",
    "batch_jobs": "batch or scheduled jobs",
    "sites": "physical sites or branches",
    "countries": "countries or legal entities",
    "mailboxes": "mailboxes",
    "devices": "endpoints, devices or network devices",
    "records": "records to migrate, in millions",
    "reports": "reports or dashboards",
    "controls": "compliance controls",
    "screens": "screens or user journeys",
    "models": "ML models",
    "data_sources": "source systems feeding a data platform",
}
"""Size drivers, by name, with what they count."""

ROLE_SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "solution architect": ("dba", "cloud engineer", "developer", "data engineer"),
    "business analyst": ("project manager", "crm consultant", "erp consultant"),
    "cloud engineer": ("sysadmin", "network engineer", "dba"),
    "sysadmin": ("cloud engineer", "network engineer"),
    "network engineer": ("sysadmin", "cloud engineer"),
    "dba": ("data engineer", "developer"),
    "data engineer": ("dba", "developer"),
    "developer": ("mobile developer", "data engineer", "ml engineer"),
    "mobile developer": ("developer",),
    "ml engineer": ("data scientist", "data engineer", "developer"),
    "data scientist": ("ml engineer", "data engineer"),
    "tester": ("developer", "business analyst"),
    "security engineer": ("cloud engineer", "sysadmin", "network engineer"),
    "compliance analyst": ("security engineer", "business analyst"),
    "crm consultant": ("developer", "business analyst"),
    "erp consultant": ("business analyst", "developer"),
    "ux designer": ("developer", "business analyst"),
    "change manager": ("business analyst", "trainer", "project manager"),
    "trainer": ("change manager", "business analyst"),
    "service desk": ("sysadmin", "trainer"),
}
"""Who on a team usually covers a role it lacks, nearest first: a template's demand for a role
the team does not have goes to the first of these the team does have (said in an assumption)."""
