"""The LLM client: structured JSON from any OpenAI-compatible endpoint, within a budget.

One method, `structured`, asks for JSON that conforms to a pydantic model, in one of three
ways that servers support (`structured_mode`), validates the reply with that model, and
sends the validation errors back to the model for a bounded number of repairs. Every call
counts against a per-client budget of calls, tokens and wall-clock time; a spent budget
raises before the request goes out. Every failure is a typed `LlmError` that says what went
wrong, and where (endpoint and model), never the API key.

The client is built per run (its budget is the run's budget) from an injected `openai.OpenAI`
and an injected monotonic clock, so tests drive the real SDK against a scripted transport.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from agent.drafting.port import Usage
from prompts.loader import render

StructuredMode = Literal["json_schema", "json_object", "tool"]
BudgetKind = Literal["calls", "tokens", "deadline"]
T = TypeVar("T", bound=BaseModel)

MAX_ERRORS_SHOWN = 20
"""Validation errors listed in one repair message (the rest are counted)."""
MAX_INPUT_SHOWN = 60
"""Characters of an offending value quoted in a repair message."""
CHARS_PER_TOKEN = 4
"""Token estimate for servers that report no usage, so the token budget still bites."""


class LlmConfig(BaseModel):
    """Where the model is and how much of it one run may use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(min_length=1)
    model: str = Field(min_length=1)
    api_key: SecretStr
    structured_mode: StructuredMode = "json_schema"
    timeout_s: float = Field(default=60.0, gt=0, le=3600)
    max_retries: int = Field(default=2, ge=0, le=10)
    """Retries of one request by the SDK (connection errors, 408/409/429/5xx)."""
    max_calls: int = Field(default=8, ge=1, le=1000)
    max_tokens_total: int = Field(default=60_000, ge=1)
    max_output_tokens: int = Field(default=4096, ge=1)
    max_repairs: int = Field(default=2, ge=0, le=10)
    """Times an invalid reply is sent back with its errors before giving up."""
    deadline_s: float = Field(default=300.0, gt=0)
    """Wall-clock seconds from the client's first request to the last one it may start."""
    temperature: float = Field(default=0.0, ge=0, le=2)
    seed: int | None = None


# --- errors -------------------------------------------------------------------------------


class LlmError(Exception):
    """Any failure of the LLM client; the message names the endpoint and model."""

    def __init__(self, message: str, *, endpoint: str, model: str) -> None:
        super().__init__(f"{message} [endpoint {endpoint}, model {model}]")
        self.endpoint = endpoint
        self.model = model


class LlmAuthError(LlmError):
    """The endpoint refused the credentials (401) or the access (403)."""


class LlmUnavailable(LlmError):
    """No answer: connection failed, timed out, rate limited or server error, after retries."""


class LlmRequestError(LlmError):
    """The endpoint rejected the request itself (400/404/422): wrong model name, or a
    structured mode the server does not support."""


class LlmRefused(LlmError):
    """The model refused, or a content filter stopped the reply."""


class LlmBudgetExceeded(LlmError):
    """The run's call, token or time budget is spent; raised before the request is sent."""

    def __init__(self, kind: BudgetKind, detail: str, *, endpoint: str, model: str) -> None:
        super().__init__(f"LLM {kind} budget exceeded: {detail}", endpoint=endpoint, model=model)
        self.kind = kind


class LlmOutputInvalid(LlmError):
    """The model's reply did not conform to the schema after every allowed repair."""

    def __init__(self, errors: list[str], *, schema: str, endpoint: str, model: str) -> None:
        shown = "; ".join(errors[:5]) + (f"; ... {len(errors) - 5} more" if len(errors) > 5 else "")
        super().__init__(
            f"the model's reply for {schema} is still invalid after repairs: {shown}",
            endpoint=endpoint,
            model=model,
        )
        self.errors = errors
        self.schema = schema


# --- the client ---------------------------------------------------------------------------


class _Reply(BaseModel):
    """One assistant turn: the JSON text to parse and the message to keep in the history."""

    model_config = ConfigDict(frozen=True)

    text: str | None
    message: dict[str, Any]
    tool_call_id: str | None = None
    problem: str | None = None
    cut_off: bool = False
    """Cut off at the output limit: left out of the history (it would only fill the context)."""


class LlmClient:
    def __init__(
        self, config: LlmConfig, openai_client: openai.OpenAI, clock: Callable[[], float]
    ) -> None:
        self._config = config
        self._openai = openai_client
        self._clock = clock
        self._calls = 0
        self._tokens = 0
        self._started: float | None = None

    @classmethod
    def from_config(
        cls,
        config: LlmConfig,
        http_client: httpx2.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> LlmClient:
        client = openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key.get_secret_value(),
            timeout=config.timeout_s,
            max_retries=config.max_retries,
            http_client=http_client,
        )
        return cls(config, client, clock)

    @property
    def model(self) -> str:
        return self._config.model

    @property
    def endpoint(self) -> str:
        """The base URL without credentials or query, safe to show."""
        parts = urlsplit(self._config.base_url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))

    def usage(self) -> Usage:
        return Usage(calls=self._calls, tokens=self._tokens)

    def fresh(self) -> LlmClient:
        """A client for a new run: the same endpoint and connection pool, budgets from zero."""
        return type(self)(self._config, self._openai, self._clock)

    def structured(self, system: str, user: str, schema: type[T], name: str) -> T:
        """A `schema` instance from the model, repairing invalid replies up to max_repairs."""
        mode = self._config.structured_mode
        json_schema = wire_schema(schema)
        if mode == "json_object":
            user = f"{user}\n\n" + render("json_reply", schema=json.dumps(json_schema, indent=1))
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        errors: list[str] = []
        for _attempt in range(self._config.max_repairs + 1):
            reply = self._complete(messages, json_schema, name)
            if reply.problem is None and reply.text is not None:
                try:
                    return schema.model_validate_json(_strip_fence(reply.text))
                except ValidationError as err:
                    errors = describe_errors(err)
            else:
                errors = [reply.problem or "the reply was empty"]
            feedback = render("repair_output", errors="\n".join(f"- {e}" for e in errors))
            if reply.cut_off:
                messages.append({"role": "user", "content": feedback})
                continue
            messages.append(reply.message)
            if reply.tool_call_id is not None:
                messages.append(
                    {"role": "tool", "tool_call_id": reply.tool_call_id, "content": feedback}
                )
            else:
                messages.append({"role": "user", "content": feedback})
        raise LlmOutputInvalid(errors, schema=name, endpoint=self.endpoint, model=self.model)

    # --- one request -----------------------------------------------------------------------

    def _complete(
        self, messages: list[dict[str, Any]], json_schema: dict[str, Any], name: str
    ) -> _Reply:
        timeout = self._check_budget()
        self._calls += 1
        kwargs = self._shape(json_schema, name)
        if self._config.seed is not None:
            kwargs["seed"] = self._config.seed
        try:
            response = self._openai.chat.completions.create(
                model=self._config.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=self._config.temperature,
                max_tokens=self._config.max_output_tokens,
                timeout=timeout,
                **kwargs,
            )
        except openai.APIError as err:
            raise self._translate(err, timeout) from err
        self._count_tokens(response, messages)
        if not response.choices:
            return _Reply(
                text=None,
                message={"role": "assistant", "content": ""},
                problem="the response had no choices",
            )
        choice = response.choices[0]
        message = choice.message
        if choice.finish_reason == "content_filter" or message.refusal:
            why = message.refusal or "the content filter stopped the reply"
            raise LlmRefused(f"the model refused: {why}", endpoint=self.endpoint, model=self.model)
        truncated = choice.finish_reason == "length"
        if self._config.structured_mode == "tool":
            reply = self._tool_reply(message, name)
        else:
            text = message.content
            reply = _Reply(
                text=text,
                message={"role": "assistant", "content": text or ""},
                problem=None if text and text.strip() else "the reply had no content",
            )
        if truncated and _unparsable(reply):
            note = (
                f"your previous reply was cut off at {self._config.max_output_tokens} tokens"
                " before the JSON was complete; reply with fewer items and shorter texts"
            )
            return reply.model_copy(update={"problem": note, "cut_off": True})
        return reply

    def _shape(self, json_schema: dict[str, Any], name: str) -> dict[str, Any]:
        mode = self._config.structured_mode
        if mode == "json_schema":
            return {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": json_schema, "strict": False},
                }
            }
        if mode == "json_object":
            # llama.cpp (and llama-cpp-python) constrain the output to `schema` by grammar.
            return {"response_format": {"type": "json_object", "schema": json_schema}}
        return {
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": name,
                        "description": f"Return the {name} as structured data.",
                        "parameters": json_schema,
                    },
                }
            ],
            "tool_choice": {"type": "function", "function": {"name": name}},
        }

    def _tool_reply(self, message: Any, name: str) -> _Reply:
        calls = message.tool_calls or []
        history: dict[str, Any] = {"role": "assistant", "content": message.content or ""}
        if not calls:
            return _Reply(
                text=None, message=history, problem=f"the reply did not call the tool {name}"
            )
        call = calls[0]
        function = getattr(call, "function", None)
        history["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {
                    "name": getattr(function, "name", ""),
                    "arguments": getattr(function, "arguments", ""),
                },
            }
        ]
        if function is None or function.name != name:
            called = getattr(function, "name", call.type)
            return _Reply(
                text=None,
                message=history,
                tool_call_id=call.id,
                problem=f"the reply called {called!r} instead of the tool {name}",
            )
        return _Reply(text=function.arguments, message=history, tool_call_id=call.id)

    def _check_budget(self) -> float:
        """Raise if a budget is spent; else the timeout left for this request."""
        cfg = self._config
        now = self._clock()
        if self._started is None:
            self._started = now
        elapsed = now - self._started
        if self._calls >= cfg.max_calls:
            raise self._budget("calls", f"{self._calls} of {cfg.max_calls} calls made")
        if self._tokens >= cfg.max_tokens_total:
            raise self._budget("tokens", f"{self._tokens} of {cfg.max_tokens_total} tokens used")
        if elapsed >= cfg.deadline_s:
            raise self._budget("deadline", f"{elapsed:.0f} s of {cfg.deadline_s:.0f} s spent")
        return min(cfg.timeout_s, cfg.deadline_s - elapsed)

    def _budget(self, kind: BudgetKind, detail: str) -> LlmBudgetExceeded:
        return LlmBudgetExceeded(kind, detail, endpoint=self.endpoint, model=self.model)

    def _count_tokens(self, response: Any, messages: list[dict[str, Any]]) -> None:
        if response.usage is not None:
            self._tokens += response.usage.total_tokens
            return
        sent = sum(len(json.dumps(m)) for m in messages)
        got = sum(len(c.message.content or "") for c in response.choices or [])
        self._tokens += (sent + got) // CHARS_PER_TOKEN + 1

    def _translate(self, err: openai.APIError, timeout: float) -> LlmError:
        where = {"endpoint": self.endpoint, "model": self.model}
        retries = self._config.max_retries
        if isinstance(err, openai.AuthenticationError):
            return LlmAuthError("the endpoint rejected the API key (HTTP 401)", **where)
        if isinstance(err, openai.PermissionDeniedError):
            return LlmAuthError("the API key may not use this model (HTTP 403)", **where)
        if isinstance(err, openai.APITimeoutError):
            return LlmUnavailable(
                f"no answer within {timeout:.0f} s (after {retries} retries)", **where
            )
        if isinstance(err, openai.APIConnectionError):
            return LlmUnavailable(
                f"could not connect (after {retries} retries): {err.__cause__ or err}", **where
            )
        if isinstance(err, openai.RateLimitError):
            return LlmUnavailable(f"rate limited (HTTP 429) after {retries} retries", **where)
        if isinstance(err, openai.InternalServerError):
            return LlmUnavailable(
                f"server error (HTTP {err.status_code}) after {retries} retries", **where
            )
        if isinstance(err, openai.NotFoundError):
            return LlmRequestError(f"model or path not found (HTTP 404): {err.message}", **where)
        if isinstance(err, openai.BadRequestError | openai.UnprocessableEntityError):
            return LlmRequestError(
                f"request rejected (HTTP {err.status_code}): {err.message} (with"
                f" structured_mode {self._config.structured_mode!r}; if the server does not"
                " support it, configure another)",
                **where,
            )
        if isinstance(err, openai.APIStatusError):
            kind = LlmUnavailable if err.status_code >= 500 else LlmRequestError
            return kind(f"HTTP {err.status_code}: {err.message}", **where)
        return LlmUnavailable(f"unexpected API error: {err.message}", **where)


# --- helpers ------------------------------------------------------------------------------


def describe_errors(err: ValidationError) -> list[str]:
    """`path: problem (got value)` per error, the path as dotted field names and indices."""
    lines = []
    for e in err.errors(include_url=False)[:MAX_ERRORS_SHOWN]:
        path = ".".join(str(p) for p in e["loc"]) or "(root)"
        line = f"{path}: {e['msg']}"
        if e["loc"] and e["type"] not in {"missing", "json_invalid"} and "input" in e:
            shown = json.dumps(e["input"], default=str)
            if len(shown) > MAX_INPUT_SHOWN:
                shown = shown[:MAX_INPUT_SHOWN] + "..."
            line += f" (got {shown})"
        lines.append(line)
    extra = err.error_count() - MAX_ERRORS_SHOWN
    if extra > 0:
        lines.append(f"... and {extra} more errors")
    return lines


def _strip_fence(text: str) -> str:
    """The JSON inside a ```json fence, which some models add even in JSON mode."""
    stripped = text.strip()
    if stripped.startswith("```"):
        first_newline = stripped.find("\n")
        if first_newline != -1 and stripped.endswith("```"):
            return stripped[first_newline + 1 : -3]
    return stripped


def _unparsable(reply: _Reply) -> bool:
    if reply.text is None:
        return True
    try:
        json.loads(_strip_fence(reply.text))
    except ValueError:
        return True
    return False


WIRE_DROPPED = frozenset({"title", "maxLength", "maxItems"})
"""Schema keywords left out of what is sent. Titles only cost tokens; upper length bounds make
grammar-constrained servers (llama.cpp) build one nested rule per allowed character, which
for a 4000-character field is a grammar of hundreds of kilobytes. Validation still enforces
them, and a repair message names any field that breaks them."""
_VALUES = frozenset({"default", "enum", "const", "examples"})


def wire_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of `model` as sent to the server: refs inlined, WIRE_DROPPED removed."""

    def prune(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: v if k in _VALUES else prune(v)
                for k, v in node.items()
                if not (k in WIRE_DROPPED and not isinstance(v, dict))
            }
        if isinstance(node, list):
            return [prune(v) for v in node]
        return node

    return prune(_inline_refs(model.model_json_schema()))


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every local `$ref` replaced by its definition (no `$defs`), which
    grammar-constrained servers (llama.cpp, Ollama) handle more reliably."""
    defs = schema.get("$defs", {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                key = ref.removeprefix("#/$defs/")
                if key in seen:
                    raise ValueError(f"recursive schema through {key} cannot be inlined")
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return resolve({**defs[key], **rest}, (*seen, key))
            return {k: resolve(v, seen) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [resolve(v, seen) for v in node]
        return node

    return resolve(schema, ())
