"""One search box for clients: name fragment, postcode (+ house number), date of birth,
client number or phone number, told apart by their shape.

Names are found through the database's own text index: FTS5 on SQLite, pg_trgm on
PostgreSQL. Both get the same folded `Client.search_name` ('jan van den berg'), so
accents never matter and tussenvoegsels are dropped from the query.

Both rank the matches the same way (`_ranking_tiers`): the family name before given
and preferred names, a whole word before a longer name it starts ('riet': Janus van
't Riet, then Rietveld, then the clients called Riet, then Rietje), and only then
each database's own measure of a close spelling.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Min, Value, When
from rapidfuzz.distance import DamerauLevenshtein

from halte.clients.access import clients_visible_to
from halte.clients.models import Client, Phone
from halte.core import phone as phone_codec
from halte.core.roles import ClientScope, client_scope
from halte.core.text import NAME_PREFIXES, name_words, prefixed_family_names

_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([a-zA-Z]{2})(?:[\s,-]+(\d{1,5})\s*[a-zA-Z0-9-]*)?$")
_DATE_NL = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CLIENT_NUMBER = re.compile(r"^#?(\d{1,8})$")
_PHONE_CHARS = re.compile(r"^(tel:)?[+0-9()\s./-]{6,}$", re.IGNORECASE)
# A name word this long or longer may carry a typo; shorter ones must match as prefix.
_FUZZY_MIN_LENGTH = 4
_PG_WORD_SIMILARITY = 0.4
# Ranking tiers: per tier a folded column and the needles counted in it.
Tiers = list[tuple[str, list[str]]]


class QueryKind(StrEnum):
    NAME = "name"
    POSTCODE = "postcode"
    BIRTH_DATE = "birth_date"
    CLIENT_NUMBER = "client_number"
    PHONE = "phone"
    NONE = "none"  # empty, or a shape that cannot find anyone


@dataclass(frozen=True)
class ParsedQuery:
    kind: QueryKind
    text: str = ""
    postcode: str = ""
    house_number: int | None = None
    birth_date: date | None = None
    number: int | None = None
    e164: str = ""


def _parse_date(text: str) -> date | None:
    for pattern, order in ((_DATE_NL, (3, 2, 1)), (_DATE_ISO, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def parse_query(raw: str) -> ParsedQuery:
    text = " ".join((raw or "").split())[:200]
    if not text:
        return ParsedQuery(QueryKind.NONE)
    if _DATE_NL.match(text) or _DATE_ISO.match(text):
        born = _parse_date(text)
        return (
            ParsedQuery(QueryKind.BIRTH_DATE, birth_date=born)
            if born
            else ParsedQuery(QueryKind.NONE)
        )
    match = _POSTCODE.match(text)
    if match:
        house = int(match.group(3)) if match.group(3) else None
        return ParsedQuery(
            QueryKind.POSTCODE,
            postcode=(match.group(1) + match.group(2)).upper(),
            house_number=house,
        )
    match = _CLIENT_NUMBER.match(text)
    if match:
        return ParsedQuery(QueryKind.CLIENT_NUMBER, number=int(match.group(1)))
    if _PHONE_CHARS.match(text):
        e164 = phone_codec.try_normalize(text)
        return ParsedQuery(QueryKind.PHONE, e164=e164) if e164 else ParsedQuery(QueryKind.NONE)
    return ParsedQuery(QueryKind.NAME, text=text)


@dataclass
class SearchPage:
    clients: list[Client]
    page: int
    has_next: bool
    kind: QueryKind


def find_clients(user, raw: str, *, page: int = 1, page_size: int = 25) -> SearchPage:
    """The page-th page of clients matching `raw` that `user` may see, best first.

    Fetches page_size + 1 ids to know whether a next page exists, without counting.
    """
    query = parse_query(raw)
    page = max(1, page)
    offset, limit = (page - 1) * page_size, page_size + 1
    if query.kind == QueryKind.NAME:
        ids = _name_ids(user, query.text, offset, limit)
    elif query.kind == QueryKind.PHONE:
        ids = _phone_ids(user, query.e164, offset, limit)
    elif query.kind == QueryKind.NONE:
        ids = []
    else:
        ids = list(
            _exact_queryset(user, query)
            .order_by("family_name", "given_names", "id")
            .values_list("id", flat=True)[offset : offset + limit]
        )
    has_next = len(ids) > page_size
    ids = ids[:page_size]
    clients = Client.objects.select_related("team").in_bulk(ids)
    return SearchPage([clients[i] for i in ids if i in clients], page, has_next, query.kind)


def _exact_queryset(user, query: ParsedQuery):
    clients = clients_visible_to(user)
    if query.kind == QueryKind.POSTCODE:
        clients = clients.filter(postcode=query.postcode)
        if query.house_number is not None:
            clients = clients.filter(house_number=query.house_number)
        return clients
    if query.kind == QueryKind.BIRTH_DATE:
        return clients.filter(date_of_birth=query.birth_date)
    return clients.filter(client_number=query.number)


def _phone_ids(user, e164: str, offset: int, limit: int) -> list[int]:
    """Clients with this number, their own number first, then through a relation.

    Grouped and paged in the database: a GP practice's number belongs to thousands
    of clients, and fetching them all to page in Python took 45 ms at a million.
    """
    phones = Phone.objects.filter(e164=e164)
    if client_scope(user) != ClientScope.ALL:
        # For a user who sees everyone the subquery filters nothing, yet costs a
        # lookup in the clients table per phone row (35 ms on a GP practice's number).
        phones = phones.filter(client_id__in=clients_visible_to(user).values("id"))
    rows = (
        phones.values("client_id")
        .annotate(
            through_relation=Min(
                Case(
                    When(relation__isnull=True, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
        )
        .order_by("through_relation", "client_id")
        .values_list("client_id", flat=True)
    )
    return list(rows[offset : offset + limit])


def _scope_sql(user, column: str) -> tuple[str, list]:
    scope = client_scope(user)
    if scope == ClientScope.ALL:
        return "", []
    team_ids = user.team_ids() if scope == ClientScope.OWN_TEAMS else []
    if not team_ids:
        return " AND 1 = 0", []
    marks = ", ".join(["%s"] * len(team_ids))
    return f" AND {column} IN ({marks})", list(team_ids)


def _name_ids(user, text: str, offset: int, limit: int) -> list[int]:
    words = name_words(text)
    if not words:
        return []
    tiers = _ranking_tiers(text, words)
    if connection.vendor == "postgresql":
        return _name_ids_postgresql(user, words, tiers, offset, limit)
    return _name_ids_sqlite(user, words, tiers, offset, limit)


def _ranking_tiers(text: str, words: list[str]) -> Tiers:
    """The ranking, best first: per tier a folded column and what is counted in it
    (each found between spaces, in ' ' || column || ' ').

    How many query words are a whole word of the family name; whether it carries the
    tussenvoegsel typed ("van 't riet"); how many words start a word of the family
    name; are a whole word of any name; start a word of any name.
    """
    tiers = [("c.search_family", [f" {word} " for word in words])]
    prefixed = prefixed_family_names(text)
    if prefixed:
        tiers.append(("c.search_family", [f" {name} " for name in prefixed]))
    return [
        *tiers,
        ("c.search_family", [f" {word}" for word in words]),
        ("c.search_name", [f" {word} " for word in words]),
        ("c.search_name", [f" {word}" for word in words]),
    ]


def _ranking_sql(tiers: Tiers, contains: str, to_int: str = "") -> tuple[str, list[str]]:
    """ORDER BY terms for the tiers; `contains` is the database's "haystack contains
    %s" with {haystack} to fill in, `to_int` what makes its truth a number."""
    terms, params = [], []
    for column, needles in tiers:
        haystack = f"(' ' || {column} || ' ')"
        found = f"({contains.format(haystack=haystack)}){to_int}"
        terms.append("(" + " + ".join([found] * len(needles)) + ") DESC")
        params += needles
    return ", ".join(terms), params


def _name_ids_postgresql(
    user, words: list[str], tiers: Tiers, offset: int, limit: int
) -> list[int]:
    # Per word: a substring (prefix "berg", infix "muller") or a close spelling
    # ('<%' is pg_trgm's word similarity); both are served by the GIN trigram index.
    conditions, params, score_terms, score_params = [], [], [], []
    for word in words:
        conditions.append("(c.search_name LIKE %s OR %s <%% c.search_name)")
        params += [f"%{_like_escape(word)}%", word]
        score_terms.append("word_similarity(%s, c.search_name)")
        score_params.append(word)
    ranking, ranking_params = _ranking_sql(tiers, "strpos({haystack}, %s) > 0", "::int")
    scope, scope_params = _scope_sql(user, "c.team_id")
    sql = (
        # Only fixed SQL fragments are joined here; every value is a parameter.
        f"SELECT c.id FROM clients_client c WHERE {' AND '.join(conditions)}{scope} "  # noqa: S608
        f"ORDER BY {ranking}, {' + '.join(score_terms)} DESC, "
        "c.family_name, c.given_names, c.id LIMIT %s OFFSET %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # SET LOCAL: both last only for this search's transaction, never for the
        # pooled connection. The default threshold (0.6) misses one-letter typos in
        # short names ("hendirka" scores 0.44). And the planner, counting pg_trgm's
        # operators as cheap, prefers a sequential scan to the trigram index: 310 ms
        # instead of 44 ms at 100,000 clients.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(_PG_WORD_SIMILARITY)],
        )
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, [*params, *scope_params, *ranking_params, *score_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_ids_sqlite(user, words: list[str], tiers: Tiers, offset: int, limit: int) -> list[int]:
    with connection.cursor() as cursor:
        match = " AND ".join(_fts_word_expression(cursor, word) for word in words)
        scope, scope_params = _scope_sql(user, "c.team_id")
        ranking, ranking_params = _ranking_sql(tiers, "instr({haystack}, %s) > 0")
        # No bm25 after the tiers: they already say what it would (whole words
        # first), and scoring every match cost more than the rest of the query
        # (68 ms of 130 ms for 'ber*' at a million clients). Ties go as in a phone
        # book: by family name without its tussenvoegsel, then given names.
        cursor.execute(
            # Only fixed SQL fragments are joined here; every value is a parameter.
            "SELECT c.id FROM clients_client_fts f JOIN clients_client c ON c.id = f.rowid "  # noqa: S608
            f"WHERE clients_client_fts MATCH %s{scope} "
            f"ORDER BY {ranking}, c.family_name, c.given_names, c.id LIMIT %s OFFSET %s",
            [match, *scope_params, *ranking_params, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def _fts_word_expression(cursor, word: str) -> str:
    """'jansen' -> ("jansen"* OR "janssen" OR "jansens"): the prefix, and the indexed
    names within a typo or two of it (FTS5's term list, fts5vocab, holds them all)."""
    terms = [f'"{word}"*']
    if len(word) >= _FUZZY_MIN_LENGTH:
        terms += [f'"{term}"' for term in _similar_terms(cursor, word)]
    return "(" + " OR ".join(terms) + ")"


def _similar_terms(cursor, word: str) -> list[str]:
    # Typos rarely hit the first letter; keeping it bounds the scan of the term list.
    first, rest_start = word[0], chr(ord(word[0]) + 1)
    cursor.execute(
        "SELECT term FROM clients_client_fts_vocab WHERE term >= %s AND term < %s",
        [first, rest_start],
    )
    allowed = 1 if len(word) < 7 else 2
    return [
        term
        for (term,) in cursor.fetchall()
        if abs(len(term) - len(word)) <= allowed
        and not term.startswith(word)
        # Tussenvoegsels are ignored in queries, so never reached by a typo either:
        # 'vand' once matched 'van', four in ten clients, and took 0.5 s at a million.
        and term not in NAME_PREFIXES
        and DamerauLevenshtein.distance(word, term, score_cutoff=allowed) <= allowed
    ]
