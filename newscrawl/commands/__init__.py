"""Project commands (``scrapy <command>``)."""
