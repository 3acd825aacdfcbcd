from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from halte.audit.grants import grant_statements


class Command(BaseCommand):
    help = (
        "PostgreSQL: the grants of the application's database role, which may only INSERT"
        " and SELECT on the audit tables. Prints the SQL; --execute runs it (as the owner)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="The application's database role.")
        parser.add_argument("--execute", action="store_true", help="Run the statements.")

    def handle(self, *args, role, execute, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's; SQLite has none.")
        statements = grant_statements(role)
        if execute:
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
            self.stdout.write(f"Granted: role {role} may only add and read audit entries.")
        else:
            self.stdout.write(";\n".join(statements) + ";")
