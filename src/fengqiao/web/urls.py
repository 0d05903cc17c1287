from django.contrib.auth import views as auth_views
from django.urls import include, path

from fengqiao.web import (
    case_views,
    consultation_views,
    duplicate_views,
    evaluation_views,
    import_views,
    locate_views,
    register_views,
    reply_quality_views,
    suggest_views,
    views,
)

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", include("fengqiao.accounts.urls")),  # enrolment and the code step
    path("", views.inbox, name="inbox"),
    path("e/", evaluation_views.evaluate_code, name="evaluate_code"),  # public: the citizen's evaluation
    path("e/sms/", evaluation_views.evaluate_sms, name="evaluate_sms"),
    path("e/<str:code>/", evaluation_views.evaluate_link, name="evaluate_link"),
    path("cases/new/", register_views.case_new, name="case_new"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_new, name="import_new"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", import_views.import_errors, name="import_errors"),
    path("locate/", locate_views.locate_address, name="locate_address"),
    path("locate/street/<int:street_id>/grids/", locate_views.street_grids, name="street_grids"),
    path("suggest/", suggest_views.suggest_partial, name="route_suggest"),
    path("reply-reviews/", reply_quality_views.review_queue, name="reply_reviews"),
    path("reply-reviews/<int:pk>/decide/", reply_quality_views.review_decide, name="reply_review_decide"),
    path("cases/<str:code>/reply-score/", reply_quality_views.reply_score, name="reply_score"),
    path("cases/<str:code>/", case_views.case_detail, name="case_detail"),
    path("cases/<str:code>/parties/", case_views.case_reveal, name="case_reveal"),
    path("cases/<str:code>/act/<str:action>/", case_views.case_act, name="case_act"),
    path("cases/<str:code>/consultation/<str:act>/", consultation_views.consultation_act, name="consultation_act"),
    path("cases/<str:code>/files/<int:pk>/", case_views.attachment_download, name="attachment_download"),
    path("cases/<str:code>/merge-into/<str:into>/", duplicate_views.case_merge_into, name="case_merge_into"),
]
