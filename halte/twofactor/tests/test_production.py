"""Production cannot run without the second factor; development and the tests may."""

from django.conf import settings

from halte.core.tests.test_settings import PRODUCTION_ENV, _manage

SHOW = "from django.conf import settings; print('2FA', settings.HALTE_TWO_FACTOR)"


def test_production_turns_it_on_by_default():
    result = _manage("shell", "-c", SHOW, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "2FA True" in result.stdout


def test_production_refuses_to_start_with_it_off():
    result = _manage("check", env={**PRODUCTION_ENV, "HALTE_TWO_FACTOR": "false"})

    assert result.returncode != 0
    assert "HALTE_TWO_FACTOR cannot be off in production" in result.stderr


def test_development_has_it_off_by_default_and_may_switch_it_on():
    assert settings.HALTE_TWO_FACTOR is False
    result = _manage("shell", "-c", SHOW, env={"HALTE_TWO_FACTOR": "true"})
    assert "2FA True" in result.stdout, result.stderr
