import datetime

import factory

from halte.clients.models import Client, Phone, Preference, Relation
from halte.core.text import family_search_terms, search_terms


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    client_number = factory.Sequence(lambda n: 200000 + n)
    given_names = factory.Faker("first_name", locale="nl_NL")
    family_name = factory.Faker("last_name", locale="nl_NL")
    name_prefix = ""
    preferred_name = ""
    date_of_birth = factory.Faker(
        "date_between", start_date=datetime.date(1925, 1, 1), end_date=datetime.date(1960, 1, 1)
    )
    postcode = "3512JK"
    house_number = factory.Sequence(lambda n: n % 200 + 1)
    city = "Amersfoort"
    search_name = factory.LazyAttribute(
        lambda c: search_terms(
            given_names=c.given_names,
            preferred_name=c.preferred_name,
            name_prefix=c.name_prefix,
            family_name=c.family_name,
        )
    )
    search_family = factory.LazyAttribute(
        lambda c: family_search_terms(c.family_name, c.name_prefix)
    )


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name", locale="nl_NL")
    kind = "child"
    may_receive_information = True


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    client = factory.SubFactory(ClientFactory)
    e164 = factory.Sequence(lambda n: f"+316{10000000 + n}")
    label = "mobile"


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preference

    client = factory.SubFactory(ClientFactory)
    kind = "like"
    text = "Koffie met een koekje om tien uur"
    noted_on = factory.LazyFunction(datetime.date.today)
