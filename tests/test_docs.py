"""The user-facing text stays a manual: no work-log phrases, and every image a page shows exists.

Docs, README, examples, benchmarks and the package's own comments and docstrings describe the
project as it is; history (which ticket, which work period) belongs in git. Pages link images
under docs/img/; a link to a missing file renders as a broken image.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Text the rule covers: (folder or file, suffixes).
SCANNED = [
    (ROOT / "docs", (".md",)),
    (ROOT / "README.md", (".md",)),
    (ROOT / "pdedsl", (".py", ".lark")),
    (ROOT / "examples", (".pde", ".py", ".md")),
    (ROOT / "benchmarks", (".py", ".md")),
]

ORDINALS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
WORK_LOG = [
    (re.compile(r"\bissue[\s_-]*#?\d", re.I), "an issue number"),
    (re.compile(rf"\b({ORDINALS}|\d+(st|nd|rd|th))\s+(work\s+)?session\b", re.I), "a numbered work period"),
    (re.compile(r"\b(previous|last|this|next)\s+session\b", re.I), "a work period"),
    (re.compile(r"\bsession\s+#?\d", re.I), "a numbered work period"),
    (re.compile(r"\bseed\s+00\d\b", re.I), "a paper cited as 'seed 00N' (cite it by title)"),
    (re.compile(r"\bticket", re.I), "a ticket"),
    (re.compile(r"\b(the|this)\s+issue(?:'s|\s+(?:asks|compares|says|wants))", re.I), "a ticket's demands"),
]


def scanned_files() -> list[Path]:
    files = []
    for where, suffixes in SCANNED:
        if where.is_file():
            files.append(where)
        elif where.is_dir():
            files += sorted(p for p in where.rglob("*") if p.is_file() and p.suffix in suffixes)
    return files


def work_log_phrases(text: str) -> list[tuple[int, str, str]]:
    """(line number, phrase, what it is) for every work-log phrase in `text`."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what in WORK_LOG:
            found += [(number, m.group(0), what) for m in pattern.finditer(line)]
    return found


@pytest.mark.parametrize("phrase", ["Issue 5, sixth session", "the issue-3 commands", "Issue #12",
                                    "(fourth session)", "in the 2nd session", "seed 001's figures",
                                    "see the ticket", "as in the previous session", "session 4",
                                    "what the issue compares against", "The issue's own commands"])
def test_the_patterns_catch_work_log_phrases(phrase):
    assert work_log_phrases(f"text\n{phrase} here\n")[0][0] == 2


@pytest.mark.parametrize("text", ["the seed's figures", "--seed 1", "seeds 0-4", "a known issue with",
                                  "issues a warning", "one session of training", "seed 0, 390 s"])
def test_the_patterns_spare_ordinary_text(text):
    assert work_log_phrases(text) == []


def test_the_scan_covers_every_kind_of_text():
    names = {p.relative_to(ROOT).parts[0] for p in scanned_files()}
    assert {"docs", "README.md", "pdedsl", "examples", "benchmarks"} <= names


def test_no_work_log_phrases_in_user_facing_text():
    hits = [f"{path.relative_to(ROOT)}:{line}: {phrase!r} ({what})"
            for path in scanned_files()
            for line, phrase, what in work_log_phrases(path.read_text(encoding="utf-8"))]
    assert not hits, "history belongs in git, not in the text:\n" + "\n".join(hits)


IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_linked_image_exists():
    missing, linked = [], 0
    for page in PAGES:
        for target in IMAGE.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            linked += 1
            if not (page.parent / target).is_file():
                missing.append(f"{page.relative_to(ROOT)}: {target}")
    assert linked > 0  # the pattern finds the pages' images at all
    assert not missing, "images linked but absent:\n" + "\n".join(missing)


def test_every_image_in_docs_img_is_shown_by_a_page():
    text = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    unused = [p.name for p in sorted((ROOT / "docs" / "img").glob("*.png")) if f"img/{p.name}" not in text]
    assert not unused, f"images no page shows (delete them): {unused}"


LINK = re.compile(r"\]\(([^)\s#]+\.md)(#[^)]*)?\)")


def test_links_between_pages_resolve():
    broken = [f"{page.relative_to(ROOT)}: {target}"
              for page in PAGES for target, _ in LINK.findall(page.read_text(encoding="utf-8"))
              if "://" not in target and not (page.parent / target).is_file()]
    assert not broken, "links to missing pages:\n" + "\n".join(broken)


def test_solvers_page_documents_every_optimizer_setting():
    import dataclasses

    from pdedsl.solvers import OPTIMIZERS

    page = (ROOT / "docs" / "solvers.md").read_text(encoding="utf-8")
    missing = [f"{name}.{field.name}" for name, cls in OPTIMIZERS.items()
               for field in dataclasses.fields(cls) if f"`{field.name}`" not in page]
    assert not missing, f"docs/solvers.md does not list these settings: {missing}"
