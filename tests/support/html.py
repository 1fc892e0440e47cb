"""Reading HTML in tests: parse a page with BeautifulSoup and compare its text.

`parse` takes a response (its body) or HTML as `str` or `bytes` and checks
nothing; `parse_ok` first asserts the response is a 200. `text_of` gives an
element's (or an HTML string's) text with all white space folded to single
spaces, so assertions need not care how the template is laid out.
"""

from bs4 import BeautifulSoup
from bs4.element import PageElement


def parse(source):
    """A BeautifulSoup of a response's body, or of HTML given as `str` or `bytes`."""
    html = source if isinstance(source, str | bytes) else source.content
    return BeautifulSoup(html, "html.parser")


def parse_ok(response):
    """Like `parse`, after asserting the response is a 200."""
    assert response.status_code == 200, f"expected 200, got {response.status_code}"
    return parse(response)


def text_of(source):
    """The text of an element (or of HTML as `str` or `bytes`), white space folded."""
    element = source if isinstance(source, PageElement) else parse(source)
    return " ".join(element.get_text(" ").split())
