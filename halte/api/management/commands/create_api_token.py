"""manage.py create_api_token --user USERNAME [--scopes a,b] [--name N] [--expires YYYY-MM-DD]

Prints the token once, on the last line, so scripts can take it with `tail -n 1`.
The token made is an entry in the audit log, written by the system as this command
(no one is signed in to a command).
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from halte.api.services import api_token_create
from halte.audit.context import Actor
from halte.core.api.scopes import Scope

# Whom the audit entry of a token made here names (Actor.system).
COMMAND_ACTOR = "manage.py create_api_token"


class Command(BaseCommand):
    help = "Make an API token for a user; only its hash is stored, the token is shown once."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username of the token's owner")
        known = ", ".join(scope.value for scope in Scope)
        parser.add_argument(
            "--scopes",
            default="",
            help=f"comma-separated scopes ({known}); none: whatever the user's role may do",
        )
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument(
            "--expires",
            default="",
            metavar="YYYY-MM-DD",
            help="refuse the token from the start of this day (local time); none: no end",
        )

    def handle(self, *args, user, scopes, name, expires, **options):
        owner = self._user(user)
        expires_at = self._expiry(expires)
        scope_list = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        try:
            api_token, token = api_token_create(
                actor=Actor.system(COMMAND_ACTOR),
                user=owner,
                name=name or f"{owner.get_username()} API token",
                scopes=scope_list,
                expires_at=expires_at,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        granted = ", ".join(api_token.scopes) or "everything the user's role may do"
        self.stdout.write(f"Token {api_token.name!r} for {owner.get_username()}: {granted}.")
        if expires_at is not None:
            until = timezone.localtime(expires_at)
            self.stdout.write(f"It is refused from {until:%Y-%m-%d %H:%M %Z} on.")
        self.stdout.write("Store it now; it cannot be shown again:")
        self.stdout.write(token)

    @staticmethod
    def _expiry(text: str):
        """The start of day `text` (YYYY-MM-DD) in local time, or None without one."""
        if not text:
            return None
        try:
            day = datetime.date.fromisoformat(text.strip())
        except ValueError:
            raise CommandError(f"--expires must be a date as YYYY-MM-DD, not {text!r}.") from None
        if day <= timezone.localdate():
            raise CommandError(f"--expires must be a day after today, not {day.isoformat()}.")
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    @staticmethod
    def _user(username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        return user
