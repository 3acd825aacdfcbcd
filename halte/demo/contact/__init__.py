"""The demo front office: past contacts, missed calls and promises."""
