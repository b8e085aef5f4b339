"""Learning an outlet from its site: where its articles are listed, what their URLs look like,
and which CSS selectors find each field (``scrapy newoutlet --url``, ``scrapy probe --suggest``).

``fetch``: polite one-off fetching (robots.txt, the project's User-Agent, a delay, a timeout);
``discover``: feeds, sitemaps and article URLs; ``paths``: ``article_path`` inferred from URLs;
``selectors`` and ``body``: per-field CSS selectors located from what the extraction layers
agree on; ``rules``: the paragraph rules a learned spider declares; ``outlet``: the steps
together; ``spiderfile``: the spider's source, and the diff that adds learned selectors to one;
``skeleton``: the hand path's spider of guesses (``scrapy newoutlet --domain``).
"""
