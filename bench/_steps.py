"""What one article page costs in each of newscrawl's steps, timed directly (no profiler), and
what the fixes docs/benchmarks.md suggests would save, each checked to give the same output.

Used by ``bench.throughput``; the profiler there shows where time goes in a real crawl, these
figures show the same without the profiler's inflation, on one ~60 KB page of the replica.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from parsel import Selector
from scrapy import Request
from scrapy.http import HtmlResponse

from bench._site import REAL, Site
from newscrawl import extract, simhash, text
from newscrawl.pipelines import clean_article
from newscrawl.spiders.inqilab import InqilabSpider
from newscrawl.store import Store, database, schema


def median_us(run: Callable[[], Any], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        # Each run as on a page never seen: text.clean_line remembers the texts it cleaned.
        text.forget_clean_texts()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return 1e6 * statistics.median(times)


class Page:
    """One replica article page, and what newscrawl makes of it."""

    def __init__(self, site: Site, number: int = 7):
        article = site.articles[number]
        self.url = REAL + article.path
        self.body = site.pages[article.path]
        self.html = self.body.decode("utf-8")
        self.spider = InqilabSpider()
        self.sel = Selector(text=self.html)
        self.item = dict(next(iter(self.spider.parse_article(self.response()))))

    def layered(self) -> extract.Extracted:
        """A copy of what JSON-LD and the meta tags found on the page: the fields the outlet's
        selectors need not look for (found once, copied for each timed run)."""
        if not hasattr(self, "_layered"):
            out = self._layered = extract.Extracted()
            node = extract.json_ld_article(self.sel)
            if node:
                extract.from_json_ld(node, out)
            extract.from_meta(self.sel, out, self.spider.site_names)
        found = self._layered
        return extract.Extracted(dict(found.values), dict(found.layers), dict(found.raw))

    def response(self) -> HtmlResponse:
        meta = {"article_id": self.spider.article_id(self.url)}
        return HtmlResponse(self.url, body=self.body, request=Request(self.url, meta=meta))


def step_rows(page: Page, repeat: int) -> list[list[Any]]:
    """(step, µs per page) for each step a page goes through in (c), and (b)'s whole callback."""
    sel, spider, outlet = page.sel, page.spider, page.spider
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("response + decode", lambda: page.response().text),
        ("parse HTML", lambda: Selector(text=page.html)),
        ("not_an_article (its own parse included)", lambda: spider.not_an_article(page.response())),
        ("extract.extract, all layers (its own parse included)",
         lambda: extract.extract(page.html, page.url, outlet)),
        ("  json_ld_article", lambda: extract.json_ld_article(sel)),
        ("  from_meta (one pass over the meta tags)",
         lambda: extract.from_meta(sel, extract.Extracted(), outlet.site_names)),
        ("  from_selectors, every field still to find",
         lambda: extract.from_selectors(sel, extract.Extracted(), outlet, "")),
        ("  from_selectors after JSON-LD and meta tags (as extract runs it)",
         lambda: extract.from_selectors(sel, page.layered(), outlet, "")),
        ("  paragraphs (body)", lambda: extract.paragraphs(sel, outlet.selectors["body"])),
        ("  clean_body (the outlet's paragraph rules)",
         lambda: extract.clean_body(page.item["body"].split("\n\n"), extract.Extracted(), outlet)),
        ("parse_article, whole callback", lambda: list(spider.parse_article(page.response()))),
        ("CleanPipeline (clean_article)", lambda: clean_article(ItemAdapter(dict(page.item)))),
        ("HashPipeline (content_hash of the clean text)",
         lambda: text.content_hash(page.item["title"], page.item["body"], cleaned=True)),
        ("Store: simhash of the clean body",
         lambda: simhash.simhash(page.item["body"], cleaned=True)),
        ("(b)'s whole callback: 3 parsel selectors", lambda: baseline(page.response())),
    ]  # fmt: skip
    rows = [[name, median_us(run, repeat)] for name, run in steps]
    rows.append(["Store.write_batch, per article (batches of 100, fresh store)", write_cost()])
    rows.append(["  the same without the batch's FTS insert", write_cost(without_fts=True)])
    rows.append(["  the same without SimHash and near-duplicate search",
                 write_cost(without_simhash=True)])  # fmt: skip
    return rows


def baseline(response: HtmlResponse) -> dict[str, Any]:
    return {
        "title": response.css("div.col-md-9.mt-3 h2::text").get(),
        "date": response.css("p.news-date-time::text").get(),
        "body": "\n\n".join(response.css("div.new-details div.description p::text").getall()),
    }


def write_cost(batches: int = 5, *, without_fts: bool = False, without_simhash: bool = False):
    """µs per article for write_batch of new articles into a store of a few hundred; optionally
    with the batch's FTS insert left out or SimHash stubbed out (value 0: no near-duplicate
    search), to see what each costs. Only a temporary store is touched."""
    from bench.scale import batch  # the scale benchmark's articles: cleaned and hashed

    rows = batch(0)
    real_simhash = simhash.simhash
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "n.db") as store:
        store.write_batch(rows[:100])
        if without_fts:  # the batch's index statement made one that does nothing
            database.INDEX_BATCH = "SELECT ?"
        if without_simhash:
            simhash.simhash = lambda body, **_: 0
        try:
            started = time.perf_counter()
            for i in range(1, batches + 1):
                store.write_batch(rows[i * 100 : (i + 1) * 100])
            return 1e6 * (time.perf_counter() - started) / (batches * 100)
        finally:
            simhash.simhash = real_simhash
            database.INDEX_BATCH = schema.INDEX_BATCH
