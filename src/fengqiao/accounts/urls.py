from django.urls import path

from fengqiao.accounts import views

urlpatterns = [
    path("", views.enrol, name="two_factor_enrol"),
    path("recovery-codes/", views.recovery, name="two_factor_recovery"),
    path("verify/", views.verify, name="two_factor_verify"),
]
