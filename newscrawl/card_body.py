"""What a dataset card says to people (newscrawl.card writes the YAML header and places it):
what the corpus holds, how to load it, how its text was cleaned and hashed, how near-duplicates
are marked, and the licence caveat."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newscrawl.card import CardFacts, Selection


def body(facts: CardFacts, selection: Selection, title: str) -> str:
    """The card below its YAML header: what a person needs to know to use the corpus."""
    first, last = facts.days()
    which = "every stored revision" if selection.all_revisions else "the latest revision"
    span = "with no publication date"
    if first:
        span = f"published on {first}" if first == last else f"published from {first} to {last}"
    parts = [
        f"# {title}\n",
        f"{_count(facts.articles, 'news article')} in Bengali ({which} of each), {span}, from"
        f" {len(facts.outlets)} outlet{'s' if len(facts.outlets) != 1 else ''}, crawled by"
        f" newscrawl (a Scrapy project) and exported with `{_command(selection)}`"
        + (f" on {selection.exported_on}" if selection.exported_on else "")
        + ".\n",
        _selection_notes(facts, selection),
        "## Loading\n\n" + _loading(selection) + "\n",
        "## Outlets\n\n" + _outlet_table(facts) + "\n",
        _COLUMNS if selection.fmt != "txt" else _CORPUS_FILES,
        _CLEANING,
        _near_duplicates(facts, selection),
        _LICENCE,
    ]
    return "\n".join(part for part in parts if part)


def _command(selection: Selection) -> str:
    words = ["scrapy export", "-f", selection.fmt, "-o", selection.output_name]
    for outlet in selection.outlets:
        words += ["--outlet", outlet]
    if selection.since:
        words += ["--since", selection.since.isoformat()]
    if selection.until:
        words += ["--until", selection.until.isoformat()]
    if selection.all_revisions:
        words.append("--all-revisions")
    if selection.new:
        words.append("--new")
    return " ".join(words)


def _selection_notes(facts: CardFacts, selection: Selection) -> str:
    notes = []
    if selection.since or selection.until:
        notes.append(
            "Only articles published"
            + (f" on or after {selection.since}" if selection.since else "")
            + (" and" if selection.since and selection.until else "")
            + (f" on or before {selection.until}" if selection.until else "")
            + " (the publication day in Dhaka time)."
        )
    if selection.new:
        notes.append(
            "An incremental export: only articles that no earlier export to the same"
            " output took, so earlier files hold the rest."
        )
    if facts.undated:
        has = "has" if facts.undated == 1 else "have"
        notes.append(f"{_count(facts.undated, 'article')} {has} no publication date.")
    return " ".join(notes) + ("\n" if notes else "")


def _loading(selection: Selection) -> str:
    # Each block is as `ruff format` leaves it (ruff formats Markdown's Python too), so a card
    # exported into a project folder keeps that project's format check green.
    name = selection.output_name
    if selection.fmt == "parquet":
        return (
            "```python\n"
            "import duckdb\nimport pandas as pd\nimport polars as pl\n"
            "from datasets import load_dataset\n\n"
            f'df = pd.read_parquet("{name}")\n'
            f'df = pl.read_parquet("{name}")\n'
            f"duckdb.sql(\"SELECT outlet, count(*) FROM '{name}' GROUP BY 1\")\n"
            f'ds = load_dataset("parquet", data_files="{name}")\n'
            "```\n\n"
            "`published_at`, `updated_at`, `crawled_at` and `first_seen_at` are UTC timestamps;"
            " `published_at_iso` and `updated_at_iso` keep the stored text with the outlet's"
            " own offset (Dhaka is +06:00). `tags` and `image_urls` are lists of strings;"
            " `extraction` is JSON text."
        )
    if selection.fmt == "jsonl":
        return (
            "```python\nimport pandas as pd\nfrom datasets import load_dataset\n\n"
            f'df = pd.read_json("{name}", lines=True)\n'
            f'ds = load_dataset("json", data_files="{name}")\n'
            "```"
        )
    if selection.fmt == "csv":
        return (
            f'```python\nimport pandas as pd\n\ndf = pd.read_csv("{name}")\n```\n\n'
            "`tags`, `image_urls` and `extraction` are JSON text. Unless the export had"
            " `--csv-raw`, a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return"
            " carries a leading `'` (so spreadsheets do not run it as a formula)."
        )
    return (
        "```python\nfrom datasets import load_dataset\n\n"
        'ds = load_dataset("text", data_files="*.txt", sample_by="document")'
        "  # one row per article\n```"
    )


def _outlet_table(facts: CardFacts) -> str:
    rows = ["| outlet | articles | first day | last day |", "|---|---:|---|---|"]
    for outlet in sorted(facts.outlets):
        f = facts.outlets[outlet]
        rows.append(f"| `{outlet}` | {f.articles:,} | {f.first_day or '–'} | {f.last_day or '–'} |")
    return "\n".join(rows)


_COLUMNS = """## Columns

| column | what |
|---|---|
| `content_hash` | the article's key: see *Content hash* below |
| `seq` | its stable number in the database (never reused; later articles have larger numbers) |
| `outlet`, `article_id`, `url`, `canonical_url` | where it came from (the outlet's own id) |
| `title`, `subtitle`, `author`, `category`, `tags` | as the outlet gave them, cleaned |
| `body` | the text, paragraphs separated by one blank line |
| `published_at`, `updated_at` | when the outlet says it published, updated it |
| `published_raw`, `updated_raw` | the page's text those dates were read from |
| `image_urls`, `language` | images of the article; `bn` |
| `extraction` | which layer (JSON-LD, meta, selectors, generic) gave each field |
| `revision`, `previous_hash` | an edit is a new row: `revision` + 1, the hash it replaces |
| `crawled_at`, `first_seen_at`, `run_id` | when and by which crawl it was fetched |
| `simhash`, `cluster` | near-duplicates: see below |
"""

_CORPUS_FILES = """## Files

One `NNN_<content_hash>.txt` per article, holding exactly the text the content hash is taken over
(title, a blank line, the body, no trailing newline); `NNN` is the article's stable number in the
database. `index.csv` lists `number, hash, outlet, url, published_at, updated_at, author,
category, title` for every file.
"""

_CLEANING = """## How the text was cleaned

Title and body are cleaned before hashing and storing: Unicode NFC; no-break spaces become
spaces; zero-width space, byte order mark and soft hyphen are removed (ZWJ and ZWNJ are kept:
they shape Bengali conjuncts); white space inside a paragraph collapses to one space; empty
paragraphs are dropped; paragraphs are joined by one blank line. Pages that were not articles
(challenges, error pages, video pages) were never stored.

## Content hash

`content_hash` is the first 16 hex digits of SHA-256 over the UTF-8 bytes of
`title + "\\n\\n" + body` (after cleaning). URL and outlet are not hashed: the same text reached
at two addresses is one article. Anyone can check a row:
`hashlib.sha256(f"{title}\\n\\n{body}".encode()).hexdigest()[:16] == content_hash`.
"""


def _near_duplicates(facts: CardFacts, selection: Selection) -> str:
    if selection.fmt == "txt":
        how = "Exports in JSON Lines, CSV or Parquet carry `simhash` and `cluster`."
    else:
        how = (
            "To keep one article per cluster:"
            ' `df.sort_values("seq").drop_duplicates("cluster")` in pandas, or'
            " `SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY cluster"
            " ORDER BY seq) = 1` in DuckDB."
        )
    return f"""## Near-duplicates

Outlets republish the same wire copy with small edits, and an edited article is stored again as a
new revision. Nothing similar was removed: `simhash` is a 64-bit SimHash of the body's words
(16 hex digits), and articles whose SimHashes differ in few bits (7 of 64 unless the crawl set
another `NEWSCRAWL_NEAR_DISTANCE`) share a `cluster` (the `seq` of the cluster's first article).
In this export {facts.later_in_cluster:,} of {_count(facts.articles, "article")} belong to a
cluster begun by an earlier article, so keeping one row per cluster removes at most that many.
{how}
"""


_LICENCE = """## Licence

The articles remain the copyright of their outlets; this card's `license: other` says that no
open licence applies to the text. The collection is meant for research (language modelling,
topic studies, media monitoring) where the law you work under allows it; check before you
publish the text or a model trained on it. Each row's `url` names its source.
"""


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
