"""Staff users for admin tests, with their rights from the groups the migrations create."""

from django.contrib.auth.models import Group, User


def member_of(group_name, username=None, name=""):
    """A staff user whose only rights come from the named group.

    The username defaults to the group's name in lower case, hyphenated
    ("Feedback analysts" → "feedback-analysts"); pass one to have two users
    of the same group, and a `name` ("Eddie Editor") where the admin shows it.
    """
    user = User.objects.create_user(
        username=username or group_name.lower().replace(" ", "-"),
        email=f"{group_name.lower().replace(' ', '.')}@example.org",
        password="not-used-in-tests",
    )
    if name:
        user.first_name, _, user.last_name = name.partition(" ")
        user.save()
    user.groups.add(Group.objects.get(name=group_name))
    return user
