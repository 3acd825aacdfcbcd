from django.urls import path

from halte.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("client/<int:pk>/", views.client_messages, name="client_messages"),
    path("<int:pk>/opnieuw/", views.resend, name="resend"),
    path("<int:pk>/afzien/", views.cancel, name="cancel"),
]
