"""The editor's block picker previews every block as visitors will see it."""

import pytest

from guidance.models import GuidancePage, SignpostingContact

BODY_BLOCKS = GuidancePage._meta.get_field("body").stream_block.child_blocks


def preview(client, block):
    return client.get("/admin/block-preview/", {"id": block.definition_prefix})


@pytest.mark.parametrize("name", list(BODY_BLOCKS))
def test_every_block_previews_with_the_site_stylesheet(admin_client, site_tree, name):
    response = preview(admin_client, BODY_BLOCKS[name])

    assert response.status_code == 200
    assert b"css/portal.css" in response.content
    assert b'class="width-container"' in response.content


def test_the_contacts_block_previews_real_published_contacts(admin_client, site_tree):
    first = SignpostingContact.objects.filter(live=True).first()

    response = preview(admin_client, BODY_BLOCKS["signposting_contacts"])

    assert first.name.encode() in response.content
    assert f'href="{first.phone_href}"'.encode() in response.content


def test_the_contacts_block_previews_an_example_before_any_contact_exists(admin_client, db):
    response = preview(admin_client, BODY_BLOCKS["signposting_contacts"])

    assert response.status_code == 200
    assert b"NSPCC helpline" in response.content
