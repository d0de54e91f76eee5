"""The LLM client against a scripted server: real SDK, real parsing, real validation."""

from __future__ import annotations

import json
import socket

import pytest

from agent.drafting.model import ModelWbs
from agent.llm import (
    LlmAuthError,
    LlmBudgetExceeded,
    LlmClient,
    LlmConfig,
    LlmOutputInvalid,
    LlmRefused,
    LlmRequestError,
    LlmUnavailable,
    wire_schema,
)
from tests.agent.fakes import (
    FakeClock,
    HttpError,
    Refused,
    ScriptedServer,
    Timeout,
    completion,
    migration_wbs,
    package,
)

GOOD = json.dumps(migration_wbs())


def small_wbs(**changes: object) -> dict[str, object]:
    packages = [
        package("1", "Design", None, ("dba",), (1, 2, 3)),
        package("2", "Build", None, ("developer",), (2, 3, 5), "1"),
    ]
    packages[1].update(changes)
    return {"packages": packages, "assumptions": []}


def ask(client: LlmClient) -> ModelWbs:
    return client.structured("You draft plans.", "Draft the WBS.", ModelWbs, "wbs")


def repair_text(server: ScriptedServer, request: int = -1) -> str:
    """The repair message the client sent in a request (its last message)."""
    return server.messages(request)[-1]["content"]


# --- request and response shapes per structured mode -----------------------------------------


def test_json_schema_mode_sends_the_schema_as_response_format_and_parses_content() -> None:
    server = ScriptedServer(completion(GOOD))
    out = ask(server.client(structured_mode="json_schema", seed=7))
    body = server.requests[0]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "wbs"
    assert fmt["json_schema"]["strict"] is False
    schema = fmt["json_schema"]["schema"]
    assert "$defs" not in json.dumps(schema)  # refs inlined for grammar-based servers
    item = schema["properties"]["packages"]["items"]
    assert {"code", "name", "optimistic", "likely", "pessimistic"} <= set(item["required"])
    assert body["model"] == "test-model"
    assert body["temperature"] == 0.0
    assert body["seed"] == 7
    assert body["max_tokens"] == 4096
    assert "tools" not in body
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][1]["content"] == "Draft the WBS."
    assert len(out.packages) == 17
    assert out.packages[5].depends_on == ["1.2"]


def test_json_object_mode_sends_the_schema_in_response_format_and_in_the_prompt() -> None:
    server = ScriptedServer(completion(GOOD))
    out = ask(server.client(structured_mode="json_object"))
    body = server.requests[0]
    assert body["response_format"]["type"] == "json_object"
    schema = body["response_format"]["schema"]
    assert schema["required"] == ["packages", "assumptions"]
    user = body["messages"][1]["content"]
    assert user.startswith("Draft the WBS.")
    assert json.dumps(schema, indent=1) in user
    assert "seed" not in body
    assert out.assumptions == ["The reporting warehouse is out of scope."]


def test_tool_mode_forces_a_tool_call_and_parses_its_arguments() -> None:
    server = ScriptedServer(completion(None, tool=("wbs", GOOD)))
    out = ask(server.client(structured_mode="tool"))
    body = server.requests[0]
    assert "response_format" not in body
    (tool,) = body["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "wbs"
    assert tool["function"]["parameters"]["properties"]["packages"]["type"] == "array"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "wbs"}}
    assert [p.code for p in out.packages][:3] == ["1", "1.1", "1.2"]


def test_tool_mode_repairs_through_a_tool_message_answering_the_call() -> None:
    bad = json.dumps(small_wbs(likely="three"))
    server = ScriptedServer(
        completion(None, tool=("wbs", bad)), completion(None, tool=("wbs", GOOD))
    )
    ask(server.client(structured_mode="tool"))
    history = server.messages(1)
    assert history[2]["role"] == "assistant"
    assert history[2]["tool_calls"][0]["function"]["arguments"] == bad
    assert history[3]["role"] == "tool"
    assert history[3]["tool_call_id"] == "call_1"
    assert "packages.1.likely" in history[3]["content"]


def test_tool_mode_reply_without_a_tool_call_is_repaired() -> None:
    server = ScriptedServer(
        completion("I think the WBS is..."), completion(None, tool=("wbs", GOOD))
    )
    ask(server.client(structured_mode="tool"))
    assert "did not call the tool wbs" in repair_text(server)


# --- the repair loop -----------------------------------------------------------------------


def test_non_json_reply_is_sent_back_and_the_repaired_reply_is_used() -> None:
    server = ScriptedServer(
        completion("Sure! Here is your plan: 1. Design 2. Build"), completion(GOOD)
    )
    out = ask(server.client())
    history = server.messages(1)
    assert history[2] == {
        "role": "assistant",
        "content": "Sure! Here is your plan: 1. Design 2. Build",
    }
    assert history[3]["role"] == "user"
    assert "(root): Invalid JSON" in history[3]["content"]
    assert len(out.packages) == 17


def test_missing_field_is_named_by_its_path() -> None:
    broken = small_wbs()
    del broken["packages"][1]["pessimistic"]  # type: ignore[index]
    server = ScriptedServer(completion(json.dumps(broken)), completion(GOOD))
    ask(server.client())
    assert "- packages.1.pessimistic: Field required" in repair_text(server)


def test_a_string_where_a_number_is_required_is_named_by_its_path() -> None:
    server = ScriptedServer(completion(json.dumps(small_wbs(optimistic="2"))), completion(GOOD))
    ask(server.client())
    text = repair_text(server)
    assert "packages.1.optimistic: Input should be a valid number" in text
    assert '(got "2")' in text


def test_a_self_dependency_is_sent_back_naming_depends_on() -> None:
    server = ScriptedServer(completion(json.dumps(small_wbs(depends_on=["2"]))), completion(GOOD))
    ask(server.client())
    assert "packages.1: Value error, depends_on: package 2 must not depend on itself" in (
        repair_text(server)
    )


def test_an_unknown_dependency_and_a_repeated_code_are_sent_back() -> None:
    server = ScriptedServer(
        completion(json.dumps(small_wbs(code="1", depends_on=["9"]))), completion(GOOD)
    )
    ask(server.client())
    text = repair_text(server)
    assert "packages.1.code: 1 is used by more than one package" in text
    assert "packages.1.depends_on: 9 is not a code in the WBS" in text


def test_a_fenced_json_reply_is_read_without_a_repair() -> None:
    server = ScriptedServer(completion(f"```json\n{GOOD}\n```"))
    assert len(ask(server.client()).packages) == 17
    assert len(server.requests) == 1


def test_a_reply_cut_off_at_the_token_limit_is_left_out_of_the_history() -> None:
    server = ScriptedServer(completion(GOOD[:300], finish_reason="length"), completion(GOOD))
    ask(server.client(max_output_tokens=100))
    assert server.requests[0]["max_tokens"] == 100
    history = server.messages(1)
    assert [m["role"] for m in history] == ["system", "user", "user"]
    assert "cut off at 100 tokens" in history[-1]["content"]


def test_a_complete_reply_that_hit_the_limit_is_still_used() -> None:
    server = ScriptedServer(completion(GOOD, finish_reason="length"))
    assert len(ask(server.client()).packages) == 17


def test_the_loop_gives_up_after_max_repairs() -> None:
    bad = json.dumps(small_wbs(likely=None))
    server = ScriptedServer(*[completion(bad)] * 5)
    with pytest.raises(LlmOutputInvalid) as caught:
        ask(server.client(max_repairs=2))
    assert len(server.requests) == 3
    assert caught.value.errors == ["packages.1.likely: Input should be a valid number (got null)"]
    assert "wbs" in str(caught.value)
    assert "test-model" in str(caught.value)


def test_no_repairs_means_one_call() -> None:
    server = ScriptedServer(completion("{}"), completion(GOOD))
    with pytest.raises(LlmOutputInvalid, match=r"packages: Field required"):
        ask(server.client(max_repairs=0))
    assert len(server.requests) == 1


# --- budgets -------------------------------------------------------------------------------


def test_call_budget_stops_a_repair_before_it_is_sent() -> None:
    server = ScriptedServer(completion("not json"), completion(GOOD))
    client = server.client(max_calls=1)
    with pytest.raises(LlmBudgetExceeded) as caught:
        ask(client)
    assert caught.value.kind == "calls"
    assert "1 of 1 calls" in str(caught.value)
    assert len(server.requests) == 1


def test_token_budget_counts_the_responses_usage() -> None:
    server = ScriptedServer(completion(GOOD, usage=(900, 200)), completion(GOOD))
    client = server.client(max_tokens_total=1000)
    ask(client)
    with pytest.raises(LlmBudgetExceeded) as caught:
        ask(client)
    assert caught.value.kind == "tokens"
    assert "1100 of 1000 tokens" in str(caught.value)
    assert len(server.requests) == 1


def test_deadline_counts_from_the_first_request_on_the_injected_clock() -> None:
    clock = FakeClock()
    server = ScriptedServer(completion(GOOD), completion(GOOD))
    client = server.client(clock=clock, deadline_s=300, timeout_s=60)
    clock.advance(10_000)  # time before the first request does not count
    ask(client)
    clock.advance(299)
    ask(client)
    assert server.headers[1]["x-stainless-read-timeout"] == "1.0"  # what is left of it
    clock.advance(1)
    with pytest.raises(LlmBudgetExceeded) as caught:
        ask(client)
    assert caught.value.kind == "deadline"
    assert len(server.requests) == 2


def test_usage_counts_calls_and_tokens_from_the_responses() -> None:
    server = ScriptedServer(
        completion("oops", usage=(1200, 30)), completion(GOOD, usage=(1300, 700))
    )
    client = server.client()
    assert client.usage().calls == 0
    ask(client)
    usage = client.usage()
    assert usage.calls == 2
    assert usage.tokens == 1200 + 30 + 1300 + 700


def test_a_server_that_reports_no_usage_still_spends_tokens() -> None:
    server = ScriptedServer(completion(GOOD, usage=None))
    client = server.client()
    ask(client)
    assert client.usage().tokens > len(GOOD) // 8


# --- failures ------------------------------------------------------------------------------


def test_401_is_an_auth_error_that_names_the_endpoint_and_not_the_key() -> None:
    server = ScriptedServer(HttpError(401, {"error": {"message": "Incorrect API key"}}))
    with pytest.raises(LlmAuthError) as caught:
        ask(server.client(max_retries=2))
    message = str(caught.value)
    assert "401" in message
    assert "http://llm.test/v1" in message
    assert "test-model" in message
    assert "sk-test-secret" not in message
    assert len(server.requests) == 1  # not retried


def test_403_is_an_auth_error() -> None:
    server = ScriptedServer(HttpError(403))
    with pytest.raises(LlmAuthError, match="403"):
        ask(server.client())


def test_500_after_the_sdks_retries_is_unavailable() -> None:
    fast = {"retry-after-ms": "1"}
    server = ScriptedServer(*[HttpError(500, headers=fast)] * 3)
    with pytest.raises(LlmUnavailable, match=r"HTTP 500\) after 2 retries"):
        ask(server.client(max_retries=2))
    assert len(server.requests) == 3
    assert server.headers[2]["x-stainless-retry-count"] == "2"


def test_a_500_then_success_is_retried_by_the_sdk_and_counts_one_call() -> None:
    server = ScriptedServer(HttpError(503, headers={"retry-after-ms": "1"}), completion(GOOD))
    client = server.client(max_retries=1)
    ask(client)
    assert client.usage().calls == 1


def test_429_after_retries_is_unavailable() -> None:
    server = ScriptedServer(HttpError(429, headers={"retry-after-ms": "1"}))
    with pytest.raises(LlmUnavailable, match="rate limited"):
        ask(server.client())


def test_a_timeout_is_unavailable() -> None:
    server = ScriptedServer(Timeout())
    with pytest.raises(LlmUnavailable, match="no answer within 60 s"):
        ask(server.client())


def test_a_refused_connection_in_the_transport_is_unavailable() -> None:
    server = ScriptedServer(Refused())
    with pytest.raises(LlmUnavailable, match="could not connect"):
        ask(server.client())


def test_a_closed_port_on_localhost_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = LlmConfig(
        base_url=f"http://127.0.0.1:{port}/v1", model="m", api_key="k", max_retries=0
    )
    client = LlmClient.from_config(config, clock=FakeClock())
    with pytest.raises(LlmUnavailable, match=rf"could not connect.*127\.0\.0\.1:{port}"):
        ask(client)


def test_400_is_a_request_error_naming_the_structured_mode() -> None:
    server = ScriptedServer(
        HttpError(400, {"error": {"message": "response_format type json_schema not supported"}})
    )
    with pytest.raises(
        LlmRequestError, match=r"not supported \(with structured_mode 'json_schema'"
    ):
        ask(server.client())


def test_404_is_a_request_error() -> None:
    server = ScriptedServer(HttpError(404, {"error": {"message": "model not found"}}))
    with pytest.raises(LlmRequestError, match="not found"):
        ask(server.client())


def test_a_refusal_is_refused_not_repaired() -> None:
    server = ScriptedServer(completion(None, refusal="I can't help with that."), completion(GOOD))
    with pytest.raises(LlmRefused, match="can't help"):
        ask(server.client())
    assert len(server.requests) == 1


def test_a_content_filter_stop_is_refused() -> None:
    server = ScriptedServer(completion("", finish_reason="content_filter"))
    with pytest.raises(LlmRefused, match="content filter"):
        ask(server.client())


def test_the_endpoint_shown_drops_credentials_and_query() -> None:
    config = LlmConfig(
        base_url="https://user:pw@example.org:8443/v1?key=zzz", model="m", api_key="k"
    )
    client = LlmClient.from_config(config, clock=FakeClock())
    assert client.endpoint == "https://example.org:8443/v1"


def test_the_wire_schema_drops_titles_and_upper_bounds_but_validation_keeps_them() -> None:
    sent = json.dumps(wire_schema(ModelWbs))
    assert '"title"' not in sent
    assert "maxLength" not in sent
    assert "maxItems" not in sent
    assert '"minLength": 1' in sent
    too_long = small_wbs(name="x" * 201)
    server = ScriptedServer(completion(json.dumps(too_long)), completion(GOOD))
    ask(server.client())
    assert "packages.1.name: String should have at most 200 characters" in repair_text(server)
