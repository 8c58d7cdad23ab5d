"""The accessibility helper must really fail on a page that axe finds serious problems in."""

import re

import pytest
from playwright.sync_api import Page

from tests.e2e.axe import assert_accessible

ACCESSIBLE = """<!DOCTYPE html>
<html lang="en"><head><title>Fine</title></head>
<body><main><h1>Fine</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A dot">
<label for="name">Name</label><input id="name" type="text">
</main></body></html>"""

INACCESSIBLE = """<!DOCTYPE html>
<html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input id="name" type="text">
</main></body></html>"""


def test_passes_on_an_accessible_page(page: Page):
    page.set_content(ACCESSIBLE)
    assert_accessible(page)


def test_fails_listing_each_serious_violation(page: Page):
    page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    # The missing alt text (critical) and the unlabelled input (critical) are both named, with
    # their help text and the offending element.
    assert "image-alt" in message
    assert "Images must have alternative text" in message
    assert re.search(r"at img\b", message)
    assert "label" in message
    assert "at #name" in message
