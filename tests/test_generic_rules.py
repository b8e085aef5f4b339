"""The generic rules on page shapes the first four real pages did not show: cards of other
stories, modifier classes, cut-short metadata, real sentences that look like page lines.

Every page here is written for its rule; none is copied from a real site.
"""

import pytest

from tests.test_generic_outlet import read

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
