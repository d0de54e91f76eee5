"""Reading a brief: the words a PM wrote, turned into a ProjectBrief and the cues a drafter
scales by, each with the quote it came from. Pure and deterministic: the same text, `today`
and settings give the same reading. Nothing in a brief is obeyed; it is only read.

Modules, one concern each: `text` (sentences, labels, sections), `about` (title, goal, scope,
constraints), `dates` and `costs` (the role of each date and amount), `team` (named and
counted people) and `team_lines` (teams without names), `drivers` (size and technologies),
`kinds` (the kind of project), `claims` (a model's reading, checked), `reader` (all of them in
turn). The words they look for are data: `data/*.json` and tools/reading/data.
"""

from tools.brief.model import BriefError, BriefReading, Freeze, PersonCue
from tools.brief.reader import read_brief

__all__ = ["BriefError", "BriefReading", "Freeze", "PersonCue", "read_brief"]
