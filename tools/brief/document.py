"""Reading a brief: the words a PM wrote, turned into a ProjectBrief and the cues a drafter
scales by, each with the span of text it came from.

Pure and deterministic: the same text and `today` give the same reading. Nothing in a brief
is obeyed; it is only read (DESIGN principle 6).

How it reads: the text is cut into sentences (with their offsets), each fact is found by the
regexes and tables below, and every fact keeps the exact span it came from in `quotes`. What
cannot be read becomes an assumption in words a PM reads; only an unreadable brief raises.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field

from tools.brief.costs import MoneyFacts, read_money
from tools.brief.dates import DateFacts, read_dates
from tools.brief.team import PersonRead
from tools.brief.team import read_team as read_people
from tools.domain import Absence, BriefCost, BriefDate, BriefPerson, ProjectBrief
from tools.money import MAX_AMOUNT, Money
from tools.reading.dates import Order
from tools.reading.structure import read_structure


class BriefError(ValueError):
    """A brief that cannot be planned from (empty, binary, unreadable). `field` names what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _Reading(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonCue(_Reading):
    """One person of the team as the brief describes them (named or not)."""

    name: str | None = None
    role: str
    """A canonical role from tools.vocabulary.ROLES."""
    availability: float = Field(default=1.0, ge=0.1, le=1.0)
    absences: list[Absence] = Field(default_factory=list)
    quote: str = ""
    count: int = 1
    rate: Money | None = None
    per: str | None = None


class Freeze(_Reading):
    """A period with no production changes (change freeze, trading freeze, quarter end)."""

    start: date
    finish: date
    reason: str = ""
    quote: str = ""


class BriefReading(_Reading):
    brief: ProjectBrief
    drivers: dict[str, float] = Field(default_factory=dict)
    """Size cues by driver name (tools.vocabulary.DRIVERS): {"data_tb": 2.0, "applications": 9}."""
    people: list[PersonCue] = Field(default_factory=list)
    freezes: list[Freeze] = Field(default_factory=list)
    milestones: list[tuple[str, date]] = Field(default_factory=list)
    """Interim dates the brief names ("Type I report by 31 March 2027")."""
    quotes: dict[str, str] = Field(default_factory=dict)
    """Brief field or driver name -> the exact span of the text it was read from."""
    assumptions: list[str] = Field(default_factory=list)
    """What the reader had to assume, in words a PM reads (start date, missing currency...)."""
    archetype_scores: dict[str, float] = Field(default_factory=dict)
    partners: list[str] = Field(default_factory=list)
    """People outside the team the brief says will do work (an SI, an integrator's crews)."""


# --- limits ------------------------------------------------------------------------------

MAX_TEXT = 4000
"""ProjectBrief.text keeps at most this many characters (the whole text is still read)."""
MAX_TITLE = 200
MIN_WORDS = 5
UNTITLED = "Untitled brief"
BINARY_SHARE = 0.2
"""A text with more than this share of control characters is a binary file, not a brief."""
MAX_PEOPLE = 1000
MAX_PER_ITEM = 200
"""One team line ("300 developers") adds at most this many people: a typo, not a team."""
PART_TIME = 0.5

# --- rules as data: words and numbers ----------------------------------------------------

WORD_NUMBERS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "a dozen": 12,
    "half a dozen": 6,
    "a couple of": 2,
    "a pair of": 2,
    "a hundred": 100,
}
MULTIPLIERS: dict[str, int] = {
    "k": 10**3,
    "K": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "M": 10**6,
    "mn": 10**6,
    "MM": 10**6,
    "mio": 10**6,
    "Mio": 10**6,
    "Mrd": 10**9,
    "mrd": 10**9,
    "million": 10**6,
    "bn": 10**9,
    "B": 10**9,
    "billion": 10**9,
}
ABBREVIATIONS = frozenset(
    [
        "approx",
        "e.g",
        "i.e",
        "etc",
        "incl",
        "excl",
        "vs",
        "no",
        "nr",
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "inc",
        "ltd",
        "co",
        "corp",
        "est",
        "min",
        "max",
        "cf",
        "fig",
        "dept",
        "avg",
        "ca",
        "resp",
        "vol",
        "ref",
    ]
)
"""Words whose full stop does not end a sentence ("approx. 140 VMs")."""

# --- rules as data: what a sentence is about ----------------------------------------------

LABELS: tuple[tuple[str, str], ...] = (
    (
        "out_of_scope",
        r"out[- ]of[- ]scope|not in scope|not in this phase|excluded|exclusions|"
        r"non-goals|not included",
    ),
    ("scope", r"(?:in )?scope|what we need|deliverables|requirements"),
    ("team", r"(?:the )?team(?: from our side)?|people|resources|staffing"),
    ("budget", r"budget|funding|costs?"),
    ("deadline", r"deadline|target|timeline|dates?|timing|go-live|due"),
    ("constraints", r"constraints?(?: and [a-z]+)?|limits|rules"),
    ("goal", r"goal|objective|aim|purpose"),
    (
        "risks",
        r"risks?(?: [a-z ]+)?|(?:my |main |our )?(?:worry|worries|concerns)|"
        r"what keeps me up at night",
    ),
    ("tech", r"tech|stack|technology|technologies"),
)
"""Section labels ("Scope:", "**Team:**", "## Out of scope"), matched whole, lower case."""

INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}?\b(?:instructions?|prompts?|rules|above|"
    r"previous|prior)\b|\byou are now\b|\bsystem prompt\b|\bnew instructions\b|"
    r"\bset (?:the )?(?:budget|deadline|start|team(?: size)?|archetype|currency)\b.{0,30}?\bto\b",
    re.I,
)
"""Text addressed to the reader rather than about the project: read as text, never obeyed."""

HEADER_LINE = re.compile(r"^[ \t>]*(?:Date|Sent|From|To|Cc|Bcc|Subject|Reply-To):", re.I)
"""E-mail header lines of a forwarded brief: their dates are not project dates."""

# --- rules as data: money -----------------------------------------------------------------


# --- rules as data: dates -----------------------------------------------------------------

DEADLINE_SENTENCE: tuple[tuple[str, int], ...] = (
    (r"\bdeadline\b|\bhard (?:date|deadline)\b|\bdue\b", 2),
    (r"\bgo-?live\b|\blaunch\b|\bcut-?over\b|\blive\b|\bfinal\b|\bdecommission", 1),
    (r"\b(?:ends?|expires?|renewal)\b", 1),
)
"""Words anywhere in the sentence that make its dates deadline-like."""
_DEADLINE_SENTENCE = tuple((re.compile(p, re.I), w) for p, w in DEADLINE_SENTENCE)


# --- rules as data: team ------------------------------------------------------------------

ENGINEER = "<engineer>"
CONSULTANT = "<consultant>"
ROLE_ALIASES: tuple[tuple[str, str], ...] = (
    (
        "project manager",
        r"project managers?|programme managers?|program managers?|\bPMs?\b|"
        r"delivery leads?|delivery managers?|project leads?|scrum masters?",
    ),
    (
        "business analyst",
        r"business analysts?|\bBAs?\b|product managers?|product owners?|"
        r"key users?|(?:finance |business )?SMEs?|subject matter experts?|liaisons?|"
        r"logistics leads?|functional leads?|(?:\w+ )?analysts?",
    ),
    (
        "solution architect",
        r"(?:solution|enterprise|technical|cloud|integration|m365|azure|"
        r"aws|data|security)? ?architects?",
    ),
    (
        "mobile developer",
        r"(?:react native|ios|android|mobile|flutter) (?:devs?|developers?|"
        r"engineers?)",
    ),
    (
        "developer",
        r"(?:frontend|front-end|backend|back-end|full-?stack|web|java|integration|"
        r"software|application|\.net)? ?(?:devs?|developers?|programmers?)|"
        r"engineers writing code|software engineers?",
    ),
    (
        "tester",
        r"testers?|\bQA(?: engineers?| analysts?| leads?)?\b|test engineers?|"
        r"test analysts?|test leads?",
    ),
    ("dba", r"\bDBAs?\b|database administrators?|database engineers?"),
    (
        "data engineer",
        r"data engineers?|data engineering leads?|analytics engineers?|"
        r"(?:BI|ETL) (?:devs?|developers?|engineers?)|data migration leads?",
    ),
    ("data scientist", r"data scientists?"),
    ("ml engineer", r"ML engineers?|machine learning engineers?|ML leads?|MLOps engineers?"),
    (
        "cloud engineer",
        r"cloud engineers?|devops(?: engineers?| leads?)?|platform engineers?|"
        r"SREs?|site reliability engineers?",
    ),
    ("network engineer", r"network (?:engineers?|architects?|leads?|admins?|specialists?)"),
    (
        "security engineer",
        r"security engineers?|head of security|CISOs?|security officers?|"
        r"security leads?|IAM (?:engineers?|leads?|specialists?)|identity engineers?|"
        r"okta (?:partner|consultants?|engineers?)",
    ),
    (
        "compliance analyst",
        r"compliance (?:analysts?|officers?|managers?|leads?)|"
        r"quality managers?|GRC (?:analysts?|leads?)|auditors?",
    ),
    (
        "erp consultant",
        r"(?:SAP|ERP|S/4(?:HANA)?|Dynamics|Oracle|NetSuite) (?:consultants?|"
        r"analysts?|specialists?|developers?)|ERP leads?",
    ),
    (
        "crm consultant",
        r"(?:salesforce|CRM|dynamics CRM|hubspot) (?:admins?|administrators?|"
        r"consultants?|partners?|developers?|specialists?)",
    ),
    ("ux designer", r"(?:ux|ui|product|interaction|visual) designers?|designers?"),
    (
        "change manager",
        r"change(?:/adoption)? (?:management )?(?:managers?|leads?)|"
        r"change management leads?|adoption leads?|comms (?:person|people|leads?|managers?)|"
        r"communications (?:person|leads?|managers?)|HR (?:business )?partners?",
    ),
    ("trainer", r"trainers?|training leads?"),
    (
        "service desk",
        r"(?:service ?desk|help ?desk) (?:leads?|analysts?|agents?|staff|managers?)|"
        r"service desk",
    ),
    (
        "sysadmin",
        r"sysadmins?|system administrators?|IT admins?|IT managers?|"
        r"infrastructure (?:leads?|managers?)|storage (?:specialists?|engineers?|admins?)|"
        r"facilities managers?|AS/400 (?:guy|admin|person|specialist)|windows admins?|"
        r"linux admins?",
    ),
    (ENGINEER, r"(?:infrastructure |infra |systems? |IT |field )?engineers?"),
    (
        CONSULTANT,
        r"consultants?|consultancy|partners?|specialists?|experts?|contractors?|"
        r"\w+ leads?",
    ),
)
"""Words for people -> canonical role (tools.vocabulary.ROLES). Tried left to right at each
position of an item, longest first; ENGINEER and CONSULTANT resolve by the archetype."""
ENGINEER_BY_ARCHETYPE: dict[str, str] = {
    "cloud_migration": "cloud engineer",
    "datacentre_migration": "sysadmin",
    "database_migration": "dba",
    "network_infrastructure_upgrade": "network engineer",
    "workplace_m365_migration": "sysadmin",
    "identity_sso_rollout": "security engineer",
    "security_compliance_programme": "security engineer",
    "data_platform_bi": "data engineer",
    "ml_feature": "ml engineer",
}
CONSULTANT_BY_ARCHETYPE: dict[str, str] = {
    "erp_rollout": "erp consultant",
    "crm_saas_implementation": "crm consultant",
    "security_compliance_programme": "compliance analyst",
    "identity_sso_rollout": "security engineer",
    "cloud_migration": "cloud engineer",
    "datacentre_migration": "sysadmin",
    "network_infrastructure_upgrade": "network engineer",
    "data_platform_bi": "data engineer",
    "ml_feature": "data scientist",
    "workplace_m365_migration": "sysadmin",
}
NOT_TEAM = re.compile(
    r"\bas needed\b|\bwhen needed\b|\bon request\b|\bad hoc\b|\bfor feedback\b|\bchampions?\b|"
    r"\bintegrator\b|\bSI\b|\bvendors?\b|\bsupplies\b|\bbrings\b|\bshared with\b|"
    r"\bapplication owners\b|\bapp owners\b"
)
"""Items of a team line that are not team members (partners' crews, champions, owners)."""
NOT_AFTER_ROLE = (
    r"portals?|tools?|experience|accounts?|licen[cs]es?|environments?|docs|documentation|"
    r"community|programs?|platforms?|teams?|network|days?|weeks?"
)
"""Words after a role word that make it something else ("developer portals")."""
NOT_NAMES = frozenset(
    [
        "The",
        "Our",
        "We",
        "Me",
        "He",
        "She",
        "They",
        "It",
        "I",
        "PM",
        "Head",
        "External",
        "Internal",
        "Contractor",
        "Full",
        "Part",
        "Half",
        "Maybe",
        "About",
        "Approx",
        "Both",
        "Each",
        "Plus",
        "Also",
        "Mostly",
        "Microsoft",
        "Google",
        "Amazon",
        "Oracle",
        "Salesforce",
        "Epic",
        "NetApp",
        "Okta",
        "Azure",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
)
TEAM_OF = re.compile(
    r"\bteam of (?:about |around |~)?(?P<n>\d{1,4}|[a-z]+)\b|"
    r"\b(?P<m>\d{1,4}|[a-z]+)[- ](?:person|people|strong) team\b",
    re.I,
)
AVAILABILITY: tuple[tuple[str, str], ...] = (
    (r"(?P<pct>\d{1,3})\s?%", "percent"),
    (r"\bhalf[- ]time\b|\bhalf of (?:his|her|their) time\b", "half"),
    (r"\b(?P<days>[1-5](?:\.5)?)\s+days?\s*(?:/|a|per|each)\s*week\b", "days"),
    (r"\bfull[- ]time\b", "full"),
    (r"\bpart[- ]time\b", "part"),
)
"""How the brief says how much of a person the project gets."""

# --- rules as data: drivers, technologies, archetypes -------------------------------------

DRIVER_NOUNS: dict[str, str] = {
    "users": r"users?|staff|employees|seats|agent licen[cs]es|user licen[cs]es|agents|"
    r"supervisors?|contractors|headcount",
    "vms": r"VMs?|virtual machines?|servers",
    "applications": r"applications?|apps?",
    "databases": r"databases?|database instances|DBs",
    "interfaces": r"interfaces?|integrations?|APIs?|feeds|carriers",
    "batch_jobs": r"(?:batch |ETL |cron |scheduled )?jobs|SSIS packages|batch jobs",
    "sites": r"sites?|branch(?:es)?|stores?|offices?|clinics?|plants?|locations?|warehouses?|"
    r"hospitals?|schools?|distribution cent(?:re|er)s?|factor(?:y|ies)|depots?|campuses",
    "countries": r"countries|country|legal entities|company codes?|markets|jurisdictions",
    "mailboxes": r"mailboxes|mail boxes",
    "devices": r"devices|endpoints|laptops|desktops|PCs|Macs|Chromebooks|workstations|switches|"
    r"access points|APs|routers|firewalls|phones|tablets|printers|kiosks|handhelds",
    "records": r"records|accounts|tickets|rows|articles|materials|documents|cases|contacts",
    "reports": r"reports|dashboards",
    "controls": r"controls",
    "screens": r"screens|user journeys|journeys|pages",
    "models": r"models",
    "data_sources": r"data sources|sources|source systems",
}
"""Nouns a count stands before ("9 applications") -> size driver (tools.vocabulary.DRIVERS)."""
DRIVER_SCALE: dict[str, Decimal] = {"records": Decimal(10**6)}
"""Drivers counted in a unit: records in millions."""
NOT_BETWEEN = (
    r"of|in|at|for|per|with|to|from|by|on|is|are|was|were|be|the|a|an|than|over|"
    r"years?|months?|weeks?|days?|hours?"
)
"""Words that may not stand between a count and its noun ("3 years of tickets" is not 3)."""
NOT_AFTER_NOUN = (
    r"databases?|devs?|developers?|engineers?|architects?|leads?|teams?|owners?|changes|"
    r"specialists?|layer|hub|platform|visits?|per|each|a\s+(?:week|day|night|month|year)"
)
"""Words after a noun that make it an adjective ("2 app databases", "one integration
developer") or a rate ("5 APs per store"): not a count of that noun."""
DATA_UNITS: dict[str, Decimal] = {
    "PB": Decimal(1000),
    "TB": Decimal(1),
    "TiB": Decimal("1.1"),
    "GB": Decimal("0.001"),
    "GiB": Decimal("0.001"),
}
DATA_TOTAL = re.compile(
    r"\btotal\b|\bin all\b|\bof data\b|\bdata volume\b|\bused\b|\bstorage\b", re.I
)
DATA_PART = re.compile(r"\b(?:biggest|largest|single|each|per|table)\b[^,;]{0,40}$", re.I)

TECHNOLOGIES: tuple[tuple[str, str], ...] = (
    ("PostgreSQL", r"\bpostgres(?:ql)?\b"),
    ("Amazon RDS", r"\bRDS\b"),
    ("Amazon Aurora", r"\bAurora\b"),
    ("AWS DMS", r"\bAWS DMS\b|\bDMS\b"),
    ("AWS", r"\bAWS\b|\bamazon web services\b"),
    ("Entra ID", r"\bEntra(?: ID)?\b|\bAzure AD\b"),
    ("Azure", r"\bAzure\b"),
    ("GCP", r"\bGCP\b|\bGoogle Cloud\b|\bCloud SQL\b"),
    ("SAP S/4HANA", r"\bS/4 ?HANA\b|\bS/4\b"),
    ("SAP ECC", r"\bECC\b"),
    ("SAP", r"\bSAP\b(?! S/4)"),
    ("Salesforce", r"\bSalesforce\b"),
    ("Snowflake", r"\bSnowflake\b"),
    ("dbt", r"\bdbt\b"),
    ("Power BI", r"\bpower ?bi\b"),
    ("Tableau", r"\bTableau\b"),
    ("Looker", r"\bLooker\b"),
    ("Okta", r"\bOkta\b"),
    ("Active Directory", r"\bActive Directory\b|\bAD (?:domains?|agents?)\b|\bon-prem AD\b"),
    ("ADFS", r"\bADFS\b"),
    ("Microsoft 365", r"\bMicrosoft 365\b|\bM365\b|\bOffice 365\b|\bO365\b"),
    ("Exchange Online", r"\bExchange(?: Online)?\b"),
    ("SharePoint", r"\bSharePoint\b"),
    ("OneDrive", r"\bOneDrive\b"),
    ("Microsoft Teams", r"\bMicrosoft Teams\b|\bTeams\b"),
    ("Intune", r"\bIntune\b"),
    ("Google Workspace", r"\bGoogle Workspace\b|\bG Suite\b|\bGmail\b"),
    ("SD-WAN", r"\bsd-?wan\b"),
    ("MPLS", r"\bMPLS\b"),
    ("Kubernetes", r"\bkubernetes\b|\bK8s\b|\bGKE\b|\bEKS\b|\bAKS\b"),
    ("Terraform", r"\bterraform\b"),
    ("Datadog", r"\bdatadog\b"),
    ("Java", r"\bJava\b(?!Script)"),
    ("JavaScript", r"\bJavaScript\b"),
    ("TypeScript", r"\bTypeScript\b"),
    ("React Native", r"\bReact Native\b"),
    ("React", r"\bReact\b(?! Native)"),
    ("Next.js", r"\bNext\.js\b"),
    ("Node.js", r"\bNode(?:\.js)?\b"),
    ("iOS", r"\biOS\b"),
    ("Android", r"\bAndroid\b"),
    ("Python", r"\bPython\b"),
    ("Perl", r"\bPerl\b"),
    ("Kafka", r"\bKafka\b"),
    ("ServiceNow", r"\bServiceNow\b"),
    ("Oracle", r"\bOracle\b"),
    ("SQL Server", r"\bSQL Server\b|\bSSIS\b|\bSSRS\b"),
    ("MySQL", r"\bMySQL\b"),
    ("MongoDB", r"\bMongo(?:DB)?\b"),
    ("VMware", r"\bvmware\b"),
    ("Fivetran", r"\bFivetran\b"),
    ("BigQuery", r"\bBigQuery\b"),
    ("Vertex AI", r"\bVertex AI\b"),
    ("Databricks", r"\bDatabricks\b"),
    ("Zendesk", r"\bZendesk\b"),
    ("MuleSoft", r"\bMuleSoft\b"),
    ("Workday", r"\bWorkday\b"),
    ("Fortinet", r"\bFortinet\b|\bFortiGate\b"),
    ("Aruba", r"\bAruba\b"),
    ("Cisco", r"\bCisco\b|\bMeraki\b"),
    ("Palo Alto", r"\bPalo Alto\b"),
    ("Twilio", r"\bTwilio\b"),
    ("Auth0", r"\bAuth0\b"),
    ("Epic", r"\bEpic\b"),
    ("FHIR", r"\bFHIR\b"),
    ("Stripe", r"\bStripe\b"),
    ("GitHub", r"\bGitHub\b"),
    ("Jira", r"\bJira\b"),
    ("Vanta", r"\bVanta\b"),
    ("Amazon Connect", r"\bAmazon Connect\b"),
    ("Guidewire", r"\bGuidewire\b"),
    ("NetApp", r"\bNetApp\b"),
    ("IBM Power", r"\bIBM Power\w*\b|\bAS/400\b"),
    ("Azure API Management", r"\bAPI Management\b"),
    ("Azure Logic Apps", r"\bLogic Apps\b"),
    ("Azure Service Bus", r"\bService Bus\b"),
    ("Manhattan WMS", r"\bManhattan(?: WMS)?\b"),
    ("Docker", r"\bDocker\b"),
    ("Dynamics 365", r"\bDynamics(?: 365)?\b"),
    ("NetSuite", r"\bNetSuite\b"),
    ("HubSpot", r"\bHubSpot\b"),
)
"""Technology names as a brief writes them -> one canonical name each. One regex tries them in
this order at each position, so a longer name comes before a shorter one it starts with."""

ARCHETYPE_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "cloud_migration": (
        (r"\bcloud migration\b|\bmigrat\w* to (?:the )?cloud\b", 4),
        (r"\blift[- ]and[- ]shift\b|\brehost\w*|\blanding zone\b|\bazure migrate\b", 3),
        (r"\bto (?:azure|aws|gcp)\b|\bVMs?\b|\bvmware\b|\bexpressroute\b|\bdirect connect\b", 2),
        (r"\bwaves?\b|\bsite recovery\b|\bon-prem\w*\b", 1),
    ),
    "datacentre_migration": (
        (r"\bdata ?cent(?:re|er)s?\b|\bDC\b", 3),
        (r"\bracks?\b|\bcolo(?:cation)?\b|\bphysical move\b|\btruck\b|\bfilers?\b", 2),
        (r"\btape library\b|\bsecure disposal\b|\bremovals\b|\bexit\b", 2),
        (r"\bhall\b|\bcage\b|\blease\b|\bphysical\b", 1),
    ),
    "database_migration": (
        (r"\bdatabase migration\b|\bRDS\b|\baurora\b|\bDMS\b|\bpglogical\b|\bgoldengate\b", 3),
        (r"\bDBAs?\b|\bschema\b|\breplicas?\b|\bCDC\b|\bmajor version upgrade\b", 2),
        (r"\bpostgres(?:ql)?\b|\bmysql\b|\bdatabases?\b|\bsequences?\b|\brestore\b", 1),
    ),
    "erp_rollout": (
        (r"\bS/4 ?HANA\b|\bERP\b", 4),
        (r"\bSAP\b|\bcompany codes?\b|\bECC\b|\bdynamics 365 finance\b|\bnetsuite\b", 3),
        (r"\bFI/CO\b|\bkey users\b|\bEWM\b|\blocali[sz]ation\b|\bplants?\b", 2),
        (r"\bhypercare\b|\btemplate\b|\bpayroll\b|\bprocurement\b", 1),
    ),
    "crm_saas_implementation": (
        (r"\bservice cloud\b|\bsales cloud\b|\bCRM\b", 4),
        (r"\bcase management\b|\bomni-?channel\b|\bcontact cent(?:re|er)\b", 3),
        (r"\bsalesforce\b|\bzendesk\b|\bknowledge base\b|\bagents?\b|\bsupervisors?\b", 2),
        (r"\bmacros\b|\bcases\b", 1),
    ),
    "web_mobile_product": (
        (r"\bapp store\b|\bgoogle play\b|\bmobile app\b|\bMVP\b", 4),
        (r"\biOS\b|\bandroid\b|\breact native\b|\bflutter\b|\bmobile\b", 3),
        (r"\bUX\b|\bdesign system\b|\buser research\b|\bWCAG\b|\baccessibility\b", 2),
        (r"\bweb\b|\bfront-?end\b|\bapp\b|\bpatients?\b", 1),
    ),
    "data_platform_bi": (
        (r"\bdata (?:platform|warehouse|lake|lakehouse)\b|\bwarehouse\b", 3),
        (r"\bdbt\b|\bpower ?bi\b|\btableau\b|\blooker\b|\bBI\b|\bsnowflake\b", 3),
        (r"\bETL\b|\bELT\b|\bSSIS\b|\bSSRS\b|\bfivetran\b|\bingestion\b|\breconciliation\b", 2),
        (r"\bdashboards?\b|\breport(?:s|ing)?\b|\bmonth-end\b|\bdata governance\b", 1),
    ),
    "network_infrastructure_upgrade": (
        (r"\bSD-?WAN\b", 5),
        (r"\bMPLS\b|\bwi-?fi\b|\bwireless\b|\baccess points?\b|\bAPs\b", 3),
        (r"\bswitch(?:es)?\b|\brouters?\b|\bLAN\b|\bWAN\b|\bcircuits?\b|\bbroadband\b", 2),
        (r"\bnetwork\b|\bfortinet\b|\bcisco\b|\baruba\b|\bmeraki\b|\bsegment\w*", 1),
    ),
    "security_compliance_programme": (
        (r"\bSOC ?2\b|\bISO ?27001\b|\bISMS\b", 5),
        (r"\bNIS ?2\b|\bGRC\b|\bType I{1,2}\b|\bTSCs?\b", 4),
        (r"\baudit(?:or|s)?\b|\bcertification\b|\bpolicies\b|\bcompliance\b|\bCISO\b", 2),
        (r"\bvendor risk\b|\bsupplier security\b|\brisk assessment\b|\bawareness training\b", 2),
        (r"\bcontrols?\b|\bevidence\b|\bpen test\b|\baccess reviews?\b", 1),
    ),
    "identity_sso_rollout": (
        (r"\bSSO\b|\bsingle sign-on\b", 5),
        (r"\bMFA\b|\bmulti-factor\b|\bokta\b|\bADFS\b|\bSAML\b|\bOIDC\b|\bentra id\b", 3),
        (r"\bIAM\b|\bidentity provider\b|\blifecycle management\b|\bFIDO2\b|\byubikeys?\b", 2),
        (r"\bidentity\b|\bactive directory\b|\bAD domains?\b|\bpassword\w*\b|\bjoiner\b", 1),
    ),
    "workplace_m365_migration": (
        (r"\bmicrosoft 365\b|\bM365\b|\boffice 365\b|\bgoogle workspace\b|\bg suite\b", 4),
        (r"\bexchange online\b|\bsharepoint\b|\bonedrive\b|\bTeams\b|\bintune\b", 2),
        (r"\bmailbox(?:es)?\b|\btenant\b|\bchampions\b|\bshared drives\b|\bMX\b", 2),
        (r"\be-?mail\b|\bcalendars?\b|\badoption\b|\bcontacts\b", 1),
    ),
    "ml_feature": (
        (r"\bML\b|\bmachine learning\b", 4),
        (r"\bdata scientists?\b|\bfeature store\b|\bvertex ai\b|\bsagemaker\b|\bAUC\b", 3),
        (r"\bmodel(?:s|ling)?\b|\bchurn\b|\bpredict\w*|\bscor(?:e|es|ing)\b|\bA/B test\b", 2),
        (r"\bholdout\b|\blabels\b|\bleakage\b|\bAI\b", 1),
    ),
    "api_integration": (
        (r"\bintegration (?:layer|hub|platform)\b|\bpoint-to-point\b|\biPaaS\b|\bESB\b", 4),
        (r"\bapi management\b|\bapi gateway\b|\bapigee\b|\bEDIFACT\b|\bAS2\b", 3),
        (r"\bAPIs?\b|\bEDI\b|\bcarriers?\b|\blogic apps\b|\bservice bus\b|\bwebhooks?\b", 2),
        (r"\bREST\b|\bintegrations?\b|\bmiddleware\b|\bkafka\b", 1),
    ),
}
"""Cue words of each kind of project, with weights. A cue counts up to three times; a cue in
the title counts twice more (the title says what the project is). Here and in TECHNOLOGIES an
alternative written with a capital matches only as written ("SAP", "Teams", "REST"); one in
lower case matches in any case ("okta", "app store")."""
CUE_CAP = 3
TITLE_BONUS = 2

CONSTRAINT_CUE = re.compile(
    r"\bno production changes\b|\bfreez\w*|\bdowntime\b|\boutages?\b|\bmust\b|\bcannot\b|"
    r"\bcan't\b|\bcan only\b|\bonly (?:on|during|between|after|before)\b|\bout-of-hours\b|"
    r"\bweekends?\b|\bhard (?:deadline|date)\b|\bdeadline is hard\b|\bwon't (?:extend|accept)\b|"
    r"\bnot renewing\b|\bsign(?:s|ed)? off\b|\bsign-off\b|\bworks councils?\b|\bGDPR\b|"
    r"\bHIPAA\b|\bPCI\b|\bregulat\w+|\brequires?\b|\bnothing touching\b|\bno go-?live\b|"
    r"\bno \w+ changes\b|\bmaximum\b|\bat most\b|\bno later than\b|\bbusiest period\b|"
    r"\bpeak season\b|\bdata stays\b|\bresidency\b",
    re.I,
)
"""Words that make a sentence a constraint the plan must respect."""


# --- the document: text cut into sentences, with offsets ---------------------------------


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    line: int


@dataclass
class _Doc:
    """The text once cut up: sentences with offsets, and what every reader asks of them."""

    text: str
    sentences: list[_Sentence]
    starts: list[int]
    bold: list[tuple[int, int]]
    headers: list[tuple[int, int]]
    injected: set[int]
    labels: list[tuple[str | None, int]]
    lower: str
    memo: dict[tuple[str, int], int] = field(default_factory=dict)

    def context(self, index: int) -> int:
        """How much a sentence talks about deadlines (DEADLINE_SENTENCE), once per sentence."""
        key = ("context", index)
        if key not in self.memo:
            words = self.words(index)
            self.memo[key] = sum(w for p, w in _DEADLINE_SENTENCE if p.search(words))
        return self.memo[key]

    def at(self, offset: int) -> int:
        """Index of the sentence holding `offset` (the one before it if between two)."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def words(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start : s.end]

    def in_header(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.headers)

    def in_bold(self, start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in self.bold)

    def line_of(self, index: int) -> list[int]:
        line = self.sentences[index].line
        return [i for i, s in enumerate(self.sentences) if s.line == line]


@dataclass
class _Notes:
    """What the reading will quote and assume, gathered as the readers go."""

    quotes: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    def quote(self, key: str, text: str, start: int, end: int) -> None:
        span = text[start:end].strip().rstrip(".,;:").strip()
        if span and key not in self.quotes:
            self.quotes[key] = span

    def assume(self, words: str) -> None:
        if words not in self.assumptions:
            self.assumptions.append(words)


_SENTENCE_END = re.compile(r"[.!?]+(?:\*\*|__|[)\"'’”])*(?=\s+[\"'“*(\[A-Z])")
_LINE = re.compile(r"[^\n]+")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__")
_LEAD = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:#{1,6}[ \t]+|[-*+•][ \t]+|\d{1,2}[.)][ \t]+)?")
_LABEL = re.compile(
    r"(?:\*\*|__)?(?P<label>[A-Za-z][A-Za-z /&'’-]{0,40}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*"
)
_LABEL_KEYS = tuple((key, re.compile(pattern)) for key, pattern in LABELS)


def split_sentences(text: str) -> list[_Sentence]:
    """Cut each line into sentences, keeping offsets so every fact can quote its span."""
    out: list[_Sentence] = []
    for line_no, line in enumerate(_LINE.finditer(text)):
        cuts = [line.start()]
        for end in _SENTENCE_END.finditer(text, line.start(), line.end()):
            before = text[max(line.start(), end.start() - 12) : end.start() + 1]
            word = re.search(r"(?<!\w)([A-Za-z.]+)\.$", before)
            stem = word.group(1).lower().rstrip(".") if word else ""
            if stem in ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
                continue
            cuts.append(end.end())
        cuts.append(line.end())
        for cut, next_cut in pairwise(cuts):
            a, b = cut, next_cut
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(_Sentence(a, b, line_no))
    return out


def build_doc(text: str) -> _Doc:
    """Cut the text once; labels and injected sentences are looked up many times."""
    sentences = split_sentences(text)
    headers = [(m.start(), m.end()) for m in _LINE.finditer(text) if HEADER_LINE.match(m.group())]
    doc = _Doc(
        text=text,
        sentences=sentences,
        starts=[s.start for s in sentences],
        bold=[(m.start(), m.end()) for m in _BOLD.finditer(text)],
        headers=headers,
        injected=set(),
        labels=[],
        lower=lower_same_length(text),
    )
    doc.injected = {i for i in range(len(sentences)) if INJECTION.search(doc.words(i))}
    doc.labels = [label_of(doc.words(i)) for i in range(len(sentences))]
    return doc


def label_of(words: str) -> tuple[str | None, int]:
    """The section label a sentence starts with ("Scope:", "**Team:**") and where its content
    starts; (None, offset past bullets) when it has none."""
    lead = _LEAD.match(words)
    offset = lead.end() if lead else 0
    heading = words[:offset].lstrip(" \t>").startswith("#")
    m = _LABEL.match(words, offset)
    candidates = []
    if m:
        candidates.append((m.group("label"), m.end()))
    if heading:
        candidates.append((words[offset:].strip("*_ \t:"), len(words)))
    for label, end in candidates:
        name = label.strip().lower()
        for key, pattern in _LABEL_KEYS:
            if pattern.fullmatch(name):
                return key, end
    return None, offset


_BULLET = re.compile(r"[ \t>]*(?:[-*+•]|\d{1,2}[.)])[ \t]+")


def section(doc: _Doc, index: int, *, rest_of_line: bool = True) -> list[tuple[int, int]]:
    """The (sentence, content offset) pairs a label heads: its own content and, with
    `rest_of_line`, the rest of its line up to the next label; for a bare label ("## Scope",
    "Team:") the bullets under it, or else the one line under it."""
    _, offset = doc.labels[index]
    out = [(index, offset)]
    if doc.words(index)[offset:].strip():
        for j in doc.line_of(index):
            if j <= index or not rest_of_line:
                continue
            if doc.labels[j][0] is not None:
                break
            out.append((j, doc.labels[j][1]))
        return out
    bullets: bool | None = None
    for j in range(index + 1, len(doc.sentences)):
        if doc.labels[j][0] is not None:
            break
        if doc.sentences[j - 1].line != doc.sentences[j].line:
            is_bullet = bool(_BULLET.match(doc.words(j)))
            if bullets is None:
                bullets = is_bullet
            elif not (bullets and is_bullet):
                break
        out.append((j, doc.labels[j][1]))
    return out


def tidy(words: str) -> str:
    """Drop Markdown emphasis, bullets and quote marks a PM would not read aloud."""
    words = _LEAD.sub("", words)
    words = re.sub(r"\*\*|__|`", "", words)
    return re.sub(r"\s+", " ", words).strip()


def strip_parens(words: str) -> str:
    """The words outside closed parentheses ("2 plants (A and B), 1 DC" -> "2 plants , 1 DC");
    an unclosed "(" and what follows it are kept."""
    kept: list[str] = []
    opened: list[int] = []
    for ch in words:
        if ch == "(":
            opened.append(len(kept))
            kept.append(ch)
        elif ch == ")" and opened:
            del kept[opened.pop() :]
        else:
            kept.append(ch)
    return "".join(kept)


def split_top(words: str, *, on_and: bool = True) -> list[tuple[int, int]]:
    """Split at commas, semicolons (and " and ") outside parentheses: spans of the items."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(words):
        ch = words[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ",;":
            spans.append((start, i))
            start = i + 1
        elif depth == 0 and on_and and words.startswith(" and ", i):
            spans.append((start, i))
            start = i + 5
            i += 4
        i += 1
    spans.append((start, len(words)))
    out = []
    for a, b in spans:
        seg = words[a:b]
        lead = len(seg) - len(seg.lstrip(" .\t"))
        seg = seg.strip(" .\t")
        m = re.match(r"(?:and|or|plus)\s+", seg)
        if m:
            lead += m.end()
            seg = seg[m.end() :]
        if seg:
            out.append((a + lead, a + lead + len(seg)))
    return out


# --- checks -------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufeff\u200b-\u200f]")


def check_readable(text: str) -> None:
    """Refuse what no planner could read: nothing, a binary file, or a few words."""
    if not isinstance(text, str) or not text.strip():
        raise BriefError("brief", "the brief is empty")
    odd = len(_CONTROL.findall(text))
    if "\x00" in text or odd > BINARY_SHARE * len(text):
        raise BriefError("brief", "this looks like a binary file, not a brief")
    words = re.findall(r"\w+", text)
    if len(words) < MIN_WORDS:
        raise BriefError(
            "brief",
            f"the brief is too short to plan from ({len(words)} words): say what, by when, "
            "with what budget and team",
        )


# --- numbers ------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,12}(?:\.\d{1,4})?"
_WORD_NUM = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))


def to_number(token: str) -> Decimal | None:
    """A count as written: digits with separators, or a word number ("two", "a dozen")."""
    token = token.strip().lower()
    if token in WORD_NUMBERS:
        return Decimal(WORD_NUMBERS[token])
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


# --- title and goal -----------------------------------------------------------------------

_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(?P<t>[^\n]*?\S)[ \t#]*$", re.M)
_SUBJECT = re.compile(
    r"^[ \t>]*Subject:[ \t]*(?:(?:re|fw|fwd)[ \t]*:[ \t]*)*(?P<t>[^\n]*?\S)[ \t]*$", re.M | re.I
)
NOT_GOAL = re.compile(
    r"(?:our |the )?(?:budget|deadline|team|timeline|constraints?|scope|out of scope|risks?|"
    r"go-?live|live by|due)\b",
    re.I,
)
"""Sentences that state a fact of the plan, not what the project is for."""
_GREETING = re.compile(r"(?:hi|hello|hey|dear)\b[^.!?]{0,30}?[,!]\s*", re.I)


def find_title(doc: _Doc, notes: _Notes) -> tuple[str, int | None]:
    """The first heading, else an e-mail subject, else the first sentence; and the index of the
    sentence it was (so the goal is read after it)."""
    text = doc.text
    for pattern in (_HEADING, _SUBJECT):
        m = pattern.search(text)
        if m and re.search(r"\w", m.group("t")):
            notes.quote("title", text, m.start("t"), m.end("t"))
            index = doc.at(m.start("t")) if pattern is _HEADING else None
            return clip(tidy(m.group("t")), MAX_TITLE) or UNTITLED, index
    for i in range(len(doc.sentences)):
        if is_noise(doc, i):
            continue
        s = doc.sentences[i]
        notes.quote("title", text, s.start, s.end)
        return clip(tidy(doc.words(i)).rstrip("."), MAX_TITLE) or UNTITLED, i
    return UNTITLED, None


def clip(words: str, limit: int) -> str:
    """Cut to `limit` characters at a word boundary (a model field's maximum)."""
    words = words.strip()
    if len(words) <= limit:
        return words
    cut = words[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return (cut or words[: limit - 1]) + "…"


def is_noise(doc: _Doc, index: int) -> bool:
    """Header lines, separators and bare labels: not prose a goal or title is read from."""
    s = doc.sentences[index]
    words = doc.words(index)
    if doc.in_header(s.start) or not re.search(r"[A-Za-z]{2}", words):
        return True
    key, offset = label_of(words)
    return key is not None and not words[offset:].strip()


def find_goal(doc: _Doc, notes: _Notes, after: int | None) -> str:
    """The labelled goal, else the first sentence of the body (the quoted part of a forwarded
    e-mail when there is one): what the project is for, in the PM's words."""
    text = doc.text
    for i in range(len(doc.sentences)):
        key, offset = doc.labels[i]
        if key == "goal" and doc.words(i)[offset:].strip():
            s = doc.sentences[i]
            notes.quote("goal", text, s.start + offset, s.end)
            return clip(tidy(doc.words(i)[offset:]), MAX_TEXT)
    quoted = [
        i for i, s in enumerate(doc.sentences) if text[s.start] == ">" and not is_noise(doc, i)
    ]
    order = quoted or range(len(doc.sentences))
    for i in order:
        if (after is not None and i <= after) or is_noise(doc, i) or i in doc.injected:
            continue
        words = doc.words(i)
        key, offset = doc.labels[i]
        if key is not None or NOT_GOAL.match(words, offset):
            continue
        greeting = _GREETING.match(words, offset)
        if greeting:
            offset = greeting.end()
        if not re.search(r"[A-Za-z]{2}", words[offset:]):
            continue
        s = doc.sentences[i]
        notes.quote("goal", text, s.start + offset, s.end)
        return clip(tidy(words[offset:]), MAX_TEXT)
    if after is not None:
        s = doc.sentences[after]
        notes.quote("goal", text, s.start, s.end)
        return clip(tidy(doc.words(after)), MAX_TEXT)
    return ""


# --- dates --------------------------------------------------------------------------------

_YEAR = r"(?:19|20|21)\d{2}"


@dataclass
class _Dates:
    """Everything dated in a brief, filled in by the date readers."""

    start: date
    deadline: date | None = None
    milestones: list[tuple[str, date]] = field(default_factory=list)
    freezes: list[Freeze] = field(default_factory=list)
    absences: list[tuple[int, Absence]] = field(default_factory=list)
    """(sentence index, absence): matched to the people named in that sentence."""


def shift(day: date, days: int) -> date:
    """`day` moved by `days`, held at the calendar's ends rather than overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def next_monday(today: date) -> date:
    """The default start: projects start on a Monday, today if it is one."""
    return shift(today, (7 - today.weekday()) % 7)


# --- team ---------------------------------------------------------------------------------


def _alias(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w/-])(?:{pattern})(?![\w/-])(?!\s+(?:{NOT_AFTER_ROLE})\b)", re.I)


_ROLE_PATTERNS = tuple((role, _alias(pattern)) for role, pattern in ROLE_ALIASES)
_COUNT_WORD = re.compile(rf"(?<![\w.])~?(?P<n>\d{{1,4}}|{_WORD_NUM}|an?)\b", re.I)
_AVAILABILITY = tuple((re.compile(p, re.I), kind) for p, kind in AVAILABILITY)
_NAME = re.compile(r"^(?P<name>[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)(?![\w])(?P<rest>.*)$", re.S)
_PER = re.compile(r"^\s+per\s+(?P<noun>[A-Za-z][A-Za-z -]{1,30}?)\s*$")


@dataclass(frozen=True)
class _Item:
    """One comma-separated item of a team line, with its span."""

    start: int
    end: int
    words: str


def find_role(words: str) -> tuple[str, int, int] | None:
    """The role an item names: after " as " if it says so ("me as PM"), else the leftmost
    specific alias, else the leftmost generic one."""
    as_at = words.find(" as ")
    for scope_start in ([as_at + 4] if as_at >= 0 else []) + [0]:
        found = []
        for order, (role, pattern) in enumerate(_ROLE_PATTERNS):
            m = pattern.search(words, scope_start)
            if m:
                generic = role in (ENGINEER, CONSULTANT)
                found.append((generic, m.start(), -len(m.group()), order, role, m.end()))
        if found:
            generic, start, _, _, role, end = min(found)
            return role, start, end
    return None


def read_availability(words: str, notes: _Notes, who: str) -> float | None:
    """Share of a full-time person from "60%", "half time", "3 days/week", "part-time"."""
    for pattern, kind in _AVAILABILITY:
        m = pattern.search(words)
        if not m:
            continue
        if kind == "percent":
            share = int(m.group("pct")) / 100
        elif kind == "days":
            share = float(m.group("days")) / 5
        elif kind == "part":
            notes.assume(f"{who} is part time: assumed {PART_TIME:g} of a full-time person")
            share = PART_TIME
        else:
            share = 1.0 if kind == "full" else 0.5
        return round(min(1.0, max(0.1, share)), 2)
    return None


def count_before(words: str) -> int:
    """The count just before a role ("two DBAs", "2 team leads as product owners"): 1 if none."""
    for m in reversed(list(_COUNT_WORD.finditer(words))):
        gap = words[m.end() :]
        if len(gap.split()) <= 3 and "," not in gap:
            n = to_number(m.group("n"))
            return int(n) if n is not None and n >= 1 else 1
        break
    return 1


def count_per(text: str, rest: str) -> int:
    """ "2 finance key users per company code": how many company codes the brief names."""
    m = _PER.match(rest)
    if not m:
        return 1
    noun = re.escape(m.group("noun").strip()).replace(r"\ ", r"\s+")
    found = re.search(rf"(?<![\w.])(?P<n>\d{{1,3}}|{_WORD_NUM})\s+{noun}s?\b", text, re.I)
    n = to_number(found.group("n")) if found else None
    return int(n) if n is not None and n >= 1 else 1


def named(item: str, notes: _Notes) -> list[tuple[str, float | None, str]]:
    """People named in an item's parentheses: "(Priya full time, Tomasz 60%)"."""
    out = []
    for inner in re.finditer(r"\(([^()]*)\)", item):
        content = inner.group(1)
        for a, b in split_top(content):
            m = _NAME.match(content[a:b])
            if not m or m.group("name") in NOT_NAMES or m.group("name") in _TECH_NAMES:
                continue
            name = m.group("name")
            out.append((name, read_availability(m.group("rest"), notes, name), content[a:b]))
    return out


def team_items(doc: _Doc) -> tuple[list[_Item], bool]:
    """The items of the team line ("Team: me as PM, two DBAs (...), one tester"); else the
    items of sentences that talk about the team. True when read from a team line."""
    text = doc.text
    items: list[_Item] = []
    labelled = False
    for i in range(len(doc.sentences)):
        if doc.labels[i][0] != "team":
            continue
        labelled = True
        for j, offset in section(doc, i):
            base = doc.sentences[j].start + offset
            words = text[base : doc.sentences[j].end]
            items += [_Item(base + a, base + b, words[a:b]) for a, b in split_top(words)]
    if labelled:
        return items, True
    for i in range(len(doc.sentences)):
        words = doc.words(i)
        if doc.labels[i][0] is None and re.search(
            r"\bteam\b|\bwe have\b|\bme as\b|\bstaffed\b", words, re.I
        ):
            s = doc.sentences[i]
            items += [_Item(s.start + a, s.start + b, words[a:b]) for a, b in split_top(words)]
    return items, False


@dataclass(frozen=True)
class _Person:
    """A person before absences are known (they are read from other sentences)."""

    role: str
    name: str | None
    share: float
    quote: str


def people_of(
    item: str, text: str, notes: _Notes, archetype: str | None, *, generic: bool
) -> list[_Person]:
    """The people one team item stands for: "two DBAs (Priya full time, Tomasz 60%)" is two.
    Generic words ("4 engineers") count only on a team line (`generic`)."""
    bare = strip_parens(item)
    found = find_role(bare)
    count = 1
    if found:
        role, at, end = found
        count = count_before(bare[:at]) * count_per(text, bare[end:])
    else:
        found = find_role(item)
        if found is None:
            return []
        role = found[0]
    if role in (ENGINEER, CONSULTANT) and not generic:
        return []
    if role == ENGINEER:
        role = ENGINEER_BY_ARCHETYPE.get(archetype or "", "developer")
    elif role == CONSULTANT:
        role = CONSULTANT_BY_ARCHETYPE.get(archetype or "", "business analyst")
    names = named(item, notes)
    shared = item
    for _, _, piece in names:
        shared = shared.replace(piece, "")
    share = read_availability(shared, notes, f"the {role}") or 1.0
    count = min(MAX_PER_ITEM, max(count, len(names)))
    return [
        _Person(role, names[k][0], names[k][1] or share, item.strip())
        if k < len(names)
        else _Person(role, None, share, item.strip())
        for k in range(count)
    ]


def read_team(
    doc: _Doc, notes: _Notes, archetype: str | None, dates: _Dates
) -> tuple[list[PersonCue], int | None, list[str]]:
    """One PersonCue per person of the team line; returns people, team size and the notes on
    who was left out (partners, integrators, champions are not the team)."""
    text = doc.text
    items, labelled = team_items(doc)
    leave: dict[str, list[Absence]] = {}
    raw: list[_Person] = []
    outside: list[str] = []
    for item in items:
        if doc.at(item.start) in doc.injected:
            continue
        if NOT_TEAM.search(item.words):
            if find_role(strip_parens(item.words)) or re.search(r"\bpeople\b", item.words):
                outside.append(tidy(item.words))
            continue
        raw += people_of(item.words, text, notes, archetype, generic=labelled)
    for i, absence in dates.absences:
        words = doc.words(i)
        who = [p.name for p in raw if p.name and re.search(rf"\b{p.name}\b", words)]
        for name in who:
            leave.setdefault(name, []).append(absence)
        if not who:
            notes.assume(f"an absence names no team member, so it was not planned: '{tidy(words)}'")
    people = [
        PersonCue(
            name=p.name,
            role=p.role,
            availability=p.share,
            absences=leave.get(p.name, []) if p.name else [],
            quote=p.quote,
        )
        for p in raw[:MAX_PEOPLE]
    ]
    if people and not any(p.role == "project manager" for p in people):
        people.append(PersonCue(role="project manager"))
        notes.assume("a project manager is assumed: the brief's team names none")
    team_size = stated_size(doc, notes, len(people))
    if items:
        first, last = items[0], items[-1]
        notes.quote("team", text, first.start, last.end)
    if not people and team_size is None:
        notes.assume("the brief names no team; the plan's roles come from the template")
    return people, team_size, outside


def stated_size(doc: _Doc, notes: _Notes, listed: int) -> int | None:
    """ "A team of 4": kept over the people listed, with an assumption when they differ."""
    for m in TEAM_OF.finditer(doc.text):
        if doc.at(m.start()) in doc.injected:
            continue
        n = to_number(m.group("n") or m.group("m"))
        if n is None or not 1 <= n <= MAX_PEOPLE:
            continue
        size = int(n)
        notes.quote("team_size", doc.text, m.start(), m.end())
        if listed and size != listed:
            notes.assume(
                f"the brief says a team of {size} but names {listed} people; "
                f"planned with {max(size, listed)}"
            )
            return max(size, listed)
        return size
    return min(listed, MAX_PEOPLE) or None


# --- drivers ------------------------------------------------------------------------------

_APPROX = (
    r"(?:(?:about|approx\.?|approximately|around|roughly|some|over|nearly|almost|up to|~)\s*)?"
)
_COUNT_RE = (
    rf"(?<![\w.,/-]){_APPROX}(?!{_YEAR}\b)(?P<n>{_NUM}|{_WORD_NUM})"
    r"(?:\s?(?P<s>k|m|bn|million|thousand)\b)?"
    rf"(?:\s*(?:-|–|to)\s*~?(?P<n2>{_NUM})(?:\s?(?P<s2>k|m|million|thousand)\b)?)?"
    rf"(?P<adj>(?:\s+(?!(?:{NOT_BETWEEN})\b)[A-Za-z\"“][\w/&'\"”-]*){{0,3}}?)"
)
_DRIVER_RE = re.compile(
    rf"{_COUNT_RE}\s+(?:"
    + "|".join(f"(?P<{driver}>{nouns})" for driver, nouns in DRIVER_NOUNS.items())
    + rf")(?![\w-])(?!\s+(?:{NOT_AFTER_NOUN})\b)",
    re.I,
)
"""One pass for every driver: a count, up to three words, a noun of DRIVER_NOUNS."""
_DATA_RE = re.compile(rf"(?<![\w.,/-]){_APPROX}(?P<n>{_NUM})\s?(?P<u>PB|TB|TiB|GB|GiB)\b")
_SUM_GAP = re.compile(r"^\s*(?:,|\+|plus\b|and\b|&)\s*(?:and\s+)?$", re.I)


@dataclass(frozen=True)
class _Count:
    """A count of a driver's noun, with its span; `ranged` when read from "800-1,000"."""

    start: int
    end: int
    value: Decimal
    ranged: bool


def find_counts(doc: _Doc) -> dict[str, list[_Count]]:
    """Every "count noun" of the text, by driver ("800 users", "a dozen apps")."""
    out: dict[str, list[_Count]] = {}
    for m in _DRIVER_RE.finditer(doc.text):
        if doc.at(m.start()) in doc.injected or doc.in_header(m.start()):
            continue
        upper = m.group("n2")
        n = to_number(upper or m.group("n"))
        suffix = (m.group("s2") if upper else m.group("s")) or ""
        driver = next((d for d in DRIVER_NOUNS if m.group(d)), None)
        if n is None or driver is None:
            continue
        value = n * MULTIPLIERS.get(suffix.lower(), 1)
        out.setdefault(driver, []).append(_Count(m.start(), m.end(), value, bool(upper)))
    return out


def read_drivers(doc: _Doc, notes: _Notes) -> dict[str, float]:
    """Size cues: the largest count of each driver (adjacent counts of one driver add up:
    "64 stores, 2 distribution centres"); data volume prefers the stated total."""
    text = doc.text
    drivers: dict[str, float] = {}
    data = read_data_volume(doc, notes)
    if data is not None:
        drivers["data_tb"] = data
    for driver, counts in find_counts(doc).items():
        groups: list[list[_Count]] = []
        for c in counts:
            if groups and _SUM_GAP.match(strip_parens(text[groups[-1][-1].end : c.start])):
                groups[-1].append(c)
            else:
                groups.append([c])
        best = max(groups, key=lambda g: (sum(c.value for c in g), -g[0].start))
        value = sum((c.value for c in best), Decimal(0)) / DRIVER_SCALE.get(driver, Decimal(1))
        notes.quote(driver, text, best[0].start, best[-1].end)
        if any(c.ranged for c in best):
            notes.assume(f"'{text[best[0].start : best[-1].end]}' read as its upper value")
        drivers[driver] = round(float(value), 6)
    return drivers


def read_data_volume(doc: _Doc, notes: _Notes) -> float | None:
    """Terabytes of data: the total ("about 2 TB of data"), not the biggest table."""
    text = doc.text
    found = []
    for m in _DATA_RE.finditer(text):
        if doc.at(m.start()) in doc.injected:
            continue
        n = to_number(m.group("n"))
        if n is None:
            continue
        tb = n * DATA_UNITS[m.group("u")]
        s = doc.sentences[doc.at(m.start())]
        around = text[m.start() : min(s.end, m.end() + 25)]
        score = 2 if DATA_TOTAL.search(around) else 0
        score += 1 if re.match(r"about|approx|~|roughly|around", m.group(), re.I) else 0
        score -= 3 if DATA_PART.search(text[max(s.start, m.start() - 40) : m.start()]) else 0
        found.append((score, tb, m))
    if not found:
        return None
    _, tb, m = max(found, key=lambda f: (f[0], f[1]))
    notes.quote("data_tb", text, m.start(), m.end())
    return round(float(tb), 6)


# --- technologies, scope, constraints ------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    key: int
    """Index of the table row it came from."""
    pattern: re.Pattern[str]
    exact: bool
    """Matched against the text as written; else against its lower case."""


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex ("a|b(c|d)" -> ["a", "b(c|d)"])."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def compile_phrases(patterns: list[str]) -> tuple[_Phrase, ...]:
    """One regex per alternative, its leading \\b dropped so that the engine can jump to its
    first letters (a leading \\b or a long alternation makes it try every position)."""
    out = []
    for key, pattern in enumerate(patterns):
        for alt in split_alternatives(pattern):
            body = alt.removeprefix("\\b")
            exact = any(ch.isupper() for ch in re.sub(r"\\.", "", body))
            out.append(_Phrase(key, re.compile(body), exact))
    return tuple(out)


def lower_same_length(text: str) -> str:
    """Lower case with every offset kept (a few letters grow when lowered: keep those)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def find_phrases(phrases: tuple[_Phrase, ...], text: str, lower: str) -> list[tuple[int, int, int]]:
    """(row, start, end) of every match that starts a word."""
    found = []
    for phrase in phrases:
        hay = text if phrase.exact else lower
        for m in phrase.pattern.finditer(hay):
            at = m.start()
            if at and (hay[at - 1].isalnum() or hay[at - 1] == "_"):
                continue
            found.append((phrase.key, at, m.end()))
    return found


_TECH = compile_phrases([pattern for _, pattern in TECHNOLOGIES])
_TECH_NAMES = frozenset(name for name, _ in TECHNOLOGIES)


def find_technologies(doc: _Doc, notes: _Notes) -> list[str]:
    """Canonical technology names, in order of first mention (one pass over the text)."""
    first: dict[str, tuple[int, int]] = {}
    for key, start, end in sorted(find_phrases(_TECH, doc.text, doc.lower), key=lambda f: f[1]):
        name = TECHNOLOGIES[key][0]
        if name not in first and doc.at(start) not in doc.injected:
            first[name] = (start, end)
    order = list(first)
    if order:
        a, b = first[order[0]]
        notes.quote("technologies", doc.text, a, b)
    return order


def read_lists(doc: _Doc, notes: _Notes) -> tuple[list[str], list[str], set[int]]:
    """Scope and out-of-scope items from their labels ("Out of scope: a, b and c", or bullets
    under a "## Scope" heading); also returns the sentences they were read from."""
    text = doc.text
    lists: dict[str, list[str]] = {"scope": [], "out_of_scope": []}
    used: set[int] = set()
    for i in range(len(doc.sentences)):
        if i in doc.injected:
            continue
        words = doc.words(i)
        key = doc.labels[i][0]
        if key not in lists:
            if re.search(r"\b(?:is|are) (?:out of scope|not in scope|excluded)\b", words, re.I):
                lists["out_of_scope"].append(clip(tidy(words), MAX_TEXT))
                used.add(i)
            continue
        for j, offset in section(doc, i, rest_of_line=False):
            used.add(j)
            s = doc.sentences[j]
            content = text[s.start + offset : s.end]
            if content.strip():
                notes.quote(key, text, s.start + offset, s.end)
                items = split_top(content, on_and=False)
                lists[key] += [clip(tidy(content[a:b]), MAX_TEXT) for a, b in items]
    return [x for x in lists["scope"] if x], [x for x in lists["out_of_scope"] if x], used


def read_constraints(doc: _Doc, notes: _Notes, skip: set[int]) -> list[str]:
    """Sentences of a "Constraints:" line, and sentences anywhere with a constraint word
    (freeze, downtime, must, only on weekends...), in order, once each."""
    text = doc.text
    out: list[str] = []
    labelled: set[int] = set()
    for i in range(len(doc.sentences)):
        if doc.labels[i][0] == "constraints":
            labelled.update(j for j, _ in section(doc, i))
    for i in range(len(doc.sentences)):
        if i in skip or i in doc.injected or doc.in_header(doc.sentences[i].start):
            continue
        words = doc.words(i)
        key, offset = doc.labels[i]
        if i not in labelled and (key in ("team", "risks") or not CONSTRAINT_CUE.search(words)):
            continue
        item = clip(tidy(words[offset:]), MAX_TEXT)
        if item and item not in out:
            if not out:
                s = doc.sentences[i]
                notes.quote("constraints", text, s.start + offset, s.end)
            out.append(item)
    return out


# --- archetype ----------------------------------------------------------------------------


_CUE_LIST = [
    (name, pattern, weight) for name, cues in ARCHETYPE_CUES.items() for pattern, weight in cues
]
_CUES = compile_phrases([pattern for _, pattern, _ in _CUE_LIST])


def score_archetypes(
    doc: _Doc, notes: _Notes, title: str, skip: set[int]
) -> tuple[dict[str, float], str | None]:
    """Weighted cue words per archetype; out-of-scope sentences do not count."""
    chars = list(doc.text)
    for i in skip | doc.injected:
        s = doc.sentences[i]
        chars[s.start : s.end] = " " * (s.end - s.start)
    body = "".join(chars)
    counts: dict[int, int] = {}
    strongest: dict[str, tuple[float, int, int]] = {}
    for k, start, end in sorted(
        find_phrases(_CUES, body, lower_same_length(body)), key=lambda f: f[1]
    ):
        counts[k] = counts.get(k, 0) + 1
        name, _, weight = _CUE_LIST[k]
        if name not in strongest or weight > strongest[name][0]:
            strongest[name] = (weight, start, end)
    in_title = {k for k, _, _ in find_phrases(_CUES, title, lower_same_length(title))}
    scores = dict.fromkeys(ARCHETYPE_CUES, 0.0)
    for k, n in counts.items():
        name, _, weight = _CUE_LIST[k]
        scores[name] += weight * min(n, CUE_CAP) + (weight * TITLE_BONUS if k in in_title else 0)
    best = max(scores, key=lambda n: (scores[n], -list(scores).index(n)))
    if scores[best] <= 0:
        notes.assume("the brief matches no known kind of IT project; no template applies")
        return scores, None
    _, a, b = strongest[best]
    notes.quote("archetype", doc.text, a, b)
    return scores, best


# --- the reading --------------------------------------------------------------------------


def read_brief(
    text: str, *, today: date, date_order: Order = "dmy", fiscal_start: int = 1
) -> BriefReading:
    """Read a brief into a ProjectBrief plus the cues a drafter scales by. Raises BriefError
    only for a text no one could plan from; everything else unknown becomes an assumption.
    `date_order` reads "03/01/2027" (said in an assumption); `fiscal_start` is the first
    month of the fiscal year unless the brief says it."""
    check_readable(text)
    doc = build_doc(text)
    structure = read_structure(_mask(text, doc))
    notes = _Notes()
    for i in sorted(doc.injected):
        notes.assume(
            f"the brief contains text addressed to the planner, read as text and not followed: "
            f"'{clip(tidy(doc.words(i)), 160)}'"
        )
    title, title_index = find_title(doc, notes)
    goal = find_goal(doc, notes, title_index)
    scope, out_of_scope, list_sentences = read_lists(doc, notes)
    out_sentences = {i for i in list_sentences if doc.labels[i][0] != "scope"}
    scores, archetype = score_archetypes(doc, notes, title, out_sentences)
    facts = read_dates(structure, today=today, order=date_order, fiscal_start=fiscal_start)
    money = read_money(structure)
    for key, quote in {**facts.quotes, **money.quotes}.items():
        notes.quotes.setdefault(key, quote)
    for line in [*facts.assumptions, *money.assumptions]:
        notes.assume(line)
    budget = _budget(money, notes)
    old_dates = _old_dates(doc, facts, facts.start or next_monday(today))
    team = read_people(structure, archetype, facts.absences)
    if any(p.name for p in team.people):
        people = [_cue(p) for p in team.people]
        team_size: int | None = team.size
        outside = team.outside
        for line in team.assumptions:
            notes.assume(line)
        for key, quote in team.quotes.items():
            notes.quotes.setdefault(key, quote)
        notes.quotes.setdefault("team", team.people[0].quote)
        if people and not any(p.role == "project manager" for p in people):
            people.append(PersonCue(role="project manager"))
            notes.assume("a project manager is assumed: the brief's team names none")
            team_size = (team_size or 0) + 1
    else:
        people, team_size, outside = read_team(doc, notes, archetype, old_dates)
    for words in outside:
        notes.assume(f"not counted as team members: {clip(words, 200)}")
    drivers = read_drivers(doc, notes)
    technologies = find_technologies(doc, notes)
    constraints = read_constraints(doc, notes, list_sentences)
    if not scope:
        notes.assume("the brief lists no scope; scope is read from its goal and the template")
    if len(text) > MAX_TEXT:
        notes.assume(
            f"the brief is {len(text)} characters long: its first {MAX_TEXT} are kept for the "
            "record, but all of it was read"
        )
    start, deadline = facts.start or next_monday(today), facts.deadline
    if start and deadline and deadline < start:
        notes.assume(
            f"the deadline read ({deadline}) is before the start ({start}); assumed no deadline"
        )
        deadline = None
    freezes = [
        Freeze(start=a, finish=b, reason=clip(r, 200), quote=q) for a, b, r, q in facts.freezes
    ]
    milestones = [(clip(w, 120), d) for w, d, _ in facts.milestones]
    total = sum(scores.values()) or 1.0
    kinds = {
        k: round(v / total, 2) for k, v in sorted(scores.items(), key=lambda kv: -kv[1]) if v > 0
    }
    currency = budget.currency if budget else None
    costs = [
        BriefCost(
            what=clip(c.what, 200),
            amount=Money.of(c.amount, c.currency or currency or "USD"),
            per="month" if c.per == "month" else None,
            in_budget=c.in_budget,
            quote=clip(c.quote, 300),
        )
        for c in money.costs
        if c.amount > 0 and (c.currency or currency)
    ]
    brief = ProjectBrief(
        title=title,
        text=text[:MAX_TEXT],
        goal=goal,
        archetype=archetype,
        scope=scope,
        out_of_scope=out_of_scope,
        start=start,
        deadline=deadline,
        budget=budget,
        team_size=team_size,
        roles=list(dict.fromkeys(p.role for p in people)),
        technologies=technologies,
        constraints=constraints,
        kinds=kinds,
        people=[_brief_person(p) for p in people if p.name],
        non_labour=costs,
        freezes=[
            BriefDate(what=f.reason, start=f.start, finish=f.finish, quote=f.quote) for f in freezes
        ],
        milestones=[BriefDate(what=w, start=d, finish=d) for w, d in milestones],
        quotes=dict(notes.quotes),
    )
    return BriefReading(
        brief=brief,
        drivers=drivers,
        people=people,
        freezes=freezes,
        milestones=milestones,
        quotes=notes.quotes,
        assumptions=notes.assumptions,
        archetype_scores=scores,
        partners=[clip(words, 200) for words in outside],
    )


def _mask(text: str, doc: _Doc) -> str:
    """The text with sentences addressed to the planner blanked (same length): they are read
    as text, never as facts."""
    chars = list(text)
    for i in doc.injected:
        s = doc.sentences[i]
        chars[s.start : s.end] = " " * (s.end - s.start)
    return "".join(chars)


def _budget(money: MoneyFacts, notes: _Notes) -> Money | None:
    if money.budget is None:
        notes.assume("the brief names no budget; none is assumed and no budget check is made")
        return None
    amount, currency = money.budget
    currency = currency or "USD"
    if amount <= 0 or amount > MAX_AMOUNT:
        size = "zero or negative" if amount <= 0 else "beyond any project"
        notes.assume(f"the budget read ({amount:,.0f} {currency}) is {size}; assumed none")
        return None
    return Money.of(amount, currency)


def _old_dates(doc: _Doc, facts: DateFacts, start: date) -> _Dates:
    """Leave by sentence, for the list reader of team lines."""
    out = _Dates(start=start)
    for first, last, sentence, quote in facts.absences:
        at = next((i for i in range(len(doc.sentences)) if quote in doc.words(i)), None)
        if at is not None and last >= first:
            out.absences.append((at, Absence(start=first, finish=last, reason=clip(sentence, 200))))
    return out


def _cue(p: PersonRead) -> PersonCue:
    return PersonCue(
        name=p.name,
        role=p.role,
        availability=p.share,
        absences=[Absence(start=a, finish=b, reason=q) for a, b, q in p.absences if b >= a],
        quote=clip(p.quote, 200),
        count=p.count,
        rate=Money.of(Decimal(str(p.rate[0])), p.rate[1]) if p.rate and p.rate[1] else None,
        per=p.rate[2] if p.rate and p.rate[1] else None,
    )


def _brief_person(p: PersonCue) -> BriefPerson:
    return BriefPerson(
        name=p.name,
        role=p.role,
        share=p.availability,
        rate=p.rate,
        per=p.per,
        count=1,
        leave=list(p.absences),
        quote=p.quote,
    )
