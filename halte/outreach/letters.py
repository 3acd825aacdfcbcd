"""Letters on paper: one message, or a day's batch, as a printable A4 PDF with the
organisation's letterhead (WeasyPrint).

The layout follows Dutch business letters: the recipient's address where the window
of a window envelope shows it, the return address above it, the date written out in
the letter's language, "Betreft" and the text (which ends with its own closing).
Each letter is laid out on its own, so its page count ("Pagina 2 van 2") and
first-page letterhead are its own, and a batch is those pages one after the other.
Every letter starts on a new sheet: for double-sided printing (HALTE_LETTERS_DUPLEX,
the default) a letter with an odd number of pages is followed by a blank page, so
that no client's letter is printed on the back of another's.

Nothing here fetches from the network or the disk while rendering: the logo is read
once and embedded, and the fetcher refuses every other URL, so a text that somehow
held markup could not make the renderer open a file or a web address.
"""

import base64
import mimetypes
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# A window envelope shows six lines at most: the name and five of address.
MAX_ADDRESS_LINES = 5
_POSTCODE = re.compile(r"\b(\d{4})\s?([A-Za-z]{2})\b")


@dataclass(frozen=True)
class Letterhead:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    website: str
    # The logo as a data: URL (embedded, nothing is fetched while rendering), or "".
    logo: str = ""

    @property
    def return_address(self) -> str:
        """The small line above the recipient: where undeliverable post goes back to."""
        return ", ".join(self.address_lines)


def _data_url(path: str) -> str:
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:{content_type};base64,{encoded}"


def letterhead() -> Letterhead:
    """The organisation as the settings (HALTE_ORG_*) describe it."""
    logo = settings.HALTE_ORG_LOGO
    return Letterhead(
        name=settings.HALTE_ORG_NAME,
        address_lines=tuple(settings.HALTE_ORG_ADDRESS),
        phone=settings.HALTE_ORG_PHONE,
        email=settings.HALTE_ORG_EMAIL,
        website=settings.HALTE_ORG_WEBSITE,
        logo=_data_url(logo) if logo else "",
    )


def address_problem(address: str) -> str | None:
    """Why these address lines cannot go in an envelope's window, as a short code;
    None when they can."""
    lines = address_lines(address)
    if not lines:
        return "letter_no_address"
    if len(lines) > MAX_ADDRESS_LINES:
        return "letter_address_too_long"
    return None


def address_lines(address: str) -> list[str]:
    return [line.strip() for line in (address or "").splitlines() if line.strip()]


def postcode_key(address: str) -> str:
    """The Dutch postcode in the address ("3818LE"), for sorting the post; "" if none.
    PostNL handles post sorted by postcode more cheaply."""
    match = _POSTCODE.search(address or "")
    return f"{match[1]}{match[2].upper()}" if match else ""


# The letter's own words (date, "Betreft", closing) are in the letter's language when
# the interface has it, else in Dutch; its text is in the language it was written in.
def _label_language(language: str) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


@cache
def _direction(language: str) -> str:
    try:
        order = Locale.parse(language).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def written_date(day: date, language: str) -> str:
    """The date as a letter writes it: "30 november 2026", "30 November 2026"."""
    return format_date(day, format="d MMMM y", locale=_label_language(language))


@dataclass(frozen=True)
class Letter:
    """What the template shows of one message."""

    language: str
    direction: str
    recipient_lines: list[str]
    date: str
    client_number: int | None
    subject: str
    body: str
    team: str


def _letter(message, day: date) -> Letter:
    lines = address_lines(message.address)
    name = (message.recipient_name or "").strip()
    # The address may already start with the name; the window shows it once.
    recipient = lines if lines[:1] == [name] or not name else [name, *lines]
    client = message.client
    return Letter(
        language=message.language,
        direction=_direction(message.language),
        recipient_lines=recipient,
        date=written_date(day, message.language),
        client_number=client.client_number,
        subject=message.subject,
        body=message.body,
        team=client.team.name if client.team_id else "",
    )


def css_string(text: str) -> str:
    """`text` as a quoted CSS string for the page margins' `content`. HTML escaping
    does not apply inside <style>, so every character but letters, digits and spaces
    is written as a CSS escape: no quote, backslash or "</style" can get through."""
    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):x} " for char in text
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every special character escaped above


def letter_html(message, *, day: date | None = None, head: Letterhead | None = None) -> str:
    """One letter as HTML (the template escapes every text it is given). Its layout
    is letter.css with margin_css, given to the renderer beside it."""
    day = day or (message.letter_batch.day if message.letter_batch_id else timezone.localdate())
    head = head or letterhead()
    letter = _letter(message, day)
    with translation.override(_label_language(message.language)):
        return render_to_string("outreach/letter.html", {"letter": letter, "org": head})


# The layout of every letter, kept beside this module rather than in the template, so
# that no template holds a <style> block (the templates follow the web pages' CSP).
_LETTER_CSS = Path(__file__).with_name("letter.css")


@cache
def _letter_stylesheet() -> CSS:
    return CSS(string=_LETTER_CSS.read_text(encoding="utf-8"))


def margin_css(language: str, head: Letterhead) -> str:
    """The running texts in the page margins, in the letter's language: the
    organisation's name at the top and "Pagina 2 van 3" at the bottom of every page
    but the first (letter.css blanks those)."""
    with translation.override(_label_language(language)):
        page = css_string(gettext("Page") + " ")
        of = css_string(" " + pgettext("page 2 of 3", "of") + " ")
    return (
        f"@page {{ @top-left {{ content: {css_string(head.name)}; }}"
        f" @bottom-right {{ content: {page} counter(page) {of} counter(pages); }} }}"
    )


class _NoFetching(URLFetcher):
    """Only data: URLs (the embedded logo); anything else is refused."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"})


def _documents(messages, head: Letterhead):
    fonts = FontConfiguration()
    fetcher = _NoFetching()
    layout = _letter_stylesheet()
    for message in messages:
        html = HTML(string=letter_html(message, head=head), url_fetcher=fetcher)
        margins = CSS(string=margin_css(message.language, head), url_fetcher=fetcher)
        yield html.render(font_config=fonts, stylesheets=[layout, margins])


_BLANK_PAGE = "@page { size: A4; margin: 0 }"


def letters_pdf(messages, *, duplex: bool | None = None) -> bytes:
    """The letters as one PDF, each starting on a new sheet, in the order given.
    The messages need their client and the client's team (select_related)."""
    duplex = settings.HALTE_LETTERS_DUPLEX if duplex is None else duplex
    head = letterhead()
    documents = list(_documents(messages, head))
    if not documents:
        raise ValueError("No letters to render.")
    blank_page = CSS(string=_BLANK_PAGE)
    blank = HTML(string="<p></p>", url_fetcher=_NoFetching()).render(stylesheets=[blank_page]).pages
    pages = []
    for document in documents:
        pages += document.pages
        if duplex and len(document.pages) % 2:
            pages += blank
    merged = documents[0].copy(pages)
    merged.metadata.title = head.name
    merged.metadata.authors = [head.name]
    return merged.write_pdf()


def letter_pdf(message) -> bytes:
    """One letter as a PDF, without a blank back page."""
    return letters_pdf([message], duplex=False)
