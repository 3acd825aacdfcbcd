from django.urls import path

from halte.contact import call_views, views

app_name = "contact"
urlpatterns = [
    path("", views.workplace, name="workplace"),
    path("gesprek/", views.call_pop, name="call_pop"),
    path("nummer/", views.lookup, name="lookup"),
    path("gesprekken/<int:pk>/vastleggen/", call_views.call_write_up, name="call_write_up"),
    path("gesprekken/<int:pk>/terzijde/", call_views.call_put_aside, name="call_put_aside"),
    path("nieuw-contact/", views.new_contact, name="new_contact"),
    path("clienten/<int:pk>/", views.card, name="card"),
    path("clienten/<int:pk>/contact/", views.interaction_add, name="interaction_add"),
    path(
        "clienten/<int:pk>/gesprekken/<int:call_pk>/afronden/",
        views.call_complete,
        name="call_complete",
    ),
    path("clienten/<int:pk>/tijdlijn/", views.client_timeline, name="timeline"),
    path("clienten/<int:pk>/toezegging/", views.commitment_add, name="commitment_add"),
    path("toezeggingen/<int:pk>/", views.commitment_detail, name="commitment"),
    path("toezeggingen/<int:pk>/poging/", views.commitment_attempt, name="commitment_attempt"),
    path("toezeggingen/<int:pk>/afronden/", views.commitment_complete, name="commitment_complete"),
    path("escalaties/", views.escalation_list, name="escalations"),
]
