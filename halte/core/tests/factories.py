import factory

from halte.core.models import Location, Team, User
from halte.core.roles import Role

PASSWORD = "correct horse battery staple"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Locatie {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Wijkteam {n}")
    location = factory.SubFactory(LocationFactory)


STAFF_SURNAMES = [
    "Dekker",
    "van Leeuwen",
    "Brouwer",
    "de Graaf",
    "Kok",
    "Verhoeven",
    "van 't Hof",
    "Koster",
    "Prins",
    "Huisman",
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    # Staff surnames that no test client carries: a page test that asserts a client's
    # name is absent must not trip over a colleague who happens to share it.
    last_name = factory.Iterator(STAFF_SURNAMES)
    role = Role.CARE_PROFESSIONAL
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
