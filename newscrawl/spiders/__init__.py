"""One spider per news outlet; the shared base lives in ``base.py``."""
