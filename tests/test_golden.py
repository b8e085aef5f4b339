"""Every saved page under tests/fixtures/<outlet>/ gives exactly its expected JSON."""

import json

import pytest

from newscrawl.golden import PAGE_SUFFIXES, expected_for, page_for, write_case
from newscrawl.offline import outlet_spiders
from tests.conftest import FIXTURES, project_settings

CASES = sorted(FIXTURES.glob("*/*.json"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(case, request):
    expected = json.loads(case.read_text("utf-8"))
    actual = expected_for(
        page_for(case), expected["url"], project_settings(), expected.get("callback")
    )
    if request.config.getoption("--update-golden"):
        write_case(case, actual)
        pytest.skip("expected JSON rewritten: review the diff")
    assert actual == expected


def test_every_outlet_spider_has_fixtures():
    spiders = outlet_spiders(project_settings())
    assert spiders, "no outlet spiders found"
    for name in spiders:
        folder = FIXTURES / name
        cases = list(folder.glob("*.json"))
        assert cases, f"spider {name!r} has no fixtures: add {folder}/<case>.html and <case>.json"
        articles = [c for c in cases if json.loads(c.read_text("utf-8")).get("items")]
        assert articles, f"{folder} has no article case (a .json with 'items')"


def test_every_fixture_folder_names_a_spider_and_pairs_page_with_json():
    spiders = outlet_spiders(project_settings())
    for folder in (p for p in FIXTURES.iterdir() if p.is_dir()):
        assert folder.name in spiders, f"{folder} names no spider (known: {sorted(spiders)})"
        for page in folder.iterdir():
            if page.suffix in PAGE_SUFFIXES:
                assert page.with_suffix(".json").exists(), f"{page} has no expected .json beside it"
