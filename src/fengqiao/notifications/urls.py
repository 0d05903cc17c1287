from django.urls import path

from fengqiao.notifications import views

urlpatterns = [
    path("", views.inbox, name="notifications"),
    path("read/", views.mark_read, name="notifications_read"),
]
