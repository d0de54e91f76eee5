"""Reading a brief: the words a PM wrote, turned into a ProjectBrief and the cues a drafter
scales by, each with the quote it came from. Pure and deterministic: the same text, `today`
and settings give the same reading. Nothing in a brief is obeyed; it is only read."""

from tools.brief.document import BriefError, BriefReading, Freeze, PersonCue, read_brief

__all__ = ["BriefError", "BriefReading", "Freeze", "PersonCue", "read_brief"]
