from django.urls import path

from halte.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.search, name="search"),
    path("nieuw/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bsn/", views.reveal_bsn, name="reveal_bsn"),
    path("<int:pk>/wijzigen/", views.edit, name="edit"),
    path("<int:pk>/wat-voor-mij-telt/", views.edit_what_matters, name="what_matters"),
    path("<int:pk>/naasten/nieuw/", views.relation_add, name="relation_add"),
    path("<int:pk>/naasten/<int:relation_pk>/", views.relation_edit, name="relation_edit"),
    path(
        "<int:pk>/naasten/<int:relation_pk>/verwijderen/",
        views.relation_delete,
        name="relation_delete",
    ),
    path("<int:pk>/voorkeuren/nieuw/", views.preference_add, name="preference_add"),
    path(
        "<int:pk>/voorkeuren/<int:preference_pk>/verwijderen/",
        views.preference_delete,
        name="preference_delete",
    ),
    path("<int:pk>/zorgnotities/nieuw/", views.care_note_add, name="care_note_add"),
]
