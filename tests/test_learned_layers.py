"""A learned spider reads each field in the project's order: structured data (JSON-LD, meta tags),
then its own selectors, then the generic rules, then trafilatura. A field it learned no selector
for still gets the generic rules, however many other fields it has selectors for.

In process: the spider's source as ``scrapy newoutlet`` writes it, imported, parsing one page
under a crawler's stats.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.learn.selectors import Learned
from newscrawl.learn.spiderfile import render

URL = "https://www.khobor.test/news/20451"
HEADLINE = "নদীর ওপর নতুন সেতু খুলে দেওয়া হলো আজ সকালে"
REPORTER = "রহিম উদ্দিন"
PARAGRAPHS = [
    "প্রথম অনুচ্ছেদে খবরের মূল কথা বলা হয়েছে, যাতে পাঠক শুরুতেই পুরো ঘটনার একটা ধারণা পান।",
    "দ্বিতীয় অনুচ্ছেদে ঘটনার পটভূমি ও সংশ্লিষ্ট ব্যক্তিদের বক্তব্য তুলে ধরা হয়েছে বিস্তারিতভাবে।",
    "তৃতীয় অনুচ্ছেদে ভবিষ্যতের পরিকল্পনা এবং বিশেষজ্ঞদের মতামত নিয়ে আলোচনা করা হয়েছে এখানে।",
]
# No JSON-LD, no author meta tag: the byline is printed in an element marked as one, which only
# the generic rules read.
PAGE = f"""<html lang="bn"><head><title>{HEADLINE} | খবর</title>
<meta property="og:site_name" content="খবর"></head><body>
<div class="top"><h1 class="headline-text">{HEADLINE}</h1>
<div class="meta-line"><span class="reporter">{REPORTER}</span></div></div>
<div class="article-text">{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</div>
</body></html>"""


@pytest.fixture
def learned_spider(tmp_path):
    """A spider with one learned selector (the headline), as ``scrapy newoutlet`` writes it."""
    source = render(
        name="khobor", cls="KhoborSpider", site_url="https://www.khobor.test",
        hosts=("www.khobor.test", "khobor.test"), site_names=("খবর",), feeds=("/feed",),
        sitemaps=(), from_robots=True, listings=(), article_path=r"^/news/(?P<id>\d+)/?$",
        path_note="A note.", learned={"title": Learned("title", "h1.headline-text", 5, 5)},
    )  # fmt: skip
    assert '"title": ("h1.headline-text",)' in source and '"author"' not in source
    path = tmp_path / "khobor.py"
    path.write_text(source, "utf-8")
    spec = importlib.util.spec_from_file_location("khobor_learned", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module.KhoborSpider
    finally:
        del sys.modules[spec.name]


def test_a_field_with_no_learned_selector_gets_the_generic_rules(learned_spider):
    crawler = get_crawler(learned_spider)
    spider = learned_spider.from_crawler(crawler)
    response = HtmlResponse(URL, body=PAGE.encode(), encoding="utf-8", request=Request(URL))
    [article] = spider.parse_article(response)
    assert article["title"] == HEADLINE
    assert article["author"] == REPORTER
    assert article["body"] == "\n\n".join(PARAGRAPHS)
    assert article["extraction"]["title"] == "selectors"
    assert article["extraction"]["author"] == "generic"
    assert article["extraction"]["body"] == "generic"  # before trafilatura
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/extraction/title/selectors"] == 1
    assert stats["newscrawl/extraction/author/generic"] == 1
    assert stats["newscrawl/extraction/body/generic"] == 1
    assert "newscrawl/extraction/author/missing" not in stats
