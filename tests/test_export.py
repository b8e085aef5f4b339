"""Exports: JSON Lines, CSV and the verifiable text corpus, through the library and the command."""

import csv
import hashlib
import io
import json
import re

import pytest

from newscrawl import export as export_module
from newscrawl import text
from newscrawl.export import ExportError, Progress, corpus_width, export
from newscrawl.store import Store, StoreError
from tests.conftest import run_scrapy

KIM_LETTER = (
    "‘সাম্রাজ্যবাদীদের গুঁড়িয়ে দিন’, পুতিন-কিমের চিঠি চালাচালি",
    [
        "উত্তর কোরিয়ার নেতা কিম জং উনকে চিঠি পাঠিয়েছেন রাশিয়ার প্রেসিডেন্ট ভ্লাদিমির পুতিন।",
        "চিঠিতে দুই দেশের সম্পর্ক আরও জোরদার করার কথা বলা হয়েছে।",
    ],
)
KIM_LETTER_EDIT = (KIM_LETTER[0], [*KIM_LETTER[1], "পরে যোগ করা হয়েছে: কোরীয় বার্তা সংস্থা কেসিএনএ।"])
COMMISSION = (
    "নির্বাচন কমিশনের বৈঠক আজ",
    [
        "আগামী জাতীয় নির্বাচন নিয়ে আজ বৈঠকে বসছে নির্বাচন কমিশন।",
        "ইভিএম সরবরাহকারী কোম্পানির প্রতিনিধিরাও বৈঠকে থাকবেন।",
    ],
)
FLOOD = (
    "বন্যায় তিন জেলার মানুষ পানিবন্দি",
    ["টানা বৃষ্টিতে সিলেট, সুনামগঞ্জ ও মৌলভীবাজারের লাখো মানুষ পানিবন্দি হয়ে পড়েছেন।"],
)
RECEDING = ("সিলেটে বন্যা পরিস্থিতির উন্নতি", ["নদীর পানি কমতে শুরু করেছে।"])
RAIN = ("রাজধানীতে ভারী বৃষ্টি", ["সকাল থেকে ঢাকায় ভারী বৃষ্টি হচ্ছে।", "অনেক সড়কে পানি জমেছে।"])


def news(story, *, outlet="inqilab", article_id="1", published_at=None, **extra):
    """An article dict as the pipelines hand it to the store: clean text, its real hash."""
    title, paragraphs = story
    body = text.join_paragraphs(paragraphs)
    return {
        "url": f"https://example.com/{outlet}/news/{article_id}",
        "outlet": outlet,
        "article_id": article_id,
        "title": title,
        "body": body,
        "content_hash": text.content_hash(title, body),
        "published_at": published_at,
        "author": "অনলাইন ডেস্ক",
        "category": "আন্তর্জাতিক",
        "tags": ["রাশিয়া", "উত্তর কোরিয়া"],
        "image_urls": [f"https://example.com/img/{article_id}.jpg"],
        "language": "bn",
        "extraction": {"title": "selectors", "body": "selectors"},
        **extra,
    }


# seq 1..5: the Kim letter, the commission, the flood, an edit of the Kim letter, rain.
ARTICLES = [
    news(KIM_LETTER, article_id="101", published_at="2023-08-16T08:39:00+06:00"),
    news(COMMISSION, outlet="sunnews", article_id="5001", published_at="2023-08-17T00:10:00+06:00"),
    news(FLOOD, outlet="sunnews", article_id="5002", published_at="2023-08-16T23:30:00+06:00"),
    news(KIM_LETTER_EDIT, article_id="101", published_at="2023-08-16T08:39:00+06:00"),
    news(RAIN, article_id="102", published_at="2023-08-15T10:00:00+06:00"),
]


@pytest.fixture
def filled_db(db_path):
    with Store(db_path) as store:
        store.write_batch(ARTICLES)
    return db_path


@pytest.fixture
def store(filled_db):
    with Store(filled_db) as s:
        yield s


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def export_cmd(db_path, *args):
    return run_scrapy("export", *args, settings={"NEWSCRAWL_DB": str(db_path)})


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("scrapy export: ")
    for fragment in fragments:
        assert fragment in lines[0]


# -- JSON Lines ------------------------------------------------------------------------------


def test_jsonl_round_trip_gives_back_the_latest_revision_of_every_article(store, tmp_path):
    out = tmp_path / "articles.jsonl"
    summary = export(store, out)
    assert summary.count == 4
    raw = out.read_text(encoding="utf-8")
    assert "কিম জং উন" in raw and "\\u09" not in raw  # UTF-8 as it is, not ASCII-escaped
    assert read_jsonl(out) == list(store.articles(latest_only=True))
    assert [row["seq"] for row in read_jsonl(out)] == [2, 3, 4, 5]


def test_all_revisions_exports_every_stored_text(store, tmp_path):
    out = tmp_path / "all.jsonl"
    export(store, out, all_revisions=True)
    assert read_jsonl(out) == list(store.articles())


def test_filters_by_outlet_and_by_publication_day_in_dhaka_time(store):
    def exported(**filters):
        out = io.BytesIO()
        export(store, "-", stdout=out, **filters)
        return [json.loads(line)["title"] for line in out.getvalue().decode().splitlines()]

    assert exported(outlets=["sunnews"]) == [COMMISSION[0], FLOOD[0]]
    # 23:30 on the 16th (Dhaka) is the 16th; 00:10 on the 17th is not, though both are the
    # 16th in UTC.
    assert exported(since="2023-08-16", until="2023-08-16") == [FLOOD[0], KIM_LETTER[0]]
    assert exported(since="২০২৩-০৮-১৭") == [COMMISSION[0]]  # Bengali digits read too
    assert exported(until="2023-08-15") == [RAIN[0]]


# -- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_csv_reads_back_with_bengali_intact(store, tmp_path, bom):
    out = tmp_path / "articles.csv"
    export(store, out, fmt="csv", bom=bom)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == bom
    with open(out, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    expected = list(store.articles(latest_only=True))
    assert [row["title"] for row in rows] == [a["title"] for a in expected]
    assert [row["body"] for row in rows] == [a["body"] for a in expected]  # paragraph breaks too
    assert json.loads(rows[0]["tags"]) == ["রাশিয়া", "উত্তর কোরিয়া"]
    assert rows[0]["subtitle"] == "" and rows[0]["seq"] == "2"


# -- the text corpus -------------------------------------------------------------------------

CORPUS_NAME = re.compile(r"(\d{3,})_([0-9a-f]{16})\.txt")


def test_every_corpus_file_verifies_with_sha256_against_its_name(filled_db, tmp_path):
    corpus = tmp_path / "corpus"
    result = export_cmd(filled_db, "--format", "txt", "--output", str(corpus))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"exported 4 articles (txt, latest revisions) to {corpus} in ")

    files = sorted(p.name for p in corpus.glob("*.txt"))
    assert files == [
        f"{seq:03d}_{a['content_hash']}.txt" for seq, a in enumerate(ARTICLES, 1) if seq != 1
    ]
    for name in files:
        number, name_hash = CORPUS_NAME.fullmatch(name).groups()
        data = (corpus / name).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:16] == name_hash
        article = ARTICLES[int(number) - 1]
        assert data.decode("utf-8") == text.canonical_text(article["title"], article["body"])
        assert not data.endswith(b"\n")

    with open(corpus / "index.csv", encoding="utf-8", newline="") as stream:
        index = list(csv.DictReader(stream))
    assert list(index[0]) == [
        "number",
        "hash",
        "outlet",
        "url",
        "published_at",
        "updated_at",
        "author",
        "category",
        "title",
    ]
    assert [f"{row['number']}_{row['hash']}.txt" for row in index] == files
    assert index[0]["title"] == COMMISSION[0] and index[0]["outlet"] == "sunnews"
    assert sorted(p.name for p in corpus.iterdir()) == [
        ".newscrawl-export",
        *files,
        "README.md",  # the dataset card, on by default for txt
        "index.csv",
    ]
    assert not list(tmp_path.glob("corpus.*"))  # no temporary folder left beside it


def test_corpus_numbers_are_store_sequence_numbers_with_gaps_and_one_width(db_path, tmp_path):
    with Store(db_path) as store:
        filler = [news(RAIN, article_id=str(i), outlet="filler") for i in range(1000)]
        for i, article in enumerate(filler):  # distinct texts, distinct hashes
            body = f"{article['body']} {i}"
            article.update(body=body, content_hash=text.content_hash(article["title"], body))
        store.write_batch([*filler, ARTICLES[0]])  # the Kim letter becomes seq 1001
        export(store, tmp_path / "corpus", fmt="txt", outlets=["inqilab"])
        export(store, tmp_path / "small", fmt="txt", outlets=["filler"], until="1999-01-01")
    assert [p.name for p in (tmp_path / "corpus").glob("*.txt")] == [
        f"1001_{ARTICLES[0]['content_hash']}.txt"
    ]
    assert corpus_width(7) == 3 and corpus_width(1001) == 4
    assert sorted(p.name for p in (tmp_path / "small").iterdir()) == [
        ".newscrawl-export",
        "README.md",
        "index.csv",
    ]


def test_corpus_leaves_out_an_article_whose_stored_hash_is_not_its_text(db_path, tmp_path):
    with Store(db_path) as store:
        store.write_batch([ARTICLES[0], news(RAIN, article_id="9", content_hash="0" * 16)])
        summary = export(store, tmp_path / "corpus", fmt="txt")
    assert summary.count == 1 and summary.unverifiable == 1
    assert "left out 1 article whose stored hash does not match the text" in summary.describe()
    assert [p.name for p in (tmp_path / "corpus").glob("*.txt")] == [
        f"001_{ARTICLES[0]['content_hash']}.txt"
    ]


# -- --new -----------------------------------------------------------------------------------


def test_new_twice_exports_nothing_the_second_time(filled_db, tmp_path):
    out = tmp_path / "new.jsonl"
    first = export_cmd(filled_db, "--new", "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert len(read_jsonl(out)) == 4
    second = export_cmd(filled_db, "--new", "--force", "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert out.read_bytes() == b""
    assert "exported 0 articles" in second.stderr

    with Store(filled_db) as store:  # a later crawl brings one more article
        store.write_batch([news(RECEDING, outlet="sunnews", article_id="5003")])
    third = export_cmd(filled_db, "--new", "--force", "-o", str(out))
    assert [row["article_id"] for row in read_jsonl(out)] == ["5003"], third.stderr


def test_new_remembers_a_named_target_across_files_and_stdout(store, tmp_path):
    export(store, tmp_path / "monday.csv", fmt="csv", name="daily", outlets=["sunnews"])
    tuesday = io.BytesIO()
    summary = export(store, "-", name="daily", new=True, stdout=tuesday)
    titles = [json.loads(line)["title"] for line in tuesday.getvalue().decode().splitlines()]
    assert titles == [KIM_LETTER[0], RAIN[0]]
    assert summary.new_for == "daily"
    # Another target has taken nothing yet.
    assert export(store, tmp_path / "other.jsonl", new=True).count == 4


def test_new_on_stdout_needs_a_name(store):
    with pytest.raises(ExportError, match="--name"):
        export(store, "-", new=True, stdout=io.BytesIO())


# -- safety ----------------------------------------------------------------------------------


def test_replaces_an_earlier_export_only_when_forced(filled_db, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert export_cmd(filled_db, "-o", str(out), "--outlet", "sunnews").returncode == 0
    refused = export_cmd(filled_db, "-o", str(out))
    assert_one_line_error(refused, str(out), "earlier export", "--force")
    assert len(read_jsonl(out)) == 2

    forced = export_cmd(filled_db, "-o", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert len(read_jsonl(out)) == 4


@pytest.mark.parametrize("fmt, name", [("jsonl", "out.jsonl"), ("txt", "corpus")])
def test_a_failed_export_leaves_the_old_output_and_nothing_half_written(
    store, tmp_path, monkeypatch, fmt, name
):
    target = tmp_path / name
    export(store, target, fmt=fmt)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    sink = export_module.CorpusSink if fmt == "txt" else export_module.JsonLinesSink
    written = sink.write

    def fail_on_third(self, article):
        if article["seq"] == 4:
            raise OSError("No space left on device")
        return written(self, article)

    monkeypatch.setattr(sink, "write", fail_on_third)
    with pytest.raises(OSError, match="No space"):
        export(store, target, fmt=fmt, force=True, name="failing")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # old output, no temporaries
    monkeypatch.undo()
    assert export(store, tmp_path / "later.jsonl", name="failing", new=True).count == 4


def test_stdout_output_is_the_export_and_the_summary_goes_to_stderr(filled_db):
    result = export_cmd(filled_db, "--output", "-", "--outlet", "sunnews")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["title"] for row in rows] == [COMMISSION[0], FLOOD[0]]
    assert result.stderr.startswith("exported 2 articles (jsonl, latest revisions) to stdout")
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal


def test_progress_bar_on_a_terminal_only(store, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, pipe = Terminal(), io.StringIO()
    export(store, tmp_path / "a.jsonl", progress=Progress(terminal))
    export(store, tmp_path / "b.jsonl", progress=Progress(pipe))
    assert "\r[" in terminal.getvalue() and "4/4 articles" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r")  # the bar is cleared for the summary line
    assert pipe.getvalue() == ""


# -- errors a person can act on --------------------------------------------------------------


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--since", "16/08/2023"], ["bad --since date '16/08/2023'", "YYYY-MM-DD"]),
        (["--until", "2023-02-30"], ["bad --until date", "YYYY-MM-DD"]),
        (["--outlet", "prothomalo"], ["no outlet 'prothomalo'", "inqilab, sunnews"]),
        (["--since", "2023-08-17", "--until", "2023-08-16"], ["after --until"]),
        (["--new"], ["--new", "--name"]),
        (["-f", "jsonl", "--bom"], ["--bom"]),
    ],
)
def test_user_errors_are_one_line(filled_db, args, fragments):
    assert_one_line_error(export_cmd(filled_db, *args), *fragments)


@pytest.mark.parametrize(
    "args, message",
    [
        (["-f", "txt"], "give --output FOLDER"),
        (["out.jsonl"], "the output goes in --output"),
        (["--frce"], "unknown option --frce"),
    ],
)
def test_bad_usage_says_how_to_use_it(filled_db, args, message):
    result = export_cmd(filled_db, *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr


def test_an_output_that_cannot_be_written_is_a_one_line_error(filled_db, tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = export_cmd(filled_db, "-o", str(tmp_path / "a-file" / "out.jsonl"))
    assert_one_line_error(result, "cannot write", "a-file")


def test_a_missing_database_is_a_one_line_error(tmp_path):
    missing = tmp_path / "none.db"
    assert_one_line_error(export_cmd(missing), "no database", str(missing))
    assert not missing.exists()  # not created by looking for it


def test_db_option_and_library_errors(filled_db, tmp_path):
    result = run_scrapy(
        "export", "--db", str(filled_db), "-o", str(tmp_path / "x.csv"), "-f", "csv"
    )
    assert result.returncode == 0, result.stderr
    with Store(filled_db) as store:
        with pytest.raises(StoreError, match="no outlet"):
            export(store, tmp_path / "y.jsonl", outlets=["nope"])
        with pytest.raises(ExportError, match="folder"):
            export(store, "-", fmt="txt")
        with pytest.raises(ExportError, match="is a file"):
            export(store, tmp_path / "x.csv", fmt="txt", force=True)
