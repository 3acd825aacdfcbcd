from django.urls import path

from halte.twofactor import views

app_name = "twofactor"
urlpatterns = [
    path("tweestaps/", views.factors, name="factors"),
    path("tweestaps/controle/", views.step, name="step"),
    path("tweestaps/instellen/", views.enrol, name="enrol"),
    path("tweestaps/herstelcodes/", views.recovery_codes, name="recovery_codes"),
    # The administrator's part, in the staff administration's corner of the site.
    path("beheer/tweestaps/", views.staff_factors, name="staff_factors"),
    path(
        "beheer/tweestaps/<int:user_id>/herstellen/",
        views.reset_staff_factors,
        name="reset_staff_factors",
    ),
]
