from django.urls import path

from halte.outreach import letter_views, notification_views, views

app_name = "outreach"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("client/<int:pk>/", views.client_messages, name="client_messages"),
    path("<int:pk>/opnieuw/", views.resend, name="resend"),
    path("<int:pk>/afzien/", views.cancel, name="cancel"),
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
