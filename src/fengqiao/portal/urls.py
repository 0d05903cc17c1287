"""/portal/…: the citizen app (解纷码)."""

from django.urls import URLPattern, path

from fengqiao.portal.views import actions, apply, confirm, entry, track

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", entry.home, name="home"),
    path("verify/", entry.verify, name="verify"),
    path("verify/code/", entry.verify_code, name="verify_code"),
    path("leave/", entry.leave, name="leave"),
    path("apply/<str:request_type>/", apply.apply_form, name="apply"),
    path("track/", track.track_form, name="track_form"),
    path("track/<str:code>/", track.track, name="track"),
    path("track/<str:code>/qr.svg", track.qr_svg, name="qr"),
    path("track/<str:code>/saved/", apply.saved, name="saved"),
    path("track/<str:code>/mediators/", actions.mediators, name="mediators"),
    path("track/<str:code>/evidence/", actions.evidence, name="evidence"),
    path("track/<str:code>/rate/", actions.rate, name="rate"),
    path("track/<str:code>/withdraw/", actions.withdraw, name="withdraw"),
    path("track/<str:code>/confirmation/", confirm.confirmation, name="confirmation"),
    path("track/<str:code>/files/<int:pk>/", track.attachment, name="attachment"),
    path("track/<str:code>/agreement.pdf", track.document, {"which": "agreement"}, name="agreement_pdf"),
    path("track/<str:code>/ruling.pdf", track.document, {"which": "ruling"}, name="ruling_pdf"),
]
