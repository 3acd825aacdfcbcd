"""manage.py create_api_token --user USERNAME [--scopes a,b] [--name N]

Prints the token once, on the last line, so scripts can take it with `tail -n 1`.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from halte.api.services import api_token_create
from halte.core.api.scopes import Scope


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

    def handle(self, *args, user, scopes, name, **options):
        owner = self._user(user)
        scope_list = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        try:
            api_token, token = api_token_create(
                user=owner, name=name or f"{owner.get_username()} API token", scopes=scope_list
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        granted = ", ".join(api_token.scopes) or "everything the user's role may do"
        self.stdout.write(f"Token {api_token.name!r} for {owner.get_username()}: {granted}.")
        self.stdout.write("Store it now; it cannot be shown again:")
        self.stdout.write(token)

    @staticmethod
    def _user(username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        return user
