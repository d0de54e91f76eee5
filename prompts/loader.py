"""Prompt templates as files, rendered strictly.

A prompt is `prompts/<name>.md` with `{{ name }}` placeholders. `render` fails loudly on a
missing file, a placeholder left without a value, or a value the template does not use, so a
renamed variable can never ship a prompt with a hole in it. Substitution is one pass: a value
that itself contains `{{ x }}` (a brief can contain anything) is inserted as it is.

Untrusted text (briefs, lessons, chat) goes into a prompt only through `data_block`, which
wraps it in delimiters that the text itself cannot forge (DESIGN principle 6).
"""

from __future__ import annotations

import functools
import importlib.resources
import re

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_LABEL = re.compile(r"^[a-z][a-z0-9_]*$")

DATA_BEGIN = "<<<BEGIN DATA {label}>>>"
DATA_END = "<<<END DATA {label}>>>"


class PromptError(LookupError):
    """A prompt that cannot be rendered: missing file, missing or unused variable."""


@functools.cache
def template(name: str) -> str:
    """The raw text of prompts/<name>.md (read once per process)."""
    if not _NAME.match(name):
        raise PromptError(f"prompt name {name!r} must be lower-case letters, digits and _")
    resource = importlib.resources.files("prompts").joinpath(f"{name}.md")
    if not resource.is_file():
        raise PromptError(f"prompt {name!r} not found: no prompts/{name}.md")
    return resource.read_text(encoding="utf-8")


def placeholders(name: str) -> frozenset[str]:
    """The variable names the template uses."""
    return frozenset(PLACEHOLDER.findall(template(name)))


def render(name: str, **variables: str) -> str:
    """prompts/<name>.md with every placeholder replaced; raises PromptError on any mismatch."""
    text = template(name)
    wanted = set(PLACEHOLDER.findall(text))
    missing = sorted(wanted - variables.keys())
    unused = sorted(variables.keys() - wanted)
    if missing:
        raise PromptError(f"prompt {name!r} needs variable(s) {', '.join(missing)}")
    if unused:
        raise PromptError(f"prompt {name!r} does not use variable(s) {', '.join(unused)}")
    wrong = sorted(k for k, v in variables.items() if not isinstance(v, str))
    if wrong:
        raise PromptError(f"prompt {name!r}: variable(s) {', '.join(wrong)} must be str")
    return PLACEHOLDER.sub(lambda m: variables[m.group(1)], text)


def data_block(label: str, text: str) -> str:
    """`text` as a delimited, fenced block of data that a model must read but never obey.

    Delimiter look-alikes inside the text are defused (`<<<` becomes `<<‹`) so that the text
    cannot close its own block, and the code fence is longer than any backtick run in it.
    """
    if not _LABEL.match(label):
        raise PromptError(f"data label {label!r} must be lower-case letters, digits and _")
    safe = text.replace("<<<", "<<\u2039").replace(">>>", "\u203a>>")
    longest = max((len(run) for run in re.findall(r"`+", safe)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join(
        [
            DATA_BEGIN.format(label=label),
            f"{fence}text",
            safe,
            fence,
            DATA_END.format(label=label),
        ]
    )
