"""Requests through Django's test client as a visitor or a member of staff would make them.

`anonymous_get` is a visitor with no cookies (a fresh client each time), so
no session or CSRF cookie can make a response private; `sign_in` posts the
admin's login form from the address `ip`, as django-axes sees it.
"""

from django.test import Client

LOGIN = "/admin/login/"


def anonymous_get(path, **headers):
    return Client().get(path, headers=headers)


def sign_in(client, username, password, ip):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )
