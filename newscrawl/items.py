"""The one item every outlet spider yields."""

from __future__ import annotations

import scrapy


class Article(scrapy.Item):
    # Filled by the spider, as far as the page allows.
    url = scrapy.Field()  # as fetched
    canonical_url = scrapy.Field()
    outlet = scrapy.Field()  # = spider name
    article_id = scrapy.Field()  # the outlet's own id, e.g. Inqilab's numeric id
    title = scrapy.Field()
    subtitle = scrapy.Field()
    author = scrapy.Field()  # byline or desk
    category = scrapy.Field()
    tags = scrapy.Field()  # list[str]
    published_at = scrapy.Field()  # ISO 8601 with offset (+06:00 when the page gives none)
    updated_at = scrapy.Field()
    published_raw = scrapy.Field()  # the date strings exactly as found
    updated_raw = scrapy.Field()
    body = scrapy.Field()  # clean paragraphs joined by one blank line
    image_urls = scrapy.Field()  # list[str]
    language = scrapy.Field()
    extraction = scrapy.Field()  # {field: layer}: json-ld, meta, selectors, fallback, discovery

    # Added by the pipelines.
    content_hash = scrapy.Field()
    crawled_at = scrapy.Field()
    run_id = scrapy.Field()


TEXT_FIELDS = ("title", "subtitle", "author", "category")
LIST_FIELDS = ("tags", "image_urls")
