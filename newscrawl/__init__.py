"""newscrawl: a polite Scrapy crawler for Bengali-language news."""
