"""Publishing a page as an editor does: a new revision by a user, then publish it."""


def publish(page, user, **changes):
    """Save `changes` as a revision by `user` and publish it; the revision."""
    for name, value in changes.items():
        setattr(page, name, value)
    revision = page.save_revision(user=user)
    revision.publish(user=user)
    page.refresh_from_db()
    return revision
