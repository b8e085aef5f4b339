"""The rules ``scrapy newoutlet --url`` learns by: article URL shapes, feeds and sitemaps, polite
fetching, and selectors located from what the extraction layers agree on.

Invented pages only; ``tests/test_learned_outlet.py`` runs the whole command on a mirror.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from newscrawl.learn.discover import Site, discover, read_document
from newscrawl.learn.fetch import Fetcher, FetchError
from newscrawl.learn.paths import infer_article_path, spread
from newscrawl.learn.selectors import Learned, Sample, learn, observe
from newscrawl.learn.spiderfile import current_selectors, render, suggest
from tests.conftest import PROJECT
from tests.support import unfamiliar

SITE = "https://www.example.test"


@pytest.mark.parametrize(
    ("paths", "matches", "refuses"),
    [
        (["/national/news/123456", "/sports/news/123400", "/opinion/article/555"],
         "/economy/news/98765", "/national/news"),
        (["/bangladesh/6suuafru01", "/world/ab12cd34ef"], "/sports/z9y8x7w6", "/sports"),
        (["/section/some-words-12345", "/section/other-words-12346.html"],
         "/x/more-words-777", "/section/words"),
        (["/2025/01/05/river-bridge", "/2025/01/06/other-thing"], "/2025/02/01/a-b",
         "/2025/01/05/"),
        (["/details.php?cat=2&id=55", "/details.php?id=56"], "/details.php?id=57",
         "/details.php?cat=2"),
        (["/reports/river-bridge-opens", "/reports/market-prices-rise"], "/reports/new-one",
         "/sports/new-one"),
        (["/804943/%E0%A6%AC", "/804944/%E0%A6%AC%E0"], "/804950/slug", "/about/us"),
        (["/bn/desh/20451-borshay", "/bn/khela/20470-mather"], "/bn/x/20999-y", "/bn/desh"),
    ],
)  # fmt: skip
def test_article_path_is_inferred_from_url_shapes(paths, matches, refuses):
    pattern, matched = infer_article_path([f"{SITE}{p}" for p in paths])
    assert len(matched) == len(paths)
    compiled = re.compile(pattern)
    path, _, query = matches.partition("?")
    assert compiled.match(f"{path}?{query}" if query else path)
    assert compiled.match(refuses) is None
    assert "(?P<id>" in pattern


def test_the_biggest_shape_wins_and_pages_that_are_no_articles_are_left_out():
    urls = [f"{SITE}/news/{n}" for n in range(1001, 1009)] + [f"{SITE}/about", f"{SITE}/"]
    pattern, matched = infer_article_path(urls)
    assert pattern == r"^/news/(?P<id>\d+)/?$"
    assert matched == urls[:8]


def test_samples_are_spread_over_sections():
    urls = [f"{SITE}/a/{n}" for n in range(100, 110)] + [f"{SITE}/b/200", f"{SITE}/c/300"]
    assert {u.split("/")[3] for u in spread(urls, 3)} == {"a", "b", "c"}


def test_feeds_and_sitemaps_are_read_and_entities_never_expanded():
    rss = b"<?xml version='1.0'?><rss><channel><item><link>https://x.test/n/1</link></item>"
    assert read_document(rss + b"</channel></rss>") == ("feed", ["https://x.test/n/1"])
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://x.test/n/2"/>'
            b"</entry></feed>")  # fmt: skip
    assert read_document(atom) == ("feed", ["https://x.test/n/2"])
    index = b"<sitemapindex><sitemap><loc>https://x.test/s1.xml</loc></sitemap></sitemapindex>"
    assert read_document(index) == ("index", ["https://x.test/s1.xml"])
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "https://x.test/evil">]>'
            b"<urlset><url><loc>&a;</loc></url></urlset>")  # fmt: skip
    assert read_document(bomb) == ("sitemap", [])
    assert read_document(b"<html><body>not a feed</body></html>") is None


def test_discovery_reads_robots_sitemaps_and_the_feed_the_home_page_names(replica):
    unfamiliar.install(replica)
    fetcher = Fetcher(replica.url, "newscrawl-test", delay=0)
    found = discover(fetcher, Site(replica.url, replica.url))
    assert found.feeds == ["/feeds/latest.xml"]
    assert found.from_robots and found.sitemaps == []  # named in robots.txt: read from there
    article_paths = {unfamiliar.path_of(a) for a in unfamiliar.ARTICLES}
    assert article_paths <= {u.removeprefix(replica.url) for u in found.article_urls}
    assert "/rss" not in replica.hits()  # a feed was named: nothing guessed


def test_discovery_on_a_mirror_names_the_real_site(replica):
    unfamiliar.install(replica)
    fetcher = Fetcher(replica.url, "newscrawl-test", delay=0)
    found = discover(fetcher, Site("https://www.khobor.test", replica.url))
    # The mirror's links, named as on the real site (the spider and its fixtures name that).
    assert found.article_urls[0].startswith("https://www.khobor.test/bn/")
    site = Site("https://www.khobor.test", replica.url)
    assert site.to_site(f"{replica.url}/bn/desh/1-a") == "https://www.khobor.test/bn/desh/1-a"
    assert site.to_base("https://www.khobor.test/bn/desh/1-a") == f"{replica.url}/bn/desh/1-a"


def test_fetching_obeys_robots_txt_and_stays_on_the_site(replica):
    replica.add("/robots.txt", "User-agent: *\nDisallow: /private\n", content_type="text/plain")
    replica.add("/private/page", "<html>secret</html>")
    replica.add("/open", "<html>open</html>")
    fetcher = Fetcher(replica.url, "newscrawl-test", delay=0)
    assert fetcher.get(f"{replica.url}/open") == b"<html>open</html>"
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.get(f"{replica.url}/private/page")
    assert "/private/page" not in replica.hits()
    with pytest.raises(FetchError, match="is not on"):
        fetcher.get("http://127.0.0.2:9/elsewhere")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.get(f"{replica.url}/missing")


def page(headline, byline, paragraphs, sidebar="", extra=""):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<html lang="bn"><head><title>{headline} | সাইট</title>
<meta property="og:site_name" content="সাইট"></head><body>
<div class="sc-1x2ab3 top css-9f8e7d"><h1 class="jsx-4412 headline-text">{headline}</h1>
<div class="meta-line"><span class="name reporter">{byline}</span></div></div>
<div class="article-text">{body}</div>{extra}
<aside class="others"><h2 class="headline-text">{sidebar}</h2></aside></body></html>"""


PARAGRAPHS = [
    "প্রথম অনুচ্ছেদে খবরের মূল কথা বলা হয়েছে, যাতে পাঠক শুরুতেই পুরো ঘটনার একটা ধারণা পান।",
    "দ্বিতীয় অনুচ্ছেদে ঘটনার পটভূমি ও সংশ্লিষ্ট ব্যক্তিদের বক্তব্য তুলে ধরা হয়েছে বিস্তারিতভাবে।",
    "তৃতীয় অনুচ্ছেদে ভবিষ্যতের পরিকল্পনা এবং বিশেষজ্ঞদের মতামত নিয়ে আলোচনা করা হয়েছে এখানে।",
]


# Names as bylines print them: a digit in a byline starts its date, so names carry none.
REPORTERS = ["রহিম উদ্দিন", "সালমা খাতুন", "করিম আহমেদ", "নাসরিন আক্তার", "জামাল হোসেন"]


def samples(count=3, **kwargs):
    return [
        Sample(
            f"https://x.test/news/{100 + n}",
            page(
                f"শিরোনাম নম্বর {n} আজ",
                REPORTERS[n % len(REPORTERS)],
                [f"{p} ({n})" for p in PARAGRAPHS],
                **kwargs,
            ),
        )
        for n in range(count)
    ]


def learned_from(pages):
    return learn([observe(s, ["সাইট"]) for s in pages], ["সাইট"])


def test_selectors_prefer_stable_tokens_and_select_nothing_else():
    learned = learned_from(samples(sidebar="পাশের খবরের শিরোনাম"))
    # "headline-text" is also the sidebar's heading: the headline needs its own, stabler mark.
    # Build hashes (jsx-4412, css-9f8e7d, sc-1x2ab3) are never used.
    assert learned["title"].css == "h1.headline-text"
    assert learned["author"].css == ".reporter"
    assert learned["body"].css == ".article-text > p"
    for rule in learned.values():
        assert not re.search(r"jsx-|css-|sc-", rule.css), rule.css
        assert rule.note == "3/3 samples"


def test_a_class_shared_with_a_neighbour_is_told_apart_by_its_place():
    line = '<p class="info">প্রকাশ: ১২ জানুয়ারি ২০২৫, ০৯:৩০ এএম</p><p class="info">প্রিন্ট সংস্করণ</p>'
    learned = learned_from(samples(extra=line))
    assert learned["published"].css == "p.info:nth-of-type(1)"


def test_a_field_some_samples_lack_is_learned_from_the_others_and_adds_nothing_there():
    pages = samples()
    pages[1] = Sample(pages[1].url, pages[1].html.replace('class="name reporter"', ""))
    learned = learned_from(pages)
    # The second sample's byline is marked by nothing: no layer has an author there.
    assert learned["author"].css == ".reporter" and learned["author"].note == "2/2 samples"
    assert pages[1].sel.css(".reporter") == []


def test_a_selector_giving_another_value_anywhere_is_refused():
    pages = samples()
    # On one sample the reporter mark holds the section; the byline is in the metadata only.
    pages[2] = Sample(pages[2].url, pages[2].html.replace(
        '<span class="name reporter">লেখক 2</span>', '<span class="reporter">জাতীয়</span>'
    ).replace("</head>", '<meta name="author" content="লেখক 2"></head>'))  # fmt: skip
    learned = learned_from(pages)
    assert "author" not in learned or learned["author"].css != ".reporter"


def test_the_body_of_a_page_printed_twice_is_read_once():
    twice = [
        Sample(s.url, s.html.replace('<div class="article-text">', '<div class="mobile-copy">'
               + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + '</div><div class="article-text">'))
        for s in samples()
    ]  # fmt: skip
    learned = learned_from(twice)
    assert learned["body"].note == "3/3 samples"


SPIDER = """class X:
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {
        "title": ("h1",),
        "body": ("div.old-body p", "article p"),
    }
"""


def test_a_suggestion_puts_the_new_selector_first_and_keeps_the_old_ones():
    diff = suggest(SPIDER, {"body": Learned("body", ".story-wrap p", 5, 5)}, "x.py")
    assert diff.startswith("--- a/x.py\n+++ b/x.py\n")
    assert '-        "body": ("div.old-body p", "article p"),' in diff
    assert '+        "body": (  # first one learned' in diff
    assert (
        '+            ".story-wrap p",\n+            "div.old-body p",\n+            "article p",'
        in diff
    )
    assert ' "title": ("h1",)' in diff  # unchanged: context
    assert suggest(SPIDER, {"body": Learned("body", "article p", 5, 5)}, "x.py") is None
    assert current_selectors(SPIDER)[0]["body"][0] == ["div.old-body p", "article p"]


def test_a_suggestion_leaves_the_other_entries_and_their_comments_alone():
    spider = (PROJECT / "newscrawl/spiders/inqilab.py").read_text("utf-8")
    learned = {"body": Learned("body", "div.story p", 4, 5), "tags": Learned("tags", ".t a", 5, 5)}
    diff = suggest(spider, learned, "newscrawl/spiders/inqilab.py")
    removed = [line for line in diff.splitlines() if line.startswith("-") and "---" not in line]
    added = [line for line in diff.splitlines() if line.startswith("+") and "+++" not in line]
    assert removed == [
        '-        "body": ("div.new-details div.description p", "div.description p"),  # [V] sic'
    ]
    assert '"div.story p",' in "".join(added) and '"tags": (".t a",),  # first one' in "".join(
        added
    )
    assert "# [G] the byline line under the headline" in diff  # context, kept


def test_a_build_hash_is_never_a_selector():
    pages = [
        Sample(s.url, s.html.replace('class="jsx-4412 headline-text"', f'class="jsx-{4412 + n}"'))
        for n, s in enumerate(samples())
    ]
    assert learned_from(pages)["title"].css == "h1"
    same = [Sample(s.url, s.html.replace('class="jsx-4412 headline-text"', 'class="css-a1b2c3"'))
            for s in samples()]  # fmt: skip
    assert learned_from(same)["title"].css == "h1"  # the same hash on every sample: still not


def test_a_desk_line_opening_the_body_is_left_out_by_the_learned_rules():
    desk = [
        Sample(s.url, s.html.replace('<div class="article-text">',
                                     '<div class="article-text"><p>নিজস্ব প্রতিবেদক</p>'))
        for s in samples()
    ]  # fmt: skip
    learned = learned_from(desk)
    assert learned["body"].css == ".article-text > p"
    assert learned["body"].note == "3/3 samples"  # exactly the agreed body: no desk line in it


def test_a_spider_with_nothing_learned_is_still_ruff_clean(tmp_path):
    source = render(
        name="empty", cls="EmptySpider", site_url="https://www.empty.test",
        hosts=("www.empty.test", "empty.test"), site_names=(), feeds=(), sitemaps=(),
        from_robots=True, listings=("/",), article_path=r"^/news/(?P<id>\d+)/?$",
        path_note="A note.", learned={},
    )  # fmt: skip
    assert "selectors: ClassVar[dict[str, tuple[str, ...]]] = {}" in source
    spider = tmp_path / "empty.py"
    spider.write_text(source, "utf-8")
    for check in (["check"], ["format", "--check"]):
        config = str(PROJECT / "pyproject.toml")
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *check, "--config", config, str(spider)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout
