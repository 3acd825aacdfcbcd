from django.urls import path

from halte.outreach import announcement_views, letter_views, notification_views, views

app_name = "outreach"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("client/<int:pk>/", views.client_messages, name="client_messages"),
    path("<int:pk>/opnieuw/", views.resend, name="resend"),
    path("<int:pk>/afzien/", views.cancel, name="cancel"),
    # Announcements: a message to a segment of clients.
    path("mededelingen/", announcement_views.announcement_list, name="announcements"),
    path("mededelingen/nieuw/", announcement_views.announcement_create, name="announcement_create"),
    path(
        "mededelingen/<int:pk>/", announcement_views.announcement_status, name="announcement_status"
    ),
    path(
        "mededelingen/<int:pk>/wijzigen/",
        announcement_views.announcement_edit,
        name="announcement_edit",
    ),
    path(
        "mededelingen/<int:pk>/controleren/",
        announcement_views.announcement_preview,
        name="announcement_preview",
    ),
    path(
        "mededelingen/<int:pk>/versturen/",
        announcement_views.announcement_send,
        name="announcement_send",
    ),
    path(
        "mededelingen/<int:pk>/terug-naar-concept/",
        announcement_views.announcement_unschedule,
        name="announcement_unschedule",
    ),
    path(
        "mededelingen/<int:pk>/annuleren/",
        announcement_views.announcement_cancel,
        name="announcement_cancel",
    ),
    path(
        "mededelingen/<int:pk>/voortgang/",
        announcement_views.announcement_progress,
        name="announcement_progress",
    ),
    # Letters to print (letter_views)
    path("brieven/", letter_views.letter_batches, name="letter_batches"),
    path("brieven/<int:pk>/pdf/", letter_views.letter_batch_pdf, name="letter_batch_pdf"),
    path(
        "brieven/<int:pk>/geprint/", letter_views.letter_batch_printed, name="letter_batch_printed"
    ),
    # The staff's notices (promises nearly due, overdue) on the workplace.
    path(
        "meldingen/<int:pk>/gelezen/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path("meldingen/gelezen/", notification_views.notifications_read, name="notifications_read"),
]
