"""The Wagtail admin over plain HTTP, as a browser without JavaScript uses it.

`StaffBrowser` keeps cookies and posts forms to an app server on loopback
(tests/support/servers.py); `EditForm` reads the fields an edit form would
send. Used where staff work against gunicorn: tests/test_scale_out.py and
tests/adversarial/test_faults.py.
"""

import re
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.support.servers import request


class EditForm(HTMLParser):
    """The fields of the admin's edit form (`data-edit-form`), as a browser would send them."""

    def __init__(self, html):
        super().__init__()
        self.fields = []
        self._inside = False
        self._textarea = None
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = "data-edit-form" in attrs
        elif not self._inside or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value", "")])
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
            self.fields.append(self._textarea)
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select, attrs.get("value", "")])

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that opens a textarea's content.
            self._textarea[1] = self._textarea[1].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


class StaffBrowser:
    """Cookies and forms over plain HTTP, enough for the Wagtail admin."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def send(self, method, path, fields=None, port=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, content = request(
            port or self.port, method, path, headers=headers, body=body, timeout=30
        )
        for set_cookie in response_headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(set_cookie)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return status, response_headers, content

    def csrf_token(self, path):
        status, _, content = self.send("GET", path)
        assert status == 200, path
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()

    def edit(self, path, changes, publish):
        """Open an edit form, change some fields, then save a draft or publish."""
        status, _, content = self.send("GET", path)
        assert status == 200, path
        fields = EditForm(content.decode()).fields
        names = {name for name, _ in fields}
        assert set(changes) <= names, f"{set(changes) - names} not in the form of {path}"
        fields = [(name, changes.get(name, value)) for name, value in fields]
        if publish:
            fields.append(("action-publish", "action-publish"))
        status, headers, content = self.send("POST", path, fields)
        assert status == 302, (status, content[:3000])  # a form error answers 200
        return headers["Location"]
