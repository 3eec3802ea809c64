from django.urls import path

from youfu.feedback import callback_views, survey_views, views

app_name = "feedback"

urlpatterns = [
    path("", views.rates_page, name="rates"),
    path("export/", views.rates_export_view, name="rates_export"),
    path("batches/", views.batch_list_page, name="batch_list"),
    path("batches/upload/", views.batch_upload, name="batch_upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    # Callbacks (电话回访)
    path("callbacks/", callback_views.callbacks_page, name="callbacks"),
    path("callbacks/draw/", callback_views.callbacks_draw_view, name="callbacks_draw"),
    path("callbacks/import/", callback_views.callbacks_import_view, name="callbacks_import"),
    path("callbacks/results/", callback_views.callback_results_page, name="callback_results"),
    path(
        "callbacks/results/export/",
        callback_views.callback_results_export_view,
        name="callback_results_export",
    ),
    path("callbacks/facts/", callback_views.callback_facts_view, name="callback_facts"),
    path("callbacks/<int:pk>/", callback_views.draw_detail, name="callback_draw"),
    path("callbacks/calls/<int:pk>/", callback_views.call_page, name="call"),
    # Surveys (满意度调查)
    path("surveys/", survey_views.survey_list_page, name="surveys"),
    path("surveys/new/", survey_views.survey_create_page, name="survey_create"),
    path("surveys/facts/", survey_views.survey_facts_view, name="survey_facts"),
    path("surveys/<int:pk>/", survey_views.survey_page, name="survey"),
    path("surveys/<int:pk>/export/", survey_views.survey_export_view, name="survey_export"),
    path("surveys/<int:pk>/record/", survey_views.survey_record_page, name="survey_record"),
    path("surveys/<int:pk>/close/", survey_views.survey_close_view, name="survey_close"),
    # The public answer page (no login): /feedback/s/<token>/
    path("s/<str:token>/", survey_views.public_survey, name="public_survey"),
]
