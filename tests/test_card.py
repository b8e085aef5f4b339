"""The dataset card: README.md beside an export, with the YAML header Hugging Face reads."""

import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
import yaml

from newscrawl.card import MARK, SIZE_CATEGORIES, size_category
from newscrawl.export import ExportError, export
from newscrawl.store import Store
from tests.test_export import ARTICLES, COMMISSION, FLOOD, assert_one_line_error, export_cmd, news
from tests.test_hostile_export import export_as_user, read_only  # noqa: F401 (a fixture)

# The hub's values for the fields the card sets (huggingface.co/docs/hub/datasets-cards).
HUB_SIZES = {label for _, label in SIZE_CATEGORIES} | {"n>100M"}
HUB_TASKS = {"text-generation", "text-classification", "fill-mask", "summarization"}
HF_DTYPES = {"string": "string", "int64": "int64", "timestamp[us, tz=UTC]": "timestamp[us, tz=UTC]"}


# The commission story as another outlet ran it, credited to the news agency: a near-duplicate.
WIRE_COPY = news(
    (COMMISSION[0], [COMMISSION[1][0], COMMISSION[1][1] + " (বাসস)"]),
    article_id="103",
    published_at="2023-08-17T09:00:00+06:00",
)


@pytest.fixture
def store(db_path):
    with Store(db_path) as s:
        s.write_batch([*ARTICLES, WIRE_COPY])
        yield s


def read_card(path):
    """(YAML header as data, body) of a card; fails unless the header is valid YAML."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    header, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


def check_hub_fields(meta):
    assert meta["language"] == ["bn"]
    assert meta["license"] == "other" and meta["license_name"]
    assert len(meta["size_categories"]) == 1 and meta["size_categories"][0] in HUB_SIZES
    assert set(meta["task_categories"]) <= HUB_TASKS and meta["task_categories"]
    assert isinstance(meta["pretty_name"], str) and meta["pretty_name"]
    assert meta["configs"][0]["config_name"] == "default"


def test_a_parquet_export_gets_a_card_the_hub_can_read(store, tmp_path):
    out = tmp_path / "bn-news" / "bn-news.parquet"
    summary = export(store, out, fmt="parquet")
    card = tmp_path / "bn-news" / "README.md"
    assert summary.card == str(card)
    meta, body = read_card(card)
    check_hub_fields(meta)
    assert meta["pretty_name"] == "Bengali news from inqilab and sunnews, 2023-08-15 to 2023-08-17"
    assert pq.read_table(out).column("cluster").to_pylist() == [2, 3, 4, 5, 2]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "bn-news.parquet"}]

    # The features say exactly what the file holds, name by name and type by type.
    schema = pq.read_schema(out)
    features = meta["dataset_info"]["features"]
    assert [f["name"] for f in features] == schema.names
    for feature in features:
        kind = str(schema.field(feature["name"]).type)
        if kind.startswith("list<"):
            assert feature["sequence"] == "string"
        else:
            assert feature["dtype"] == HF_DTYPES[kind]

    # The body answers what the corpus is.
    assert "| `inqilab` | 3 | 2023-08-15 | 2023-08-17 |" in body
    assert "| `sunnews` | 2 | 2023-08-16 | 2023-08-17 |" in body
    assert "5 news articles in Bengali (the latest revision of each)" in " ".join(body.split())
    assert "first 16 hex digits of SHA-256" in body  # the content hash
    assert "Unicode NFC" in body  # the cleaning rules
    assert 'drop_duplicates("cluster")' in body  # how to deduplicate further
    prose = " ".join(body.split())
    assert "1 of 5 articles belong to a cluster begun by an earlier article" in prose
    assert "remain the copyright of their outlets" in body


def test_the_card_says_which_articles_the_filters_kept(store, tmp_path):
    export(store, tmp_path / "aug16.parquet", fmt="parquet", since="2023-08-16", until="2023-08-16")
    meta, body = read_card(tmp_path / "README.md")
    assert meta["pretty_name"] == "Bengali news from inqilab and sunnews, 2023-08-16"
    assert "--since 2023-08-16 --until 2023-08-16" in body
    prose = " ".join(body.split())
    assert "Only articles published on or after 2023-08-16 and on or before 2023-08-16" in prose


def test_a_corpus_folder_holds_its_card_and_stays_replaceable(store, tmp_path):
    corpus = tmp_path / "corpus"
    export(store, corpus, fmt="txt")
    meta, body = read_card(corpus / "README.md")
    check_hub_fields(meta)
    config = meta["configs"][0]
    assert config["data_files"] == [{"split": "train", "path": "*.txt"}]
    assert config["sample_by"] == "document"  # one row per article, not per line
    assert meta["dataset_info"]["features"] == [{"name": "text", "dtype": "string"}]
    assert "`NNN_<content_hash>.txt`" in body
    export(store, corpus, fmt="txt", outlets=["sunnews"], force=True)  # the card is the export's
    assert "| `sunnews` | 2 |" in read_card(corpus / "README.md")[1]
    assert "inqilab" not in read_card(corpus / "README.md")[1]


def test_a_readme_someone_put_in_a_corpus_folder_keeps_it_from_being_replaced(store, tmp_path):
    corpus = tmp_path / "corpus"
    export(store, corpus, fmt="txt")
    (corpus / "README.md").write_text("# Notes on this corpus\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"holds things no export wrote \(README\.md\)"):
        export(store, corpus, fmt="txt", force=True)
    assert (corpus / "README.md").read_text(encoding="utf-8") == "# Notes on this corpus\n"


def test_card_is_on_for_txt_and_parquet_and_asked_for_with_the_others(store, tmp_path):
    export(store, tmp_path / "a" / "all.jsonl")
    export(store, tmp_path / "b" / "all.parquet", fmt="parquet", card=False)
    assert not (tmp_path / "a" / "README.md").exists()
    assert not (tmp_path / "b" / "README.md").exists()
    export(store, tmp_path / "c" / "all.csv", fmt="csv", card=True)
    meta, body = read_card(tmp_path / "c" / "README.md")
    check_hub_fields(meta)
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "all.csv"}]
    assert "dataset_info" not in meta  # CSV types are the reader's to infer
    assert "pd.read_csv" in body
    with pytest.raises(ExportError, match=r"--card writes README\.md beside the output"):
        export(store, "-", card=True)


def test_a_readme_no_export_wrote_is_never_replaced(store, tmp_path):
    theirs = tmp_path / "README.md"
    theirs.write_text("# My project\n", encoding="utf-8")
    summary = export(store, tmp_path / "bn-news.parquet", fmt="parquet")
    assert theirs.read_text(encoding="utf-8") == "# My project\n"
    own = tmp_path / "bn-news.parquet.README.md"
    assert summary.card == str(own)
    assert own.read_text(encoding="utf-8").startswith(f"---\n{MARK}bn-news.parquet\n")

    # An earlier export's card beside another file is not this one's either.
    (tmp_path / "other").mkdir()
    export(store, tmp_path / "other" / "first.parquet", fmt="parquet")
    card = (tmp_path / "other" / "README.md").read_bytes()
    second = export(store, tmp_path / "other" / "second.parquet", fmt="parquet")
    assert (tmp_path / "other" / "README.md").read_bytes() == card
    assert second.card == str(tmp_path / "other" / "second.parquet.README.md")
    # ...while exporting to the same file again replaces its own card.
    again = export(store, tmp_path / "other" / "first.parquet", fmt="parquet", force=True)
    assert again.card == str(tmp_path / "other" / "README.md")


def test_no_place_for_the_card_refuses_before_anything_is_written(store, tmp_path):
    (tmp_path / "README.md").write_text("theirs\n", encoding="utf-8")
    (tmp_path / "bn-news.parquet.README.md").write_text("theirs too\n", encoding="utf-8")
    with pytest.raises(ExportError, match="no place for the dataset card") as refused:
        export(store, tmp_path / "bn-news.parquet", fmt="parquet")
    assert "--no-card" in str(refused.value)
    assert not (tmp_path / "bn-news.parquet").exists()
    assert not list(tmp_path.glob(".*.lock"))
    export(store, tmp_path / "bn-news.parquet", fmt="parquet", card=False)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "theirs\n"


def test_a_folder_that_cannot_be_written_says_so_not_that_the_card_has_no_place(
    store,
    tmp_path,
    read_only,  # noqa: F811 (the fixture imported above)
):
    folder = tmp_path / "locked"
    folder.mkdir()
    read_only(folder)
    result = export_as_user(store.path, "-f", "parquet", "-o", str(folder / "bn-news.parquet"))
    assert_one_line_error(result, f"cannot write in {folder}", "choose another --output")
    assert not list(folder.iterdir())


def test_scrapy_export_card_options(db_path, tmp_path):
    with Store(db_path) as s:
        s.write_batch([news(COMMISSION, article_id="1"), news(FLOOD, article_id="2")])
    result = export_cmd(db_path, "-f", "jsonl", "-o", str(tmp_path / "o" / "a.jsonl"), "--card")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "README.md").exists()
    result = export_cmd(db_path, "-f", "txt", "-o", str(tmp_path / "corpus"), "--no-card")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "corpus" / "README.md").exists()


def test_size_categories_follow_the_hub_bounds():
    assert size_category(0) == "n<1K"
    assert size_category(999) == "n<1K"
    assert size_category(1_000) == "1K<n<10K"
    assert size_category(100_000) == "100K<n<1M"
    assert size_category(10**9) == "n>100M"


def test_the_exported_folder_loads_with_datasets(store, tmp_path):
    """``datasets`` is not in the test extra (it would add ~35 MB): this runs where it is
    installed, and the YAML checks above stand in for it elsewhere."""
    pytest.importorskip("datasets")
    folder = tmp_path / "bn-news"
    export(store, folder / "bn-news.parquet", fmt="parquet")
    export(store, tmp_path / "corpus", fmt="txt")
    script = (
        "import sys\nfrom datasets import load_dataset\n"
        "ds = load_dataset(sys.argv[1], split='train')\n"
        "print(len(ds), ds.features['published_at'].dtype, ds.features['tags'].feature.dtype)\n"
        "txt = load_dataset(sys.argv[2], split='train')\n"
        "print(len(txt), txt[0]['text'].split(chr(10))[0])\n"
    )
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1",
           "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(tmp_path / "corpus")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == [
        "5 timestamp[us, tz=UTC] string",
        f"5 {COMMISSION[0]}",
    ]
