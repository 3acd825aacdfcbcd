from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "halte.twofactor"
    label = "twofactor"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from halte.twofactor import policy

        # Whether the person has a factor is read once, at sign-in, not on every page.
        user_logged_in.connect(policy.note_factors_at_sign_in, dispatch_uid="halte-2fa")
