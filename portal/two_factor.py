"""Two-factor sign-in for staff, on django-otp (authenticator-app codes, TOTP).

After Wagtail's password sign-in, `AdminTwoFactorMiddleware` keeps a staff
member out of the admin until this session has been verified with a code:

- with a confirmed device, they are sent to `verify` (/admin/two-factor/);
- without one, to `set_up` (/admin/two-factor/set-up/), which shows a QR code
  and the key to type in, and confirms the device with a first code.

Confirming the device makes a set of single-use recovery codes
(`portal.models.RecoveryCode`, stored hashed) and shows them once, on
`recovery_codes` (/admin/two-factor/recovery-codes/). That page later shows
how many are left and makes a new set. `verify` takes a recovery code in
place of the app's code; each use is written to the audit log and the log.

A wrong code is refused, and django-otp slows repeated guessing down
(`OTP_TOTP_THROTTLE_FACTOR`): recovery codes share the device's throttle, so
switching between the two kinds gains an attacker nothing.
`STAFF_TWO_FACTOR_REQUIRED` turns it off for the local demo and the tests only.

wagtail-2fa, the ready-made package, does not import on Wagtail 8 (it needs
`wagtail.users.widgets`, since removed), hence these few views of our own.
"""

import io
import logging
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import resolve, reverse
from django.utils.functional import LazyObject, empty
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image
from wagtail import log_actions
from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access

from portal.models import RECOVERY_CODE_COUNT, RecoveryCode, looks_like_recovery_code

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"
# Audit-log actions, registered in portal/wagtail_hooks.py.
RECOVERY_CODE_USED = "portal.recovery_code_used"
RECOVERY_CODES_MADE = "portal.recovery_codes_made"
# The new codes, between the request that makes them and the page that shows them once.
NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"
# At or below this many codes left, signing in reminds staff to make new ones.
FEW_RECOVERY_CODES = 2
# Admin URLs an unverified staff member may still reach.
OPEN_URL_NAMES = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "two_factor_verify",
    "two_factor_set_up",
    "two_factor_qr_code",
}


class CodeForm(forms.Form):
    """The code from the authenticator app, checked against `device` (set-up and sign-in)."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )
    used_recovery_code = False

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes. Wait a little, then try the newest code."
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code is not right. Enter the newest code from your app."
            )
        return code


class SignInCodeForm(CodeForm):
    """The app's 6-digit code or one unused recovery code (`verify`).

    Either kind counts towards the device's throttle: a wrong recovery code
    is a failure like a wrong app code, and a right one resets it.
    """

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app, or a recovery code"
        },
    )

    def clean_code(self):
        text = self.cleaned_data["code"]
        # Digits are the app's code; anything else is taken for a recovery code
        # (a few are all digits too, but ten of them, never six).
        if "".join(text.split()).isdigit() and not looks_like_recovery_code(text):
            return super().clean_code()
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes. Wait a little, then try a code again."
            )
        if not RecoveryCode.objects.use(self.device.user, text):
            self.device.throttle_increment()
            raise forms.ValidationError(
                "That recovery code is not right, or it has been used already. "
                "Each recovery code works once."
            )
        self.device.throttle_reset()
        self.used_recovery_code = True
        return text


def _codes_left(user):
    return RecoveryCode.objects.for_user(user).unused().count()


def codes_left_text(left):
    """How many codes are left, as staff read it (also on the Account page)."""
    if left == 0:
        return "no unused recovery codes"
    return f"{left} recovery code{'s' if left != 1 else ''} left"


def _audit_log(request, action, data):
    """An entry in Wagtail's audit log (Reports → Site history) on the staff member's own record."""
    log_actions.log(instance=request.user, action=action, user=request.user, data=data)


def _after_sign_in(request, form):
    """Record a recovery code's use, and tell staff who are running out of codes."""
    user = request.user
    left = _codes_left(user)
    make_new = [messages.button(reverse("two_factor_recovery_codes"), "Make new codes")]
    if form.used_recovery_code:
        # Never the code itself: only who used one and how many remain.
        logger.warning(
            "Two-step sign-in: %s signed in with a recovery code (%d left)",
            user.get_username(),
            left,
        )
        _audit_log(request, RECOVERY_CODE_USED, {"left": left})
        messages.warning(
            request,
            f"You signed in with a recovery code; that code will not work again. "
            f"You have {codes_left_text(left)}.",
            buttons=make_new,
        )
    elif left <= FEW_RECOVERY_CODES:
        messages.warning(
            request,
            f"You have {codes_left_text(left)} for two-step sign-in. "
            "Make a new set so you can still sign in if you lose your phone.",
            buttons=make_new,
        )


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("wagtailadmin_home")


def _confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def _unconfirmed_device(user):
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@sensitive_post_parameters("code")
@never_cache
def verify(request):
    device = _confirmed_device(request.user) if request.user.is_authenticated else None
    if device is None:
        return HttpResponseRedirect(reverse("wagtailadmin_login"))
    form = SignInCodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        _after_sign_in(request, form)
        return HttpResponseRedirect(_next_url(request))
    return render(request, "two_factor/verify.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("code")
@never_cache
def set_up(request):
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("wagtailadmin_login"))
    if _confirmed_device(request.user):
        return HttpResponseRedirect(reverse("two_factor_verify"))
    device = _unconfirmed_device(request.user)
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        _make_recovery_codes(request)
        query = urlencode({"next": _next_url(request)})
        return HttpResponseRedirect(f"{reverse('two_factor_recovery_codes')}?{query}")
    key = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        "two_factor/set_up.html",
        {
            "form": form,
            "next": _next_url(request),
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        },
    )


def _make_recovery_codes(request):
    """A new set of codes for the staff member, kept in the session until shown once."""
    replaced = RecoveryCode.objects.for_user(request.user).exists()
    request.session[NEW_CODES_SESSION_KEY] = {
        "codes": RecoveryCode.objects.replace_set(request.user),
        "replaced": replaced,
    }
    _audit_log(request, RECOVERY_CODES_MADE, {"count": RECOVERY_CODE_COUNT})


@require_admin_access
@require_http_methods(["GET", "POST"])  # a HEAD would use up the one showing
@never_cache
def recovery_codes(request):
    """Newly made recovery codes, shown this once; otherwise how many are left.

    A POST makes a new set (the old codes stop working) and comes back here
    to show it. The codes wait in the session for that one page only, and the
    page is never cached.
    """
    if request.method == "POST":
        _make_recovery_codes(request)
        query = urlencode({"next": _next_url(request)})
        return HttpResponseRedirect(f"{reverse('two_factor_recovery_codes')}?{query}")
    new = request.session.pop(NEW_CODES_SESSION_KEY, None) or {}
    left = _codes_left(request.user)
    return render(
        request,
        "two_factor/recovery_codes.html",
        {
            "new_codes": new.get("codes"),
            "replaced": new.get("replaced", False),
            "left": left,
            "left_text": codes_left_text(left),
            "total": RECOVERY_CODE_COUNT,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "next": _next_url(request),
        },
    )


@never_cache
def qr_code(request):
    """The QR code of the device being set up, as SVG (never of a confirmed one)."""
    if not request.user.is_authenticated or _confirmed_device(request.user):
        return HttpResponse(status=404)
    image = io.BytesIO()
    write_qrcode_image(_unconfirmed_device(request.user).config_url, image)
    return HttpResponse(image.getvalue(), content_type="image/svg+xml")


class AdminTwoFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (it gives `request.user.is_verified()`), plus the admin gate.

    Acts on admin URLs only: elsewhere it would read the session of every
    visitor, for nothing.

    django-otp wraps `request.user`, itself Django's lazy wrapper, in a second
    one. Wagtail's audit log looks through one wrapper only, and silently
    drops any entry about `request.user` (an account change, a recovery code
    used), so the user inside is handed on unwrapped.
    """

    @staticmethod
    def _is_admin(request):
        return request.path_info.startswith(settings.ADMIN_URL_PREFIXES)

    def __call__(self, request):
        if not self._is_admin(request):
            return self.get_response(request)
        return super().__call__(request)

    def _verify_user_sync(self, request, user):
        # django-otp 1.7's hook; tests/test_admin_two_factor.py notices if it goes.
        if isinstance(user, LazyObject):
            if user._wrapped is empty:
                user._setup()
            user = user._wrapped
        return super()._verify_user_sync(request, user)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not (settings.STAFF_TWO_FACTOR_REQUIRED and self._is_admin(request)):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if resolve(request.path_info).url_name in OPEN_URL_NAMES:
            return None
        target = "two_factor_verify" if user_has_device(user) else "two_factor_set_up"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(target)}?{query}")
