"""What the shared layer stores: which force a staff group works for, and
recovery codes for staff two-step sign-in.

## Forces and their staff

A force is a Wagtail `Site`. A staff group that works for one force only
(its editors, reviewers or analysts) has a `ForceGroup` naming that site;
a group without one (the national groups, and any group of a one-force
install) works for every force. `forces_of(user)` says which forces a
member of staff may see: None for all of them.

## Recovery codes

A staff member gets a set of single-use codes when they confirm their
authenticator app, and can make a new set (which replaces the old one) from
their account. Each code signs them in once in place of the app's code
(`portal/two_factor.py`).

Only a hash of each code is stored, made by Django's password hashers
(`make_password`, salted, the project's first hasher): the database holds
nothing that signs anyone in. django-otp's own static-token plugin keeps its
codes in plain text, so it is not used.
"""

import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from wagtail.models import Site

RECOVERY_CODE_COUNT = 10
# Capitals and digits without 0/O or 1/I/L, which are easy to misread on paper.
RECOVERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_CODE_LENGTH = 10  # about 50 bits each; shown as two groups of five


def normalise_recovery_code(text):
    """`text` as the codes are hashed: capitals, no spaces or hyphens (people type both)."""
    return "".join(text.split()).replace("-", "").upper()


def looks_like_recovery_code(text):
    """True if `text` could be a recovery code, so that anything else costs no hashing."""
    code = normalise_recovery_code(text)
    return len(code) == RECOVERY_CODE_LENGTH and set(code) <= set(RECOVERY_CODE_ALPHABET)


def _new_code():
    return "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))


def _shown(code):
    half = RECOVERY_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


class RecoveryCodeQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unused(self):
        return self.filter(used_at__isnull=True)

    def replace_set(self, user):
        """Make a new set of codes for `user`, deleting every old one.

        Returns the new codes as the staff member should see them: the only
        time they exist in plain text.
        """
        codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
        # Hash first: a password hasher is slow on purpose, and the old codes'
        # rows should not stay locked meanwhile.
        rows = [self.model(user=user, code_hash=make_password(code)) for code in codes]
        with transaction.atomic():
            self.for_user(user).delete()
            self.bulk_create(rows)
        return [_shown(code) for code in codes]

    def use(self, user, text):
        """Spend `user`'s unused code that `text` is. True if there was one to spend.

        A code counts once only, even when two requests bring it at the same
        moment: the one whose update marks it used wins.
        """
        if not looks_like_recovery_code(text):
            return False
        code = normalise_recovery_code(text)
        for recovery_code in self.for_user(user).unused():
            if check_password(code, recovery_code.code_hash):
                spent = self.filter(pk=recovery_code.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
                return spent == 1
        return False


class RecoveryCode(models.Model):
    """One single-use recovery code of a staff member's two-step sign-in, as a hash.

    Made and spent through `RecoveryCode.objects` (`replace_set`, `use`) by
    the views in `portal/two_factor.py`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=128, help_text="make_password's encoded hash")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = RecoveryCodeQuerySet.as_manager()

    class Meta:
        verbose_name = "recovery code"

    def __str__(self):
        state = "used" if self.used_at else "unused"
        return f"Recovery code of {self.user} ({state})"


class ForceGroup(models.Model):
    """A staff group that works for one force (a Wagtail `Site`) only."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="force")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="staff_groups")

    class Meta:
        verbose_name = "force's staff group"

    def __str__(self):
        return f"{self.group.name} ({self.site.hostname})"


def forces_of(user):
    """The ids of the forces (Sites) `user` works for, as a frozenset; None for every force.

    Superusers and members of any group without a force (the national
    groups) see every force; everyone else sees the forces of their groups.
    """
    if user.is_superuser:
        return None
    groups = list(user.groups.values_list("pk", "force__site_id"))
    if any(site_id is None for _pk, site_id in groups):
        return None
    return frozenset(site_id for _pk, site_id in groups)
