"""Settings, read once at the edge from the environment (prefix PMPILOT_) and an optional .env.

Nothing below api/ reads the environment: the ways in build a Settings, then pass plain values
into the service. `get_settings()` is cached and overridable in tests.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PMPILOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("pmpilot", appauthor=False)),
        description="Where SQLite, the Chroma directory and generated files live.",
    )
    llm_base_url: str = Field(default="", description="OpenAI-compatible endpoint; empty: OpenAI")
    llm_model: str = Field(default="gpt-4.1-mini", description="Model name at the endpoint")
    llm_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("PMPILOT_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key; falls back to OPENAI_API_KEY.",
    )
    llm_structured_mode: Literal["json_schema", "json_object", "tool"] = Field(
        default="json_schema",
        description="How the model is asked for JSON: json_schema (OpenAI, vLLM), json_object"
        " (llama.cpp server, with the schema), tool (a forced function call)",
    )
    llm_timeout_s: float = Field(default=60.0, gt=0, le=600, description="Per model call")
    llm_max_calls: int = Field(default=8, ge=1, le=100, description="Model calls per plan")
    llm_max_tokens: int = Field(default=60_000, ge=1000, description="Tokens per plan")
    llm_deadline_s: float = Field(default=300.0, gt=0, description="Model time per plan")
    drafter: Literal["auto", "offline", "model"] = Field(
        default="auto", description="auto: the model when one is configured, else offline"
    )
    rate_limit_per_minute: float = Field(default=60, gt=0, description="Requests per key")
    rate_limit_burst: int = Field(default=20, ge=1, description="Requests a key may burst")
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser"
    )
    chroma_url: str = Field(default="", description="Chroma server URL; empty: embedded")
    embedding_provider: Literal["local", "openai"] = Field(
        default="local", description="local: the offline int8 MiniLM; openai: an API"
    )
    embedding_model: str = Field(default="", description="Embedding model for provider openai")
    embedding_base_url: str = Field(default="", description="Embedding endpoint; empty: OpenAI")
    date_order: Literal["dmy", "mdy"] = Field(
        default="dmy",
        description='How a brief\'s "03/01/2027" is read: dmy (3 January) or mdy (1 March);'
        " a date that could be either is said in an assumption",
    )
    fiscal_year_start: int = Field(
        default=1, ge=1, le=12, description='First month of the fiscal year ("FY27 H1")'
    )
    country: str = Field(
        default="",
        pattern=r"^(?:[A-Za-z]{2})?$",
        description="ISO country code whose public holidays plans leave out; empty: the"
        " country the brief names (or its currency settles)",
    )
    seed: int = Field(default=20261125, ge=0, description="Seed for every random draw of a run")
    iterations: int = Field(default=10_000, ge=0, description="Monte Carlo iterations per plan")

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "pmpilot.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def profile_path(self) -> Path:
        """The organisation's calibration profile, written by `pmpilot calibrate`."""
        return self.data_dir / "calibration-profile.json"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_api_key or self.llm_base_url)

    @property
    def use_model(self) -> bool:
        return self.drafter == "model" or (self.drafter == "auto" and self.llm_configured)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
