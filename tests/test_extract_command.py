"""`scrapy extract PATH --url URL`, as a person runs it."""

import json

from tests.conftest import FIXTURES, run_scrapy
from tests.support.outlets import known_outlets

PLAIN = str(FIXTURES / "inqilab" / "plain.html")
PLAIN_URL = "https://dailyinqilab.com/international/news/593612"


def test_prints_the_item_as_unescaped_json():
    result = run_scrapy("extract", PLAIN, "--url", PLAIN_URL)
    assert result.returncode == 0, result.stderr
    assert "চিঠি" in result.stdout  # UTF-8, not \\u escapes
    [item] = json.loads(result.stdout)
    expected = json.loads((FIXTURES / "inqilab" / "plain.json").read_text("utf-8"))["items"][0]
    assert item == expected


def test_reads_feeds_too():
    result = run_scrapy(
        "extract", str(FIXTURES / "sunnews" / "rss.xml"), "--url", "https://www.sunnews24x7.com/rss"
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 5


def one_line_error(result) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_site_with_no_spider_is_read_by_the_generic_outlet():
    result = run_scrapy("extract", PLAIN, "--url", "https://example.com/some-words/abc")
    assert result.returncode == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert item["outlet"] == "generic" and item["extraction"]["outlet"] == "generic"
    expected = json.loads((FIXTURES / "inqilab" / "plain.json").read_text("utf-8"))["items"][0]
    assert item["title"] == expected["title"]
    assert item["body"] == expected["body"]


def test_an_article_outside_article_path_is_read_with_a_one_line_warning():
    # The page says it is an article (og:type, JSON-LD); inqilab's article_path wants an id.
    odd_url = "https://dailyinqilab.com/international/news/kim-letter"
    result = run_scrapy("extract", PLAIN, "--url", odd_url)
    assert result.returncode == 0, result.stderr
    [warning] = result.stderr.strip().splitlines()
    assert "does not match inqilab's article_path; read as an article anyway" in warning
    [item] = json.loads(result.stdout)
    assert item["outlet"] == "inqilab" and item["title"]


def test_unreadable_file(tmp_path):
    line = one_line_error(run_scrapy("extract", str(tmp_path / "none.html"), "--url", PLAIN_URL))
    assert "cannot read" in line and "none.html" in line


def test_not_an_article():
    challenge = str(FIXTURES / "inqilab" / "challenge.html")
    line = one_line_error(run_scrapy("extract", challenge, "--url", PLAIN_URL))
    assert "is not an article page (challenge)" in line


def test_crawl_with_a_bad_argument_or_spider_is_one_line():
    for args, message in (
        (("crawl", "inqilab", "-a", "since=yesterday"), "since must be a date like 2024-01-31"),
        (("crawl", "sunnews", "-a", "since=2024-01-01"), "sunnews has no date archive"),
        (("crawl", "inqilab", "-a", "base_url=ftp://x"), "base_url must look like http://"),
        (("crawl", "nosuch"), f"no spider 'nosuch' (known: {known_outlets()})"),
        (("crawlall", "-a", "until=2024-01-01"), "until needs since"),
        (("probe", "inqilab", "-a", "since=x"), "since must be a date like"),
    ):
        result = run_scrapy(*args)
        assert result.returncode == 2, (args, result.stderr[-2000:])
        assert "Traceback" not in result.stderr
        assert message in result.stderr, (args, result.stderr[-2000:])


def test_fixture_still_wants_an_outlet_spider():
    # Golden files belong to an outlet: the generic outlet reads pages, it takes no fixtures.
    args = ("fixture", "--from-file", PLAIN, "--url", "https://example.com/a/b/1")
    result = run_scrapy(*args)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "no spider handles example.com" in result.stderr.strip().splitlines()[-1]
