"""HTML routes of the heatmaps (the JSON lives under /api/v1/, in config.urls)."""

from django.urls import path

from annotations.heat import views as heatmap_views

app_name = "heatmap"

urlpatterns = [
    path("treaties/<slug:slug>/heatmap/", heatmap_views.treaty_heatmap, name="treaty"),
    path("treaties/<slug:slug>/heatmap.svg", heatmap_views.treaty_heatmap_svg, name="treaty-svg"),
    path("treaties/<slug:slug>/heatmap.csv", heatmap_views.treaty_heatmap_csv, name="treaty-csv"),
    path(
        "treaties/<slug:slug>/heatmap/annotations/",
        heatmap_views.heatmap_cell_annotations,
        name="cell-annotations",
    ),
]
