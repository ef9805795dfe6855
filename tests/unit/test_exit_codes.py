"""One table of exit codes: unique, one per error class, all of them in the README."""

from __future__ import annotations

from pathlib import Path

from pipelines import errors
from pipelines.errors import EXIT_CODES, SalesmetricsError

README = Path(__file__).resolve().parents[2] / "README.md"


def _error_classes(cls=SalesmetricsError):
    for sub in cls.__subclasses__():
        yield sub
        yield from _error_classes(sub)


def test_codes_and_names_are_unique():
    assert len({e.code for e in EXIT_CODES}) == len(EXIT_CODES)
    assert len({e.name for e in EXIT_CODES}) == len(EXIT_CODES)


def test_every_error_class_has_its_own_code():
    classes = [c for c in _error_classes() if c.__module__ == errors.__name__]
    codes = [c.exit_code for c in classes]
    assert len(set(codes)) == len(codes), {c.__name__: c.exit_code for c in classes}
    assert set(codes) <= {e.code for e in EXIT_CODES}


def test_the_readme_lists_every_code_with_its_cause_and_fix():
    text = README.read_text()
    for e in EXIT_CODES:
        assert f"| {e.code} | `{e.name}` | {e.cause} | {e.fix} |" in text, e
