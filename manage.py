#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    # Migrations, exports and purges may run long; web requests keep the
    # statement timeout of portal/settings/base.py. Lock waits stay bounded
    # (DATABASE_LOCK_TIMEOUT_MS): a migration that cannot get its lock in
    # time fails and is run again, instead of stalling every visitor.
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
