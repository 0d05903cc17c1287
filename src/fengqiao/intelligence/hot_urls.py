"""/hot-issues/: hot issues (grouped cases ranked by heat)."""

from django.urls import URLPattern, path

from fengqiao.intelligence import hot_views

urlpatterns: list[URLPattern] = [
    path("", hot_views.hot_list, name="hot_issues"),
    path("<int:pk>/", hot_views.hot_detail, name="hot_issue"),
]
