"""Thresholds, boundaries and branches of the generic rules (``extraction/generic.py``) that no
other test pinned: each test here failed once with the rule it names broken by hand.

Pages are built from runs of one letter, so every length is exact: ``run(200, "A1")`` is 200
characters of running text, distinct from every other run.
"""

from __future__ import annotations

import lxml.etree
from parsel import Selector

from newscrawl.extraction import generic


def run(size: int, tag: str) -> str:
    """``size`` characters of running text, told apart from other runs by ``tag``."""
    return tag + "ক" * (size - len(tag))


def ps(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def article(tag: str = "A", paragraphs: int = 5, size: int = 200) -> str:
    """``paragraphs`` paragraphs of ``size`` characters: 1,000 characters by default."""
    return ps(*(run(size, f"{tag}{i}") for i in range(paragraphs)))


def page(body: str, head: str = "") -> generic.Page:
    return generic.Page(Selector(text=f"<html><head>{head}</head><body>{body}</body></html>"))


def block_id(body: str, summary: str | None = None) -> str | None:
    sel = Selector(text=f"<html><body>{body}</body></html>")
    found = generic.Page(sel, summary).block
    return None if found is None else found.get("id")


def root_of(body: str):
    return Selector(text=f"<html><body>{body}</body></html>").root


def running(body: str) -> list[str]:
    return [text for _, _, text in generic.running_text(root_of(body))]


# -- running text ---------------------------------------------------------------------------------


def test_a_section_with_no_block_inside_is_a_paragraph():
    # a <section> of 40 characters is running text, as a <div> is (not held to 80 as other tags)
    assert running(f"<div><section>{run(40, 'S')}</section></div>") == [run(40, "S")]


def test_text_with_no_parent_to_score_it_is_not_running_text():
    fragment = lxml.etree.fromstring(f"<div>{run(60, 'F')}</div>".encode())
    assert generic.running_text(fragment) == []


def test_a_region_holding_a_headline_is_not_beside_the_article_whatever_its_class():
    body = f"<div class='latest'><h1>শিরোনাম</h1><p>{run(50, 'L')}</p></div><div>{article()}</div>"
    assert run(50, "L") in running(body)


def test_an_aside_is_beside_the_article_even_with_the_class_of_the_articles_wrapper():
    aside = f"<aside class='box'><p>{run(50, 'X')}</p></aside>"
    body = f"<div class='box'><div>{article()}</div></div>{aside}"
    assert run(50, "X") not in running(body)
    # ...while a <div> of that class is the article's second part
    body = body.replace("aside", "div")
    assert run(50, "X") in running(body)


def test_a_form_is_never_the_article():
    body = f"<div>{article()}</div><form><p>{run(50, 'X')}</p></form>"
    assert run(50, "X") not in running(body)


def test_an_is_modifier_class_is_not_furniture():
    assert generic.is_furniture("is-share") is False
    assert generic.is_furniture("post-share") is True


# -- which block: the summary, the fair share --------------------------------------------------

OPENING = "নদীভাঙনে শতাধিক পরিবার গৃহহীন হয়েছে পদ্মার"  # six words, 40 characters
SUMMARY = OPENING + " তীরে"


def summary_page(b_size: int, opening: str = OPENING) -> str:
    b_first = opening + " " + "খ" * (100 - len(opening) - 1)
    b_rest = [run(100, f"B{i}") for i in range(1, b_size // 100)]
    three = " ".join(OPENING.split()[:3])  # the first block holds three words of it only
    a_first = three + " " + "ক" * (100 - len(three) - 1)
    return (
        f"<div id='a'>{ps(a_first)}{article('A', 9, 100)}</div>"
        f"<div id='b'>{ps(b_first, *b_rest)}</div>"
    )


def test_the_summary_chooses_a_block_holding_30_percent_of_the_best_ones_text():
    body = summary_page(300)
    scores = generic.running_text(root_of(body))
    assert sum(len(t) for _, s, t in scores if s.get("id") == "b") == 300
    assert sum(len(t) for _, s, t in scores if s.get("id") == "a") == 1000
    assert block_id(body, SUMMARY) == "b"
    assert block_id(summary_page(200), SUMMARY) == "a"  # 20%: not a fair share
    assert block_id(body) == "a"  # no summary: the most text


def test_the_summary_opening_is_its_first_six_words():
    # the first block holds the summary's first three words, the second its first six
    assert block_id(summary_page(300), SUMMARY) == "b"
    # the seventh word ("তীরে") is not in the second block: six words, not seven, are looked for
    assert SUMMARY not in summary_page(300)


def test_a_summary_opening_shorter_than_20_characters_chooses_nothing():
    twenty, nineteen = "গ" * 20, "গ" * 19
    assert block_id(summary_page(300, twenty), twenty) == "b"
    assert block_id(summary_page(300, nineteen), nineteen) == "a"


def test_of_two_blocks_the_summary_opens_the_first_wins():
    second = summary_page(300).replace("id='b'", "id='c'")
    body = summary_page(300) + second.split("</div>", 1)[1]
    assert block_id(body, SUMMARY) == "b"


# -- climbing from the block ---------------------------------------------------------------------


def nested(depth: int) -> str:
    inner = f"<div id='a'>{article()}</div>"
    return f"<div id='top'><p>{run(300, 'T')}</p>{'<div>' * depth}{inner}{'</div>' * depth}</div>"


def test_the_article_is_looked_for_up_to_ten_ancestors_above_its_first_block():
    assert block_id(nested(9)) == "top"  # the tenth ancestor
    assert block_id(nested(10)) == "a"


def test_an_article_element_is_not_climbed_out_of():
    body = f"<div id='wrap'><article id='art'>{article()}</article><p>{run(300, 'B')}</p></div>"
    assert block_id(body) == "art"


def test_climbing_stops_at_an_article_element():
    body = (
        f"<div id='outer'><article id='art'><div id='in'>{article()}</div><p>{run(200, 'B')}</p>"
        f"</article><p>{run(300, 'C')}</p></div>"
    )
    assert block_id(body) == "art"


def test_one_headline_in_a_wrapper_of_a_block_with_none_does_not_stop_the_climb():
    body = (
        f"<div id='wrap'><h1>শিরোনাম</h1><div id='a'>{article()}</div><p>{run(300, 'B')}</p></div>"
    )
    assert block_id(body) == "wrap"


def other_text(pieces: int) -> str:
    return "<ul>" + "".join(f"<li>{'খ' * 20}</li>" for _ in range(pieces)) + "</ul>"


def test_a_wrapper_may_hold_300_characters_besides_running_text():
    def wrap(pieces: int) -> str:
        return (
            f"<div id='wrap'><div id='a'>{article(size=100)}</div><p>{run(100, 'B')}</p>"
            f"{other_text(pieces)}</div>"
        )

    assert block_id(wrap(15)) == "wrap"  # 600 of running text, 300 other
    assert block_id(wrap(16)) == "a"  # 320 other: a box of other things


def test_a_long_article_s_wrapper_may_hold_30_percent_of_it_besides():
    body = (
        f"<div id='wrap'><div id='a'>{article(paragraphs=20, size=100)}</div>"
        f"{article('B', 3, 100)}{other_text(30)}</div>"
    )
    assert block_id(body) == "wrap"  # 2,300 of running text, 600 other: under 690


def test_a_wrapper_is_taken_only_when_it_adds_more_than_a_tenth():
    def wrap(extra: int) -> str:
        return f"<div id='wrap'><div id='a'>{article()}</div><p>{run(extra, 'B')}</p></div>"

    assert block_id(wrap(200)) == "wrap"
    assert block_id(wrap(100)) == "a"


def test_a_repeated_copy_adds_nothing_to_a_wrapper():
    copy = article(paragraphs=2)
    body = f"<div id='wrap'><div id='a'>{copy}</div><div id='m'>{copy}</div></div>"
    assert block_id(body) == "a"


# -- teaser cards of other stories ----------------------------------------------------------------


def with_card(card: str) -> str:
    return f"<div id='wrap'><div id='a'>{article()}</div>{card}</div>"


def test_a_heading_half_of_it_a_link_makes_a_teaser_card():
    card = f"<div><h3><a href='/o'>{'খ' * 10}</a>{'গ' * 10}</h3><p>{run(300, 'E')}</p></div>"
    assert block_id(with_card(card)) == "a"  # the excerpt is another story's


def test_a_linked_picture_in_a_paragraph_does_not_make_it_a_card():
    card = f"<p><a href='/pic'><img src='x.jpg'></a>{run(300, 'E')}</p>"
    assert block_id(with_card(card)) == "wrap"


def test_a_link_without_href_around_a_heading_is_no_card():
    card = f"<div><a name='x'><h3>{'খ' * 20}</h3></a><p>{run(300, 'E')}</p></div>"
    assert block_id(with_card(card)) == "wrap"


def test_a_link_around_a_picture_makes_a_card():
    picture = "<picture><source srcset='x.webp'></picture>"
    card = f"<div><a href='/o'>{picture}</a><p>{run(300, 'E')}</p></div>"
    assert block_id(with_card(card)) == "a"


def test_a_wrapper_of_the_article_is_never_a_card_even_with_a_linked_heading():
    body = (
        f"<div id='wrap'><h2><a href='/x'>{'খ' * 30}</a></h2>"
        f"<div id='inner'><div id='a'>{article()}</div><p>{run(300, 'B')}</p></div></div>"
    )
    assert block_id(body) == "inner"


# -- marked elements: shoulders, standfirsts, bylines ----------------------------------------------


def test_a_shoulder_is_at_most_200_characters_and_said_once():
    assert page(f"<div class='shoulder'>{'ক' * 200}</div>").shoulders() == ["ক" * 200]
    assert page(f"<div class='shoulder'>{'ক' * 201}</div>").shoulders() == []
    twice = "<div class='kicker'>বিশেষ প্রতিবেদন</div>" * 2
    assert page(twice).shoulders() == ["বিশেষ প্রতিবেদন"]


def test_a_standfirst_is_at_most_400_characters():
    def standfirst(size: int) -> str | None:
        body = f"<h1>শিরোনাম</h1><p class='standfirst'>{'গ' * size}</p><div>{article()}</div>"
        return page(body).standfirst()

    assert standfirst(400) == "গ" * 400
    assert standfirst(401) is None


NAME = "মোহাম্মদ রফিকুল ইসলাম"


def test_a_byline_is_at_most_150_characters():
    def bylines(name: str) -> list[str]:
        return page(f"<h1>শিরোনাম</h1><span class='author'>{name}</span>{article()}").bylines()

    assert bylines("ক" * 150) == ["ক" * 150]
    assert bylines("ক" * 151) == []


def test_a_byline_element_may_hold_more_than_the_name():
    # up to three times the longest name: the name, then what ends it (a pipe, a date)
    tail = " | " + "খ" * 200
    body = f"<h1>শিরোনাম</h1><div class='byline'>{NAME}{tail}</div>{article()}"
    assert page(body).bylines() == [NAME]


def test_an_itemprop_author_is_a_byline():
    body = f"<h1>শিরোনাম</h1><span itemprop='author'>{NAME}</span>{article()}"
    assert page(body).bylines() == [NAME]


def test_a_byline_between_headline_and_article_wins_over_one_above_the_headline():
    body = (
        "<div class='author'>সম্পাদক মণ্ডলী সভাপতি</div><h1>শিরোনাম</h1>"
        f"<div class='byline'>{NAME}</div><div>{article()}</div>"
    )
    assert page(body).bylines() == [NAME]


def test_with_the_headline_after_the_article_a_byline_closing_the_article_counts():
    body = f"<div id='a'>{article()}<span class='author'>{NAME}</span></div><h1>শিরোনাম</h1>"
    found = page(body)
    assert found.block.get("id") == "a"
    assert found.bylines() == [NAME]


def test_a_list_of_links_60_percent_links_holds_no_byline():
    def bylines(plain: int) -> list[str]:
        names = (
            f"<li><a class='author' href='/a'>{'ক' * 30}</a></li><li><a href='/b'>{'খ' * 30}</a>"
        )
        return page(f"<ul>{names}{'গ' * plain}</li></ul>").bylines()

    assert bylines(40) == []  # 60 of 100 characters are links: a list of other writers
    assert bylines(41) == ["ক" * 30]


# -- where the article is on the page ------------------------------------------------------------


def test_near_the_article_runs_from_the_headline_to_the_blocks_last_element():
    found = page(f"<p id='before'>x</p><h1>শিরোনাম</h1><div id='a'>{article()}</div><p>y</p>")
    root = found.sel.root
    last = list(found.block.iter())[-1]
    assert found.near_article(found.headline)
    assert found.near_article(last)
    assert not found.near_article(root.get_element_by_id("before"))
    assert not found.near_article(last.getnext() if last.getnext() is not None else root[-1][-1])


def test_a_block_that_is_the_headline_itself_does_not_follow_it():
    found = page(f"<h1>{run(200, 'H')}</h1>")
    assert found.block is found.headline
    assert not found.follows_headline()


def test_the_article_is_looked_for_strictly_after_the_headline_not_in_it():
    # a headline long enough to count as running text is still not the article under it
    body = f"<h1>{run(300, 'H')}</h1><div id='a'>{article()}</div>"
    assert block_id(body) == "a"
