from django.urls import path

from halte.journey import views

app_name = "journey"
urlpatterns = [
    path("", views.queues, name="queues"),
    path("clienten/<int:pk>/aanmelding/", views.referral_add, name="referral_add"),
    path("aanmeldingen/<int:pk>/", views.referral, name="referral"),
    path("aanmeldingen/<int:pk>/oppakken/", views.take_on, name="take_on"),
    path("aanmeldingen/<int:pk>/eigenaar/", views.assign, name="assign"),
    path("aanmeldingen/<int:pk>/contact/", views.contacted, name="contacted"),
    path("aanmeldingen/<int:pk>/intake-plannen/", views.intake_plan, name="intake_plan"),
    path("aanmeldingen/<int:pk>/intake/", views.intake_record, name="intake_record"),
    path("aanmeldingen/<int:pk>/wachtlijst/", views.waiting_place, name="waiting_place"),
    path("aanmeldingen/<int:pk>/zorg/", views.care_start, name="care_start"),
    path("aanmeldingen/<int:pk>/afsluiten/", views.close, name="close"),
    path("wachtlijst/", views.waiting_list, name="waiting_list"),
    path("wachtlijst/<int:pk>/wijzigen/", views.waiting_change, name="waiting_change"),
    path("wachtlijst/<int:pk>/bericht/", views.waiting_update, name="waiting_update"),
    path("wachtlijst/<int:pk>/overbrugging/", views.bridging, name="bridging"),
    path("wachtlijst/zorgkantoor/<str:code>.csv", views.care_office_csv, name="care_office_csv"),
    path("zorg/<int:pk>/contactpersoon/", views.contact_person, name="contact_person"),
    path("zorg/<int:pk>/beeindigen/", views.care_end, name="care_end"),
]
