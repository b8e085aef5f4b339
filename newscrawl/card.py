"""The dataset card: a README.md beside an export that says what the corpus is.

Hugging Face reads a dataset's README.md: a YAML header (language, licence, size, features, which
files hold the data) and a body for people. The card gives outlets, dates, counts per outlet,
how the text was cleaned, what the content hash is, how near-duplicates are marked, and that the
articles remain the outlets' copyright.

Where it goes: a dataset is a folder with README.md at its root, so a corpus folder gets
README.md inside it, and a file output gets README.md beside it, in the same folder. Only a card
this export wrote for this very output is ever replaced: when README.md there is anything else
(a project's own README, the card of another export into the same folder), the card is written
as ``<output name>.README.md`` instead, and when that too is someone else's the export is refused
before it writes anything. Facts are gathered one article at a time: memory stays flat.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from newscrawl.atomic import (
    CARD_MARK,
    CARD_NAME,
    ExportError,
    atomic_file,
    clean_leftovers,
    output_lock,
)
from newscrawl.card_body import body
from newscrawl.sinks import PARQUET_COLUMNS, TIMESTAMP

# The card's second line (a YAML comment): what says an export wrote it, and for which output.
MARK = CARD_MARK
LICENSE_NAME = "news-outlets-copyright"
SIZE_CATEGORIES = (  # the hub's size_categories values, by upper bound
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
)
_HF_TYPES = {
    "string": {"dtype": "string"},
    "int64": {"dtype": "int64"},
    "list<string>": {"sequence": "string"},
    TIMESTAMP: {"dtype": TIMESTAMP},
}


# -- where the card goes -----------------------------------------------------------------------


def card_places(output: Path) -> tuple[Path, Path]:
    """Where a file output's card may go, in order of preference."""
    return output.with_name(CARD_NAME), output.with_name(f"{output.name}.{CARD_NAME}")


def check_card_place(output: Path) -> None:
    """ExportError, before anything is written, when neither place may take the card."""
    if not any(may_write_card(place, output.name) for place in card_places(output)):
        raise _no_place(output)


@contextmanager
def claimed_card(output: Path) -> Iterator[Path]:
    """The first free place for a file output's card, locked (``.README.md.lock``) while held.

    A place another export is writing its card to right now is passed over, like one holding
    someone else's file.
    """
    cannot_lock: ExportError | None = None
    for place in card_places(output):
        stack = ExitStack()
        try:
            stack.enter_context(output_lock(place))
        except ExportError as error:  # busy, or a folder that cannot be written
            cannot_lock = cannot_lock or error
            continue
        with stack:
            clean_leftovers(place)
            if may_write_card(place, output.name):
                yield place
                return
    raise cannot_lock or _no_place(output)


def _no_place(output: Path) -> ExportError:
    beside, own = card_places(output)
    return ExportError(
        f"no place for the dataset card: {beside} and {own} hold files no export to"
        f" {output.name} wrote: give --output a folder of its own, or add --no-card"
    )


def may_write_card(path: Path, output_name: str) -> bool:
    """True when ``path`` is free or holds the card of an earlier export to ``output_name``."""
    if not path.exists() and not path.is_symlink():
        return True
    return path.is_file() and not path.is_symlink() and card_owner(path) == output_name


def card_owner(path: Path) -> str | None:
    """The output a card was written for; None for any other file."""
    with open(path, "rb") as stream:
        head = stream.read(4096).decode("utf-8", "replace").splitlines()
    if len(head) < 2 or head[0] != "---" or not head[1].startswith(MARK):
        return None
    return head[1].removeprefix(MARK)


# -- what the card says --------------------------------------------------------------------------


@dataclass
class OutletFacts:
    articles: int = 0
    first_day: str | None = None
    last_day: str | None = None


@dataclass
class CardFacts:
    """What an export wrote, gathered article by article (counters only: memory stays flat)."""

    outlets: dict[str, OutletFacts] = field(default_factory=dict)
    articles: int = 0
    undated: int = 0
    later_in_cluster: int = 0  # articles whose cluster began with an earlier article

    def add(self, article: dict[str, Any]) -> None:
        self.articles += 1
        facts = self.outlets.setdefault(article["outlet"], OutletFacts())
        facts.articles += 1
        published = article.get("published_at")
        if published:
            day = published[:10]  # the publication day in the offset the outlet gave
            facts.first_day = min(facts.first_day or day, day)
            facts.last_day = max(facts.last_day or day, day)
        else:
            self.undated += 1
        cluster = article.get("cluster")
        if cluster is not None and cluster != article.get("seq"):
            self.later_in_cluster += 1

    def days(self) -> tuple[str | None, str | None]:
        firsts = [f.first_day for f in self.outlets.values() if f.first_day]
        lasts = [f.last_day for f in self.outlets.values() if f.last_day]
        return (min(firsts) if firsts else None, max(lasts) if lasts else None)


@dataclass(frozen=True)
class Selection:
    """The export's options, as the card reports them."""

    fmt: str
    output_name: str  # the file or folder name, relative to the card
    all_revisions: bool = False
    outlets: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    new: bool = False
    exported_on: date | None = None


def write_card(path: Path, facts: CardFacts, selection: Selection) -> None:
    """Write the card into a folder being built (it appears when the folder does)."""
    path.write_text(render(facts, selection), encoding="utf-8")


def publish_card(path: Path, facts: CardFacts, selection: Selection) -> None:
    """Replace the card at ``path`` (claimed with claimed_card) in one step."""
    with atomic_file(path) as stream:
        stream.write(render(facts, selection).encode("utf-8"))


def render(facts: CardFacts, selection: Selection) -> str:
    header = _yaml(metadata(facts, selection))
    text = body(facts, selection, pretty_name(facts))
    return f"---\n{MARK}{selection.output_name}\n{header}---\n\n{text}"


def metadata(facts: CardFacts, selection: Selection) -> dict[str, Any]:
    """The YAML header the hub reads."""
    meta: dict[str, Any] = {
        "language": ["bn"],
        "license": "other",
        "license_name": LICENSE_NAME,
        "pretty_name": pretty_name(facts),
        "size_categories": [size_category(facts.articles)],
        "task_categories": ["text-generation", "text-classification"],
        "tags": ["news", "bengali", "bangla"],
    }
    config: dict[str, Any] = {"config_name": "default"}
    if selection.fmt == "txt":
        # One row per article file (not per line), the text exactly as hashed.
        config["data_files"] = [{"split": "train", "path": "*.txt"}]
        config["sample_by"] = "document"
    else:
        config["data_files"] = [{"split": "train", "path": selection.output_name}]
    meta["configs"] = [config]
    features = hub_features(selection.fmt)
    if features is not None:
        meta["dataset_info"] = {"features": features}
    return meta


def hub_features(fmt: str) -> list[dict[str, Any]] | None:
    """Features in the hub's YAML form, where the format fixes the types; None where the
    reader infers them (JSON Lines, CSV)."""
    if fmt == "parquet":
        return [{"name": name, **_HF_TYPES[kind]} for name, kind in PARQUET_COLUMNS]
    if fmt == "txt":
        return [{"name": "text", "dtype": "string"}]
    return None


def pretty_name(facts: CardFacts) -> str:
    outlets = sorted(facts.outlets)
    first, last = facts.days()
    name = "Bengali news" + (f" from {_and(outlets)}" if outlets else "")
    if first and last:
        name += f", {first}" + (f" to {last}" if last != first else "")
    return name


def size_category(articles: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if articles < bound:
            return label
    return "n>100M"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# -- YAML without a YAML library: dicts, lists, strings and numbers ----------------------------


def _yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML; strings quoted as JSON, which YAML reads as double-quoted scalars."""
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}\n")
    else:
        for item in value:
            if isinstance(item, dict | list) and item:
                inner = _yaml(item, indent + 2)
                lines.append(f"{pad}- {inner[indent + 2 :]}")
            else:
                lines.append(f"{pad}- {_scalar(item)}\n")
    return "".join(lines)


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(str(value), ensure_ascii=False)
