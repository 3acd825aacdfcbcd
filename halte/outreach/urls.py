from django.urls import path

from halte.outreach import notification_views

app_name = "outreach"
urlpatterns = [
    path(
        "meldingen/<int:pk>/gelezen/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path("meldingen/gelezen/", notification_views.notifications_read, name="notifications_read"),
]
