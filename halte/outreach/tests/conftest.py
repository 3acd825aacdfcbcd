"""The outreach tests' fixtures: the real SMTP server lives in smtp.py, shared with
the browser tests."""

from halte.outreach.tests.smtp import smtp_server  # noqa: F401 (a fixture)
