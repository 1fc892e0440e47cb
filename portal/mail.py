"""Staff e-mail that never breaks what the staff member was doing.

The portal sends mail only to staff: Wagtail's review notifications (a page
or contact submitted, approved, sent back) and password resets. A mail
server that is missing, refuses or drops the connection must never turn a
review step into an error, or leave it half done:

- `SMTPEmailBackend` is Django's SMTP backend that logs a failure instead
  of raising it (used when `EMAIL_HOST` is set);
- `DisabledEmailBackend` sends nothing and says so once in the log (used
  when it is not; `portal.settings.dev` prints mail to the console instead);
- `DeferredNotifier` wraps Wagtail's review notifiers so that they run after
  the step's transaction has committed, and log any failure; the swap is
  made by `portal/signals.py`, connected from `PortalConfig.ready()`.

See docs/governance.md, "Mail".
"""

import logging
import threading

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPEmailBackend
from django.db import transaction

logger = logging.getLogger(__name__)


class SMTPEmailBackend(DjangoSMTPEmailBackend):
    """Django's SMTP backend, failing quietly: a failure is logged, and nothing is raised."""

    def __init__(self, *args, **kwargs):
        kwargs["fail_silently"] = True
        super().__init__(*args, **kwargs)

    def open(self):
        try:
            opened = super().open()  # silent: None on a refused or dropped connection
        except Exception:  # an SMTP protocol error Django does not treat as silent
            logger.exception("The mail server %s failed; mail not sent", self.host)
            self.connection = None
            return None
        if opened is None:
            logger.error("Could not connect to the mail server %s; mail not sent", self.host)
        return opened

    def send_messages(self, email_messages):
        try:
            sent = super().send_messages(email_messages) or 0
        except Exception:
            logger.exception("The mail server failed while sending; mail not sent")
            return 0
        if sent < len(email_messages):
            logger.error(
                "%d of %d e-mails not sent", len(email_messages) - sent, len(email_messages)
            )
        return sent


class DisabledEmailBackend(BaseEmailBackend):
    """No mail server configured: send nothing, and say so once per process."""

    _said = False
    _lock = threading.Lock()

    def send_messages(self, email_messages):
        with self._lock:
            if not DisabledEmailBackend._said:
                DisabledEmailBackend._said = True
                logger.warning(
                    "E-mail is off (EMAIL_HOST is not set): review notifications and "
                    "password resets are not sent. This is said once per process."
                )
        return 0


class DeferredNotifier:
    """A Wagtail notifier run after the commit of the step that triggered it, never raising."""

    def __init__(self, notifier, name):
        self.notifier = notifier
        self.name = name

    def __call__(self, sender, instance, **kwargs):
        kwargs.pop("signal", None)
        transaction.on_commit(lambda: self.send(instance, kwargs))

    def send(self, instance, kwargs):
        try:
            self.notifier(instance=instance, **kwargs)
        except Exception:
            logger.exception(
                "Could not send the %s e-mail; the review step itself was saved", self.name
            )
