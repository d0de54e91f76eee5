"""The composition root of the ways in: settings become the service's injected dependencies.

The CLI, the HTTP API and the scheduler build their PlanningService here, so the three ways in
plan with the same drafter, store, rates and profile.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import SecretStr

from agent.chat import model_interpreter
from agent.corpus import SharedCorpus
from agent.deps import AgentDeps
from agent.drafting.model import ModelDrafter
from agent.drafting.offline import OfflineDrafter
from agent.drafting.port import Drafter
from agent.llm import LlmClient, LlmConfig
from agent.repository import Repository
from agent.service import ChatService, LessonsService, PlanningService, PlansService
from api.app import Services
from api.settings import Settings
from knowledge.embedding import EmbeddingConfig
from knowledge.kinds import KindMatcher
from knowledge.rates import default_rates
from knowledge.templates import load_templates
from tools.calibration import CalibrationProfile
from tools.edits import read_edits
from tools.ratelimit import RateLimiter

OPENAI_URL = "https://api.openai.com/v1"


def embedding_config(s: Settings) -> EmbeddingConfig:
    return EmbeddingConfig(
        provider=s.embedding_provider,
        model=s.embedding_model,
        base_url=s.embedding_base_url or s.llm_base_url,
        api_key=s.llm_api_key,
    )


def lessons_service(s: Settings, *, repair: bool = False) -> LessonsService:
    return LessonsService.open(s.data_dir, s.chroma_url, embedding_config(s), repair=repair)


def llm_client(s: Settings) -> LlmClient | None:
    """The model client when a model is configured (or asked for), else None."""
    if not s.use_model:
        return None
    config = LlmConfig(
        base_url=s.llm_base_url or OPENAI_URL,
        model=s.llm_model,
        api_key=s.llm_api_key or SecretStr("none"),  # local servers often need no key
        structured_mode=s.llm_structured_mode,
        timeout_s=s.llm_timeout_s,
        max_calls=s.llm_max_calls,
        max_tokens_total=s.llm_max_tokens,
        deadline_s=s.llm_deadline_s,
        seed=s.seed,
    )
    return LlmClient.from_config(config)


def drafter(s: Settings) -> Drafter:
    """The model drafter when one is configured (or asked for), else the offline one."""
    client = llm_client(s)
    return OfflineDrafter() if client is None else ModelDrafter(client)


def planning_service(
    s: Settings,
    profile: CalibrationProfile | None,
    *,
    iterations: int | None = None,
    seed: int | None = None,
    knowledge: LessonsService | None = None,
) -> PlanningService:
    seed = s.seed if seed is None else seed
    iterations = s.iterations if iterations is None else iterations
    templates = load_templates()
    deps = AgentDeps(
        drafter=drafter(s),
        knowledge=SharedCorpus(knowledge if knowledge is not None else lessons_service(s)),
        templates=templates,
        rates=default_rates,
        today=date.today,
        profile=profile,
        seed=seed,
        iterations=iterations,
        date_order=s.date_order,
        fiscal_start=s.fiscal_year_start,
        country=s.country.upper(),
        kinds=KindMatcher.local(templates),
    )
    return PlanningService(profile=profile, seed=seed, iterations=iterations, agent=deps)


def checkpointer(s: Settings) -> SqliteSaver:
    """Chat threads in SQLite (WAL) beside the other records: a turn acknowledged is kept."""
    s.data_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(s.data_dir / "threads.sqlite3", check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    saver = SqliteSaver(conn)
    saver.setup()
    return saver


def chat_service(s: Settings, planning: PlanningService) -> ChatService:
    if planning.agent is None:
        raise ValueError("chat needs a planning service that can draft")
    client = llm_client(s)
    interpret = read_edits if client is None else model_interpreter(client)
    return ChatService(planning.agent, checkpointer(s), interpret)


def repository(s: Settings) -> Repository:
    return Repository(s.data_dir / "plans.sqlite3")


def api_services(s: Settings, planning: PlanningService, lessons: LessonsService) -> Services:
    repo = repository(s)
    limiter = RateLimiter(per_minute=s.rate_limit_per_minute, burst=s.rate_limit_burst)
    return Services(
        plans=PlansService(planning, repo, background=s.use_model),
        repository=repo,
        lessons=lessons,
        chats=chat_service(s, planning),
        limiter=limiter,
    )
