"""Two-factor sign-in for staff, on django-otp (authenticator-app codes, TOTP).

After Wagtail's password sign-in, `AdminTwoFactorMiddleware` keeps a staff
member out of the admin until this session has been verified with a code:

- with a confirmed device, they are sent to `verify` (/admin/two-factor/);
- without one, to `set_up` (/admin/two-factor/set-up/), which shows a QR code
  and the key to type in, and confirms the device with a first code.

A wrong code is refused, and django-otp slows repeated guessing down
(`OTP_TOTP_THROTTLE_FACTOR`). `STAFF_TWO_FACTOR_REQUIRED` turns it off for
the local demo and the tests only.

wagtail-2fa, the ready-made package, does not import on Wagtail 8 (it needs
`wagtail.users.widgets`, since removed), hence these few views of our own.
"""

import io
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

DEVICE_NAME = "Authenticator app"
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
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
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
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
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
        return HttpResponseRedirect(_next_url(request))
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
    """

    @staticmethod
    def _is_admin(request):
        return request.path_info.startswith(settings.ADMIN_URL_PREFIXES)

    def __call__(self, request):
        if not self._is_admin(request):
            return self.get_response(request)
        return super().__call__(request)

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
