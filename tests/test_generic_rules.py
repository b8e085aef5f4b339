"""The generic rules on page shapes the first four real pages did not show: cards of other
stories, modifier classes, cut-short metadata, real sentences that look like page lines.

Every page here is written for its rule; none is copied from a real site.
"""

import pytest

from tests.test_generic_outlet import ld, read

URL = "https://www.example-bd.test/national/news/12345"
H = "মিরপুরে পোশাক কারখানায় আগুন, আহত তিন শ্রমিক"
P = [
    "রাজধানীর মিরপুরে একটি পোশাক কারখানায় আগুন লেগে অন্তত তিনজন শ্রমিক আহত হয়েছেন। আজ সকালে এ ঘটনা ঘটে।",
    "ফায়ার সার্ভিসের কর্মকর্তা জানান, খবর পেয়ে ঘটনাস্থলে পাঁচটি ইউনিট পাঠানো হয়। এক ঘণ্টার চেষ্টায় আগুন নেভে।",
    "কারখানার শ্রমিকেরা বলেন, তৃতীয় তলার একটি গুদাম থেকে প্রথমে ধোঁয়া বের হতে দেখা যায়। পরে আগুন ছড়িয়ে পড়ে।",
    "আহত শ্রমিকদের ঢাকা মেডিকেল কলেজ হাসপাতালে ভর্তি করা হয়েছে। তাঁদের অবস্থা আশঙ্কামুক্ত বলে চিকিৎসকেরা জানান।",
    "আগুনের কারণ অনুসন্ধানে তিন সদস্যের একটি তদন্ত কমিটি গঠন করা হয়েছে। সাত দিনে প্রতিবেদন দিতে বলা হয়েছে।",
]
TEASER = "অন্য একটি খবরের সারাংশ এখানে ছাপা হয়েছে যাতে পাঠক সেটিতে ক্লিক করেন এবং পাতায় থাকেন"
HEAD = f"<html><head><title>{H} | উদাহরণ বার্তা</title></head><body>"


def ps(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def page(inner: str, head: str = HEAD) -> str:
    return f"{head}{inner}</body></html>"


def body(item: dict) -> list[str]:
    return item["body"].split("\n\n")


# -- 1. cards of other stories are not more of the article ----------------------------------------

CARDS_H3 = "".join(
    f'<div class="item"><h3><a href="/n/{i}">অন্য খবরের শিরোনাম {i}</a></h3><p>{TEASER} {i}</p></div>'
    for i in range(6)
)
CARDS_LINKED_IMAGE = "".join(
    f'<div class="item"><a href="/n/{i}"><img src="/i/{i}.jpg" alt=""></a><p>{TEASER} {i}</p></div>'
    for i in range(6)
)


@pytest.mark.parametrize("cards", [CARDS_H3, CARDS_LINKED_IMAGE])
def test_teasers_of_other_stories_are_not_merged_into_the_article(tmp_path, cards):
    html = page(
        f'<div class="page"><h1>{H}</h1><div class="content"><div class="story">{ps(*P)}</div>'
        f'<div class="more-stories-box">{cards}</div></div></div>'
    )
    assert body(read(tmp_path, html, URL)) == P


def test_an_article_split_over_wrappers_is_still_read_whole(tmp_path):
    # negative: the climb still joins the article's own parts (no card among them)
    html = page(
        f'<div class="page"><h1>{H}</h1><div class="content"><div class="part">{ps(*P[:3])}</div>'
        f'<div class="ad"><script>ads()</script></div><div class="part2">{ps(*P[3:])}</div>'
        "</div></div>"
    )
    assert body(read(tmp_path, html, URL)) == P


# -- 2. modifier classes on the article's wrapper do not make it furniture ------------------------

COMMENT = "এই খবরটি পড়ে খুব খারাপ লাগল, শ্রমিকদের নিরাপত্তা চাই।"
COMMENTS = "".join(f'<div class="comment-body"><p>মন্তব্য {i}: {COMMENT}</p></div>' for i in range(3))


@pytest.mark.parametrize(
    "wrapper",
    [
        "entry-content no-share",
        "print_area",
        "content-print",
        "details has-ads",
        "share-top",
        "newsDetailsPrint",
        "hasCaption",
        "elementor-widget elementor-widget-theme-post-content",
        "latest-news-details",
        "page with-comments",
    ],
)
def test_the_article_wrapper_is_read_whatever_its_modifier_classes(tmp_path, wrapper):
    # the story split in two by an ad: the block is their parent, each part is inside it
    html = page(
        f'<h1>{H}</h1><div class="story"><div class="{wrapper}">{ps(*P[:3])}</div>'
        f'<div class="ad-slot"><script>ads()</script></div><div class="{wrapper}">{ps(*P[3:])}'
        '<div class="social-share"><a href="#">ফেসবুক</a> <a href="#">টুইটার</a></div></div>'
        f'</div><div id="comments" class="comments-area">{COMMENTS}</div>'
    )
    item = read(tmp_path, html, URL)
    assert body(item) == P
    assert item["extraction"]["body"] == "generic"


@pytest.mark.parametrize("outer", ["menu-open", "home tag-dhaka category-share"])
def test_page_and_taxonomy_classes_around_the_article_do_not_hide_it(tmp_path, outer):
    html = page(
        f'<div class="{outer}"><article class="post hentry tag-dhaka tag-share category-print">'
        f'<h1>{H}</h1><div class="entry-content">{ps(*P)}</div></article>'
        f'<aside class="widget-area"><ul><li><a href="/n/1">{TEASER}</a></li></ul></aside></div>'
    )
    item = read(tmp_path, html, URL)
    assert body(item) == P
    assert item["extraction"]["body"] == "generic"


CAPTION = "মিরপুরের কারখানায় আগুন নেভাতে কাজ করছেন ফায়ার সার্ভিসের কর্মীরা"
PRINT = "প্রিন্ট করুন এই খবরটি এবং সংরক্ষণ করুন নিজের কাছে পরে পড়ার জন্য"


def test_small_furniture_inside_the_article_still_goes(tmp_path):
    # negative: a caption-classed box and a print bar hold little of the article and are dropped
    html = page(
        f'<h1>{H}</h1><div class="story">{ps(*P[:2])}'
        f'<div class="photo-caption">{CAPTION}</div>'
        f'{ps(*P[2:])}<div class="print-bar">{PRINT}</div>'
        f'</div><div id="comments" class="comments-area">{COMMENTS}</div>'
    )
    assert body(read(tmp_path, html, URL)) == P


# -- 3. a cut-short JSON-LD articleBody gives way to the whole article on the page ----------------

MORE = [
    "শ্রমিক নেতারা বলেছেন, কারখানাগুলোতে অগ্নিনিরাপত্তার ব্যবস্থা নিয়মিত পরিদর্শন করা হয় না বলে এমন ঘটনা বারবার ঘটছে।",
    "মালিকপক্ষ জানিয়েছে, ক্ষতিগ্রস্ত শ্রমিকদের চিকিৎসার সব খরচ তারা বহন করবে এবং উৎপাদন দুই দিন বন্ধ থাকবে।",
    "স্থানীয় থানার ভারপ্রাপ্ত কর্মকর্তা বলেন, ঘটনাস্থল থেকে আলামত সংগ্রহ করা হয়েছে এবং বিষয়টি খতিয়ে দেখা হচ্ছে।",
    "এর আগে গত মাসে একই এলাকার আরেকটি কারখানায় আগুন লেগে দুজন শ্রমিক মারা যান, যা নিয়ে তখন ব্যাপক আলোচনা হয়েছিল।",
    "বিশেষজ্ঞরা বলছেন, ভবনের নকশা অনুমোদন ও অগ্নিনির্বাপণ সরঞ্জাম রাখার নিয়ম কঠোরভাবে মানা না হলে ঝুঁকি কমবে না।",
]


def test_a_cut_short_article_body_gives_way_to_the_page(tmp_path):
    full = P + MORE + [f"দ্বিতীয় দিনে {m}" for m in MORE] + [f"তৃতীয় দিনে {m}" for m in P]
    cut = " ".join(full)[:700].rsplit(" ", 1)[0]  # no ellipsis: a CMS's excerpt
    node = {"@type": "NewsArticle", "headline": H, "articleBody": cut}
    html = page(
        f'<h1>{H}</h1><div class="story">{ps(*full)}</div>',
        HEAD.replace("</head>", ld(node) + "</head>"),
    )
    item = read(tmp_path, html, URL)
    assert body(item) == full
    assert item["extraction"]["body"] == "generic"


def test_a_whole_article_body_is_not_swapped_for_a_block_holding_another_story(tmp_path):
    # negative: the page block holds this article and then the next one
    node = {"@type": "NewsArticle", "headline": H, "articleBody": " ".join(P)}
    other = f"<h2>পরের খবর</h2>{ps(*MORE)}"
    html = page(
        f'<h1>{H}</h1><div class="story">{ps(*P)}{other}</div>',
        HEAD.replace("</head>", ld(node) + "</head>"),
    )
    assert body(read(tmp_path, html, URL)) == P


# -- 4. line rules keep real sentences -----------------------------------------------------------

HEARING = "আদালত আগামী ১৫ জানুয়ারি ২০২৫ মামলার পরবর্তী শুনানির দিন ধার্য করেছেন"  # no "।"
MIDDLE = [
    "পুলিশ সবাইকে গুজবে কান না দিয়ে সরকারি নির্দেশনা ফলো করুন বলে আহ্বান জানিয়েছে।",
    "আরও খবর পাওয়া যাচ্ছে যে আহতের সংখ্যা বাড়তে পারে, তবে তা নিশ্চিত করা যায়নি।",
    "কপিরাইট আইন লঙ্ঘনের একটি পুরোনো অভিযোগও এ সময় খতিয়ে দেখা হচ্ছে বলে জানা গেছে।",
]


def test_a_sentence_holding_a_date_is_article_text_not_the_date(tmp_path):
    html = page(f'<h1>{H}</h1><div class="story">{ps(P[0], HEARING, *P[1:])}</div>')
    item = read(tmp_path, html, URL)
    assert body(item) == [P[0], HEARING, *P[1:]]
    assert item["published_at"] is None  # the hearing is not when the story was published


def test_a_date_line_is_still_the_date_and_not_body(tmp_path):
    # negative: the printed date line under the headline is the date, and left out of the body
    line = "প্রকাশ: শনিবার, ১১ জানুয়ারি ২০২৫, ১০:৩০"
    html = page(f'<h1>{H}</h1><div class="story"><p>{line}</p>{ps(P[0], HEARING, *P[1:])}</div>')
    item = read(tmp_path, html, URL)
    assert body(item) == [P[0], HEARING, *P[1:]]
    assert item["published_at"].startswith("2025-01-11T10:30")


def test_page_line_words_inside_sentences_keep_the_sentence(tmp_path):
    follow = "সর্বশেষ খবর পেতে আমাদের গুগল নিউজ চ্যানেলটি ফলো করুন"
    html = page(
        f'<h1>{H}</h1><div class="story">{ps(P[0], P[1], *MIDDLE, *P[2:], follow)}'
        "<p>© ২০২৫ উদাহরণ বার্তা, সর্বস্বত্ব সংরক্ষিত</p></div>"
    )
    assert body(read(tmp_path, html, URL)) == [P[0], P[1], *MIDDLE, *P[2:]]


def test_a_wire_lead_in_naming_the_author_is_a_sentence(tmp_path):
    wire = "বাসস জানায়, আগুনে তিনজন আহত হয়েছেন।"
    node = {"@type": "NewsArticle", "headline": H, "author": {"name": "বাসস"}}
    head = HEAD.replace("</head>", ld(node) + "</head>")
    html = page(f'<h1>{H}</h1><div class="story">{ps(wire, *P)}</div>', head)
    assert body(read(tmp_path, html, URL)) == [wire, *P]


def test_the_byline_line_with_a_place_is_still_dropped(tmp_path):
    # negative
    node = {"@type": "NewsArticle", "headline": H, "author": {"name": "রহিম উদ্দিন"}}
    head = HEAD.replace("</head>", ld(node) + "</head>")
    html = page(f'<h1>{H}</h1><div class="story">{ps("রহিম উদ্দিন, চাঁদপুর", *P)}</div>', head)
    item = read(tmp_path, html, URL)
    assert body(item) == P
    assert item["author"] == "রহিম উদ্দিন"


# -- 5. bylines: the name, whatever the page prints beside it -------------------------------------

SEVERAL = "রহিম উদ্দিন, চাঁদপুর প্রতিনিধি ও করিম হোসেন, কুমিল্লা প্রতিনিধি ও সেলিনা আক্তার, নোয়াখালী"


@pytest.mark.parametrize(
    ("printed", "author"),
    [
        ('<div class="author">রহিম উদ্দিন ১১ জানুয়ারি ২০২৫, ১০:৩০</div>', "রহিম উদ্দিন"),
        ('<div class="author">রহিম উদ্দিন, শনিবার, ১১ জানুয়ারি ২০২৫</div>', "রহিম উদ্দিন"),
        ('<div class="byline">রহিম উদ্দিন প্রকাশের সময় ১১ জানুয়ারি ২০২৫</div>', "রহিম উদ্দিন"),
        ('<div class="byline">রহিম উদ্দিন পোস্ট ১১/০১/২০২৫</div>', "রহিম উদ্দিন"),
        ('<span class="byline">By Rahim Uddin Published 11 Jan 2025</span>', "Rahim Uddin"),
        ('<span class="byline">Posted by: Rahim Uddin</span>', "Rahim Uddin"),
        (f'<div class="reporter">{SEVERAL}</div>', SEVERAL),
    ],
    ids=["date", "weekday", "label", "post", "english", "posted-by", "several"],
)
def test_the_byline_is_the_name_alone(tmp_path, printed, author):
    html = page(f'<h1>{H}</h1>{printed}<div class="story">{ps(*P)}</div>')
    item = read(tmp_path, html, URL)
    assert item["author"] == author
    assert body(item) == P


def test_no_byline_from_a_cms_account_a_columnist_box_or_a_list_of_writers(tmp_path):
    html = page(
        f'<h1>{H}</h1><span class="byline">Posted by admin</span><div class="story">{ps(*P)}</div>'
        '<ul class="writers"><li><a class="writer" href="/w/1">কলামিস্ট এক</a></li>'
        '<li><a class="writer" href="/w/2">কলামিস্ট দুই</a></li></ul>'
        '<div class="columnist"><div class="writer-name">কলামিস্ট তিন</div></div>'
    )
    assert read(tmp_path, html, URL)["author"] is None


# -- 6. the headline the metadata names anchors the page ------------------------------------------


def test_the_headline_is_the_heading_the_metadata_names_not_the_first_h1(tmp_path):
    head = HEAD.replace("</head>", f'<meta property="og:title" content="{H}"></head>')
    html = page(
        '<h1 class="section-name">জাতীয় খবর সংবাদ</h1><div class="top">'
        f'<div class="lead-story"><h3><a href="/n/9">অন্য খবরের শিরোনাম</a></h3><p>{TEASER}</p>'
        f'<p>{TEASER} আরও</p></div></div><h1>{H}</h1><div class="story">{ps(*P)}</div>',
        head,
    )
    item = read(tmp_path, html, URL)
    assert item["title"] == H
    assert body(item) == P
    assert item["extraction"]["body"] == "generic"


def test_a_headline_linking_to_its_own_post_is_not_the_logo(tmp_path):
    html = page(
        f'<div class="wrap"><h1><a href="/?p=123">{H}</a></h1>'
        f'<div class="summary"><p>{TEASER}</p></div><div class="story">{ps(*P)}</div></div>',
        "<html><head><title>উদাহরণ বার্তা</title></head><body>",
    )
    item = read(tmp_path, html, URL)
    assert item["title"] == H
    assert item["extraction"]["title"] == "generic"


def test_a_logo_h1_is_still_not_the_headline(tmp_path):
    # negative
    html = page(
        f'<h1><a href="https://www.example-bd.test/">উদাহরণ বার্তা</a></h1><h1>{H}</h1>'
        f'<div class="story">{ps(*P)}</div>',
        "<html><head><title>উদাহরণ বার্তা</title></head><body>",
    )
    assert read(tmp_path, html, URL)["title"] == H


# -- 7. a short story stays short -----------------------------------------------------------------


def test_a_short_story_under_its_headline_gets_no_teasers_appended(tmp_path):
    html = page(
        f'<h1>{H}</h1><div class="story">{ps(*P[:1])}</div><div class="more">{CARDS_H3}</div>'
    )
    item = read(tmp_path, html, URL)
    assert body(item) == P[:1]
    assert item["extraction"]["body"] == "generic"


# -- 8. embedded social posts ---------------------------------------------------------------------

TWEET = (
    '<blockquote class="twitter-tweet"><p lang="bn">ফায়ার সার্ভিসের অফিশিয়াল অ্যাকাউন্ট থেকে '
    "জানানো হয়েছে যে মিরপুরের আগুন এখন পুরোপুরি নিয়ন্ত্রণে আছে, সবাইকে ধন্যবাদ জানাই আমরা</p>"
    '— ফায়ার সার্ভিস (@fire) <a href="https://twitter.com/x/status/1">March 10, 2024</a>'
    "</blockquote>"
)
INSTAGRAM = (
    '<blockquote class="instagram-media" data-instgrm-permalink="https://instagram.com/p/x">'
    "<div><p>ইনস্টাগ্রামে প্রকাশিত ছবির বর্ণনা, যা নিবন্ধের অংশ নয় এবং এখানে থাকার কথা নয় মোটেই</p>"
    '<time datetime="2024-03-10T08:00:00+00:00">Mar 10, 2024</time></div></blockquote>'
)


@pytest.mark.parametrize("embed", [TWEET, INSTAGRAM], ids=["twitter", "instagram"])
def test_social_embeds_are_neither_body_nor_date(tmp_path, embed):
    html = page(f'<h1>{H}</h1><div class="story">{ps(*P[:2])}{embed}{ps(*P[2:])}</div>')
    item = read(tmp_path, html, URL)
    assert body(item) == P
    assert item["published_at"] is None


# -- 9. table cells -------------------------------------------------------------------------------


def test_table_cells_stay_apart(tmp_path):
    table = (
        "<table><tr><th>জেলা</th><th>আহত</th></tr><tr><td>ঢাকা</td><td>১২</td><td>৩৪</td></tr></table>"
    )
    html = page(f'<h1>{H}</h1><div class="story">{ps(*P[:3])}{table}{ps(*P[3:])}</div>')
    item = read(tmp_path, html, URL)
    assert body(item) == [*P[:3], "জেলা আহত", "ঢাকা ১২ ৩৪", *P[3:]]


# -- 10. regions beside the article inside its block ----------------------------------------------


def test_a_footer_or_aside_inside_the_article_block_is_not_body(tmp_path):
    note = "লেখক পরিচিতি: রহিম উদ্দিন দীর্ঘদিন ধরে শ্রমিক অধিকার নিয়ে লেখালেখি করছেন এবং গবেষণা করেন"
    html = page(
        f'<h1>{H}</h1><div class="story">{ps(*P[:3])}<aside><p>{TEASER}</p></aside>'
        f"{ps(*P[3:])}<footer><p>{note}</p></footer></div>"
    )
    assert body(read(tmp_path, html, URL)) == P


# -- 11. XHTML is a page, not a feed --------------------------------------------------------------


def test_an_xhtml_page_with_an_xml_prolog_is_read_as_a_page(tmp_path):
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
        ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{H}</title></head><body>'
        f'<h1>{H}</h1><div class="story">{ps(*P)}</div></body></html>'
    )
    item = read(tmp_path, html, URL)
    assert item["title"] == H
    assert body(item) == P


def test_an_rss_feed_is_still_a_feed():
    # negative
    from newscrawl.offline import generic_outlet, guess_callback

    feed = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>'
    assert guess_callback(URL, feed, generic_outlet("www.example-bd.test")()) == "parse_feed"


# -- 12. one broken UTF-8 sequence does not make the page unreadable ------------------------------


def _saved(tmp_path, data: bytes):
    from newscrawl.offline import parse_saved_page
    from tests.conftest import project_settings

    (tmp_path / "page.html").write_bytes(data)
    return parse_saved_page(tmp_path / "page.html", URL, project_settings())


def test_utf8_with_one_truncated_character_and_no_charset_is_read_as_utf8(tmp_path):
    html = f"<html><head><title>{H}</title></head><body><h1>{H}</h1>{ps(*P)}</body></html>"
    data = html.encode("utf-8")
    cut = data.index("তদন্ত".encode())
    data = data[: cut + 2] + data[cut + 3 :]  # one character's last byte lost
    result = _saved(tmp_path, data)
    [item] = result.items
    assert item["title"] == H
    assert item["body"].split("\n\n")[:4] == P[:4]
    assert "\ufffd" in item["body"].split("\n\n")[4]
    assert result.stats["newscrawl/encoding/utf8_broken_sequence"] == 1


def test_a_declared_charset_with_broken_utf8_is_still_refused(tmp_path):
    # negative: not_an_article's bad_encoding still decides when the page names a charset
    html = f'<html><head><meta charset="windows-1252"><title>{H}</title></head><body>{ps(*P)}'
    data = html.encode("utf-8").replace(b"</p>", b"\xff</p>") + b"</body></html>"
    result = _saved(tmp_path, data)
    assert not result.items
    assert "newscrawl/encoding/utf8_broken_sequence" not in result.stats


# -- 13. the printed headline, not the metadata's first part of it --------------------------------


def test_the_printed_headline_wins_over_a_metadata_headline_it_starts_with(tmp_path):
    node = {"@type": "NewsArticle", "headline": "মিরপুরে পোশাক কারখানায় আগুন"}
    head = HEAD.replace("</head>", ld(node) + "</head>")
    html = page(f'<h1>{H}</h1><div class="story">{ps(*P)}</div>', head)
    assert read(tmp_path, html, URL)["title"] == H


def test_a_different_printed_heading_does_not_replace_the_metadata_headline(tmp_path):
    # negative
    node = {"@type": "NewsArticle", "headline": H}
    head = HEAD.replace("</head>", ld(node) + "</head>")
    html = page(f'<h1>সর্বশেষ খবর</h1><div class="story">{ps(*P)}</div>', head)
    assert read(tmp_path, html, URL)["title"] == H


def test_a_box_headed_by_an_h1_beside_an_article_headed_by_an_h2_is_not_merged(tmp_path):
    html = page(
        f'<div class="container"><div class="col-8"><h2 class="news-title">{H}</h2>'
        f'<div class="news-content">{ps(*P[:3])}</div></div><div class="col-4">'
        f'<h1 class="section-head">জনপ্রিয়</h1>{ps(*(f"{TEASER} {i}" for i in range(3)))}'
        "</div></div>"
    )
    assert body(read(tmp_path, html, URL)) == P[:3]


def test_comments_outweighing_the_article_are_still_not_the_article(tmp_path):
    # negative: the element with most running text is the comments box; it stays outside
    comments = ps(*(f"মন্তব্য {i}: {COMMENT} {TEASER}" for i in range(8)))
    html = page(
        f'<h1>{H}</h1><div class="story">{ps(*P[:3])}</div>'
        f'<div id="comments" class="comments-area">{comments}</div>'
    )
    item = read(tmp_path, html, URL)
    assert body(item) == P[:3]
    assert item["extraction"]["body"] == "generic"
